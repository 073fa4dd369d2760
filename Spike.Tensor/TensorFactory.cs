namespace Spike;

/// <summary>Creation functions. Random ones draw from a counter-based <see cref="Generator"/>: the same seed gives
/// the same numbers on every machine.</summary>
public sealed partial class Tensor
{
    public static Tensor Empty(int[] shape, DType dtype = DType.Float32, Device? device = null) =>
        Raw.Empty(shape, dtype, device ?? Device.Cpu);

    public static Tensor Zeros(params int[] shape) => Full(shape, 0);
    public static Tensor Ones(params int[] shape) => Full(shape, 1);
    public static Tensor Zeros(int[] shape, DType dtype, Device? device = null) => Full(shape, 0, dtype, device);
    public static Tensor Ones(int[] shape, DType dtype, Device? device = null) => Full(shape, 1, dtype, device);

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        Raw.Fill(t, value);
        return t;
    }

    public static Tensor ZerosLike(Tensor x) => Zeros(x.Layout.Shape, x.DType, x.Device);
    public static Tensor OnesLike(Tensor x) => Ones(x.Layout.Shape, x.DType, x.Device);
    public static Tensor FullLike(Tensor x, double value) => Full(x.Layout.Shape, value, x.DType, x.Device);
    public static Tensor EmptyLike(Tensor x) => Raw.EmptyLike(x);

    /// <summary>A 0-d tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    /// <summary>Wraps a copy of <paramref name="data"/> with the given shape (a 1-D shape when none is given).</summary>
    public static Tensor FromArray<T>(T[] data, params int[] shape) where T : unmanaged
    {
        if (shape.Length == 0) shape = [data.Length];
        shape = Layout.InferShape(shape, data.Length, "FromArray");
        return new Tensor(new CpuStorage((T[])data.Clone(), DTypes.Of<T>()), Layout.Contiguous(shape));
    }

    /// <summary>[start, end) in steps of step (torch.arange; the count is ceil((end - start) / step)).</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0 || double.IsNaN(step)) throw new ArgumentException("arange: step must be non-zero");
        long count = (long)Math.Ceiling((end - start) / step);
        if (count < 0) throw new ArgumentException($"arange: [{start}, {end}) with step {step} is empty in the wrong direction");
        var v = new double[count];
        for (long i = 0; i < count; i++) v[i] = start + i * step;
        return Raw.ToDType(FromArray(v), dtype);
    }

    public static Tensor Arange(int end, DType dtype = DType.Int64) => Arange(0, end, 1, dtype);

    /// <summary>count points from start to end inclusive (torch.linspace).</summary>
    public static Tensor Linspace(double start, double end, int count, DType dtype = DType.Float32)
    {
        if (count < 0) throw new ArgumentException($"linspace: count {count} is negative");
        var v = new double[count];
        double step = count > 1 ? (end - start) / (count - 1) : 0;
        // Symmetric evaluation, as torch does, so the last point is exactly end (and a single point is start).
        for (int i = 0; i < count; i++) v[i] = i < count / 2 || count == 1 ? start + i * step : end - (count - 1 - i) * step;
        return Raw.ToDType(FromArray(v), dtype);
    }

    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32)
    {
        int cols = m ?? n;
        var t = Zeros([n, cols], dtype);
        var diag = new Tensor(t.Storage, new Layout([Math.Min(n, cols)], [cols + 1], 0));
        Raw.Fill(diag, 1);
        return t;
    }

    /// <summary>U[low, high).</summary>
    public static Tensor Rand(int[] shape, Generator? generator = null, double low = 0, double high = 1, DType dtype = DType.Float32, Device? device = null) =>
        Raw.Random(RandomKind.Uniform, shape, dtype, device ?? Device.Cpu, generator, low, high);

    /// <summary>N(mean, std²).</summary>
    public static Tensor Randn(int[] shape, Generator? generator = null, double mean = 0, double std = 1, DType dtype = DType.Float32, Device? device = null) =>
        Raw.Random(RandomKind.Normal, shape, dtype, device ?? Device.Cpu, generator, mean, std);

    /// <summary>1 with probability p, else 0.</summary>
    public static Tensor Bernoulli(int[] shape, double p, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
        Raw.Random(RandomKind.Bernoulli, shape, dtype, device ?? Device.Cpu, generator, p, 0);

    /// <summary>Elementwise: 1 with probability probs[i] (torch.bernoulli(probs)).</summary>
    public static Tensor Bernoulli(Tensor probs, Generator? generator = null)
    {
        if (probs.Numel > 0 && (Raw.Amin(probs, null, false).Item() is not >= 0 || Raw.Amax(probs, null, false).Item() is not <= 1))
            throw new ArgumentOutOfRangeException(nameof(probs), $"bernoulli: probabilities of shape {Layout.Fmt(probs.Layout.Shape)} must lie in [0, 1]");
        var u = Raw.Random(RandomKind.Uniform, probs.Layout.Shape, probs.DType.ToFloating(), probs.Device, generator, 0, 1);
        return Raw.ToDType(Raw.Binary(BinaryOp.Lt, u, probs), probs.DType.ToFloating());
    }
}
