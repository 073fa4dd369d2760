namespace Spike;

/// <summary>Batch normalisation (torch.nn.functional.batch_norm) with a fused backward for input, weight and bias.</summary>
public static class BatchNormOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// x: [N, C], [N, C, L], [N, C, H, W] (any rank ≥ 2); runningMean, runningVar, weight, bias: [C] or null.
        /// y = (x − μ)/√(σ² + eps)·weight + bias. Training uses the batch mean and biased variance over every axis
        /// but C and updates the running statistics in place (momentum, unbiased variance); evaluation uses the
        /// running statistics. Gradients: dx = w·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)) in training, w·σ⁻¹·dy in
        /// evaluation; dweight = Σ dy·x̂; dbias = Σ dy. The running statistics never receive gradients.
        /// </summary>
        public Tensor BatchNorm(Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
            bool training = false, double momentum = 0.1, double eps = 1e-5)
        {
            var (y, mean, invstd) = Raw.BatchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
            var inputs = new List<Tensor> { x };
            if (weight is not null) inputs.Add(weight);
            if (bias is not null) inputs.Add(bias);
            return Graph.Record(y, "BatchNorm", [.. inputs], g =>
            {
                var (gi, gw, gb) = Raw.BatchNormBackward(g, x, mean, invstd, weight, training,
                    x.RequiresGrad, weight?.RequiresGrad ?? false, bias?.RequiresGrad ?? false);
                var grads = new List<Tensor?> { gi };
                if (weight is not null) grads.Add(gw);
                if (bias is not null) grads.Add(gb);
                return [.. grads];
            });
        }
    }
}
