using System.Diagnostics;

namespace Spike.Nn;

/// <summary>
/// A fully connected layer for spike-sparse input (SpikingJelly's <c>layer.SparseLinear</c>): y = x·Wᵀ + b computed
/// by <see cref="Functional.SparseMmDense"/>, whose forward and weight gradient skip the zero inputs (a gather-add on
/// the CPU for binary Float32 input, kernels/sparse.cu on CUDA); the input gradient dy·W is a dense product.
/// x: [*, in] → [*, out]; W: [out, in], b: [out], initialised as <see cref="Linear"/>. Faster than Linear only when
/// the input is sparse enough (see <see cref="AutoSparseLinear"/>).
/// </summary>
public sealed class SparseLinear : Module
{
    public SparseLinear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        SparseLinearCore.CheckSizes("SparseLinear", inFeatures, outFeatures);
        (InFeatures, OutFeatures, HasBias) = (inFeatures, outFeatures, bias);
        RegisterParameter("weight", Init.KaimingUniformA5([outFeatures, inFeatures], inFeatures, generator));
        if (bias) RegisterParameter("bias", Init.Uniform([outFeatures], 1 / Math.Sqrt(inFeatures), generator));
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool HasBias { get; }
    public Tensor Weight => Parameter("weight");
    public Tensor? Bias => HasBias ? Parameter("bias") : null;

    protected override Tensor OnForward(Tensor x) => SparseLinearCore.Sparse("SparseLinear", x, Weight, Bias);

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}, bias={HasBias}";
}

/// <summary>
/// A fully connected layer that picks, per input, the spike-sparse product of <see cref="SparseLinear"/> or the
/// ordinary one of <see cref="Linear"/> (SpikingJelly's <c>layer.AutoSparseLinear</c>). For each number of input rows
/// (the batch size; T·batch for a multi-step [T, N, in] input) it first finds the critical sparsity, the fraction of
/// zero inputs above which the sparse path is faster, by <see cref="Benchmark"/>; then every input whose measured
/// sparsity is at least that takes the sparse path. x: [*, in] → [*, out]; W, b as Linear. Both paths compute the
/// same function with the same gradients.
/// </summary>
public sealed class AutoSparseLinear : Module
{
    readonly Dictionary<int, double?> _critical = [];

