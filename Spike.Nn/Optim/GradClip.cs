namespace Spike.Nn;

/// <summary>Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (in place on each Grad).</summary>
public static class GradClip
{
    /// <summary>Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the p-norm over all of them;
    /// returns that total norm.</summary>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2)
    {
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToArray();
        if (grads.Length == 0) return 0;
        using var _ = Autograd.NoGrad();
        double total = double.IsPositiveInfinity(normType)
            ? grads.Max(g => Raw.ToDType(g.Abs().Flatten(), DType.Float64).ToArray<double>().DefaultIfEmpty(0).Max())
            : Math.Pow(grads.Sum(g => g.To(DType.Float64).Abs().Pow(normType).Sum().Item()), 1 / normType);
        double scale = maxNorm / (total + 1e-6);
        if (scale < 1)
            foreach (var g in grads) Raw.CopyInto(g * scale, g);
        return total;
    }

    /// <summary>Clamps every gradient element to [−clipValue, clipValue].</summary>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        using var _ = Autograd.NoGrad();
        foreach (var g in parameters.Select(p => p.Grad).OfType<Tensor>())
            Raw.CopyInto(g.Clamp(-clipValue, clipValue), g);
    }
}
