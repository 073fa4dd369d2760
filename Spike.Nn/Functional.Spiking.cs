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

public static partial class Functional
{
    /// <summary>
    /// Spike clusters (STCA, Gu et al. 2019) of membrane potentials v [T, N] with spikes v ≥ Vth: a cluster is a run of
    /// spikes whose neighbours are at most <paramref name="tIn"/> steps apart. Returns N_o [N] (cluster count, Float32),
    /// k_positive [T, N] (Bool: the step where adding a spike would create a new cluster with the highest v, none when no
    /// such step exists) and k_negative [T, N] (Bool: the first spike of the smallest cluster). SpikingJelly's algorithm.
    /// </summary>
    public static (Tensor NO, Tensor KPositive, Tensor KNegative) SpikeCluster(Tensor v, double vThreshold, int tIn)
    {
        if (v.Rank != 2) throw new ArgumentException($"spike_cluster: v must be [T, N], got shape {Layout.Fmt(v.Layout.Shape)}");
        int T = v.Size(0), n = v.Size(1);
        var vv = Raw.ToDType(Raw.Contiguous(Raw.ToCpu(v)), DType.Float32).ToArray<float>();
        var no = new float[n];
        var kPos = new bool[T * n];
        var kNeg = new bool[T * n];
        float vMin = vv.Min();
        for (int j = 0; j < n; j++)
        {
            bool Spike(int t) => vv[t * n + j] >= vThreshold;
            // Forward pass: count clusters, track the smallest one and where it started.
            double spikesNum = T * 2, minNum = T * 2, minNumT = T * 2, last = -tIn * 2;
            for (int t = 0; t < T; t++)
            {
                if (!Spike(t)) continue;
                double dt = t - last;
                if (dt > tIn)
                {
                    if (minNum > spikesNum) { minNumT = last; minNum = spikesNum; }
                    spikesNum = 1;
                    no[j] += 1;
                }
                else spikesNum += 1;
                last = t;
            }
            if (spikesNum < minNum) { minNum = spikesNum; minNumT = last; }
            // k_negative: arange == min_spikes_num_t (which stays 2T, matching nothing, when no cluster was smaller).
            if (minNumT >= 0 && minNumT < T) kNeg[(int)minNumT * n + j] = true;

            // k_positive: v with spikes and steps within tIn of a spike (before or after) set to v_min; argmax over t.
            var w = new float[T];
            for (int t = 0; t < T; t++) w[t] = Spike(t) ? vMin : vv[t * n + j];
            last = -tIn * 2;
            for (int t = 0; t < T; t++)
            {
                if (t - last <= tIn && !Spike(t)) w[t] = vMin;
                if (Spike(t)) last = t;
            }
            double next = tIn * 2 + T;
            for (int t = T - 1; t >= 0; t--)
            {
                if (next - t <= tIn && !Spike(t)) w[t] = vMin;
                if (Spike(t)) next = t;
            }
            int arg = 0;
            for (int t = 1; t < T; t++) if (w[t] > w[arg]) arg = t;
            float vMaxOrig = float.NegativeInfinity;
            for (int t = 0; t < T; t++) vMaxOrig = Math.Max(vMaxOrig, vv[t * n + j]);
            bool valid = w[arg] != vMin || vMaxOrig == vMin;
            kPos[arg * n + j] = valid;
        }
        return (Tensor.FromArray(no, n), Tensor.FromArray(kPos, T, n), Tensor.FromArray(kNeg, T, n));
    }
}