    /// <summary>As <see cref="Linear"/>; with <paramref name="inSpikes"/> the input holds only 0 and 1, so its sparsity
    /// is 1 − mean(x) (SpikingJelly's in_spikes), otherwise it is the fraction of zero elements.</summary>
    public AutoSparseLinear(int inFeatures, int outFeatures, bool bias = true, bool inSpikes = false, Generator? generator = null)
    {
        SparseLinearCore.CheckSizes("AutoSparseLinear", inFeatures, outFeatures);
        (InFeatures, OutFeatures, HasBias, InSpikes) = (inFeatures, outFeatures, bias, inSpikes);
        RegisterParameter("weight", Init.KaimingUniformA5([outFeatures, inFeatures], inFeatures, generator));
        if (bias) RegisterParameter("bias", Init.Uniform([outFeatures], 1 / Math.Sqrt(inFeatures), generator));
        Timer = Measure;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public bool HasBias { get; }
    public bool InSpikes { get; }
    public Tensor Weight => Parameter("weight");
    public Tensor? Bias => HasBias ? Parameter("bias") : null;

    /// <summary>Critical sparsity by number of input rows; null where the sparse path never won.</summary>
    public IReadOnlyDictionary<int, double?> CriticalSparsity => _critical;

    /// <summary>
    /// Seconds one forward + backward (weight and bias gradients) of this layer's shape takes for (rows, sparsity,
    /// sparse path?). The default times both paths on the layer's device with random spikes of that sparsity:
    /// the median of <see cref="BenchmarkRuns"/> runs after one warm-up. Replace it to decide by another measure.
    /// </summary>
    public Func<int, double, bool, double> Timer { get; set; }

    /// <summary>Timed runs per probe of the default <see cref="Timer"/>.</summary>
    public int BenchmarkRuns { get; set; } = 5;

    /// <summary>The bisection stops when the critical sparsity is known to within this.</summary>
    public double Precision { get; set; } = 0.01;

    /// <summary>The path the last forward took (true: sparse), for inspection.</summary>
    public bool? LastPathSparse { get; private set; }

    protected override Tensor OnForward(Tensor x)
    {
        SparseLinearCore.CheckInput("AutoSparseLinear", x, InFeatures);
        int rows = x.Numel / InFeatures;
        if (rows > 0 && !_critical.ContainsKey(rows)) Benchmark(rows);
        bool sparse = rows > 0 && _critical[rows] is { } c && Sparsity(x) >= c;
        LastPathSparse = sparse;
        return sparse ? SparseLinearCore.Sparse("AutoSparseLinear", x, Weight, Bias) : x.Linear(Weight, Bias);
    }

    /// <summary>
    /// Finds and records the critical sparsity for <paramref name="rows"/> input rows by bisection over sparsity in
    /// [0.1, 1] (SpikingJelly's search interval): at each probe s, <see cref="Timer"/> times both paths; where the
    /// sparse one is faster the upper bound drops to s, else the lower bound rises to s. The result is the upper
    /// bound, the sparsest input still probed faster on the sparse path, or null when no probe was.
    /// </summary>
    public double? Benchmark(int rows)
    {
        if (rows <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"AutoSparseLinear.Benchmark: rows must be positive, got {rows}");
        double lo = 0.1, hi = 1.0;
        bool won = false;
        while (hi - lo >= Precision)
        {
            double s = (lo + hi) / 2;
            if (Timer(rows, s, true) < Timer(rows, s, false)) (hi, won) = (s, true);
            else lo = s;
        }
        double? critical = won ? hi : null;
        _critical[rows] = critical;
        return critical;
    }

    double Sparsity(Tensor x)
    {
        var v = x.Detach();
        if (Raw.Backend(v).SpikeDensity(v) is var density and >= 0) return 1 - density; // one pass over a binary tensor
        var counted = InSpikes ? v : Raw.Binary(BinaryOp.Ne, v, Raw.ScalarFor(0, v));
        return 1 - Raw.Reduce(ReduceOp.Sum, Raw.ToDType(counted, DType.Float64), null, false).Item() / x.Numel;
    }

    /// <summary>The default timer: both paths on copies of the parameters, input spikes drawn with P(0) = sparsity.</summary>
    double Measure(int rows, double sparsity, bool sparse)
    {
        var device = Weight.Device;
        var x = Tensor.Bernoulli([rows, InFeatures], 1 - sparsity, new Generator(0x5eed), Weight.DType, device);
        var w = Raw.Clone(Weight.Detach()).RequiresGrad_();
        var b = Bias is null ? null : Raw.Clone(Bias.Detach()).RequiresGrad_();
        var times = new double[BenchmarkRuns + 1];
        for (int r = 0; r < times.Length; r++)
        {
            w.Grad = null;
            if (b is not null) b.Grad = null;
            long t0 = Stopwatch.GetTimestamp();
            var y = sparse ? SparseLinearCore.Sparse("AutoSparseLinear", x, w, b) : x.Linear(w, b);
            y.Sum().Backward();
            _ = Raw.Select(Raw.Select(w.Grad!, 0, 0), 0, 0).Item(); // waits for a device to finish
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times, 1, BenchmarkRuns);
        return times[1 + BenchmarkRuns / 2];
    }
}

/// <summary>The shared forward of the sparse layers: rows of x through <see cref="Functional.SparseMmDense"/>.</summary>
internal static class SparseLinearCore
{
    public static void CheckSizes(string layer, int inFeatures, int outFeatures)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"{layer}: sizes ({inFeatures}, {outFeatures}) must be positive");
    }

    public static void CheckInput(string layer, Tensor x, int inFeatures)
    {
        if (x.Rank == 0 || x.Size(-1) != inFeatures)
            throw new ArgumentException($"{layer}: input of shape {Layout.Fmt(x.Layout.Shape)} does not end in in_features={inFeatures}");
    }

    /// <summary>y = x·Wᵀ (+ b) over the last axis, the product spike-sparse.</summary>
    public static Tensor Sparse(string layer, Tensor x, Tensor weight, Tensor? bias)
    {
        CheckInput(layer, x, weight.Size(1));
        var rows = x.Rank == 2 ? x : x.Reshape(x.Numel / x.Size(-1), x.Size(-1));
        var y = Functional.SparseMmDense(rows, weight.T);
        if (bias is not null) y = y + bias;
        return x.Rank == 2 ? y : y.Reshape([.. x.Shape[..^1], weight.Size(0)]);
    }
}
