namespace Spike.Nn;

public static partial class Functional
{
    /// <summary>
    /// Threshold margin for a classifier's output neurons [N, C]: in training mode Vth = threshold0 everywhere and
    /// threshold1 where label_one_hot == 1 (a per-neuron tensor); in eval mode Vth = evalThreshold (a scalar).
    /// </summary>
    public static void SetThresholdMargin(BaseNode outputLayer, Tensor labelOneHot, double evalThreshold = 1.0, double threshold0 = 0.9, double threshold1 = 1.1)
    {
        if (outputLayer.Training)
        {
            var on = Raw.Binary(BinaryOp.Eq, labelOneHot, Raw.ScalarFor(1, labelOneHot));
            var dtype = labelOneHot.DType.ToFloating();
            outputLayer.VThresholdTensor = Raw.Where(on, Tensor.Full([], threshold1, dtype, labelOneHot.Device), Tensor.Full(labelOneHot.Layout.Shape, threshold0, dtype, labelOneHot.Device));
        }
        else
        {
            outputLayer.VThresholdTensor = null;
            outputLayer.VThreshold = evalThreshold;
        }
    }

    /// <summary>
    /// Redundant one-hot codes: labels [N] (integers in [0, numClasses)) → codes [N, numClasses·n] (Float32) with
    /// codes[b, label·n + i] = 1 for i in 0..n−1.
    /// </summary>
    public static Tensor RedundantOneHot(Tensor labels, int numClasses, int n)
    {
        if (labels.Rank != 1 || labels.DType.IsFloating() || labels.DType == DType.Bool)
            throw new ArgumentException($"redundant_one_hot: labels must be a 1-D integer tensor, got {labels.DType} of shape {Layout.Fmt(labels.Layout.Shape)}");
        var l = Raw.ToDType(labels, DType.Int64).ToArray<long>();
        var codes = new float[l.Length * numClasses * n];
        for (int b = 0; b < l.Length; b++)
        {
            if (l[b] < 0 || l[b] >= numClasses) throw new ArgumentOutOfRangeException(nameof(labels), $"redundant_one_hot: label {l[b]} at {b} is outside [0, {numClasses})");
            for (int i = 0; i < n; i++) codes[b * numClasses * n + l[b] * n + i] = 1;
        }
        return Raw.ToDevice(Tensor.FromArray(codes, l.Length, numClasses * n), labels.Device);
    }

    /// <summary>
    /// Marks each neuron's first spike: spikes [..., T] with time LAST → Bool mask of the same shape, true only at the
    /// first t where spikes ≠ 0 (SpikingJelly: cumsum(cumsum(spikes, −1), −1) == 1).
    /// </summary>
    public static Tensor FirstSpikeIndex(Tensor spikes)
    {
        if (spikes.Rank < 1) throw new ArgumentException($"first_spike_index: spikes must be [..., T], got shape {Layout.Fmt(spikes.Layout.Shape)}");
        var s = Raw.ToDType(Raw.Contiguous(Raw.ToCpu(spikes)), DType.Float64).ToArray<double>();
        int T = spikes.Size(-1);
        var mask = new bool[s.Length];
        for (int row = 0; row < s.Length / Math.Max(T, 1); row++)
        {
            // cumsum of a cumsum equals 1 exactly once: at the first spike, when that spike's value is 1.
            double c1 = 0, c2 = 0;
            for (int t = 0; t < T; t++)
            {
                c1 += s[row * T + t];
                c2 += c1;
                mask[row * T + t] = c2 == 1;
            }
        }
        return Raw.ToDevice(Tensor.FromArray(mask, spikes.Layout.Shape), spikes.Device);
    }
}
