namespace Spike;

/// <summary>
/// The kernel contract one device implements. Every method writes into a caller-allocated destination;
/// shape checks, broadcasting, dtype promotion and allocation happen once above it, in <see cref="Raw"/>.
/// Operands arrive as views already expanded to the destination's shape (stride 0 where broadcast).
/// The interface is partial: each op family declares its members beside its CPU implementation.
/// </summary>
public partial interface IBackend
{
    Device Device { get; }

    Storage Allocate(DType dtype, int length);

    /// <summary>dst = src, elementwise over equal shapes, converting dtype (float→int truncates toward zero).</summary>
    void Copy(Tensor src, Tensor dst);

    void Fill(Tensor dst, double value);

    /// <summary>dst = op(x) for same-dtype x and dst; <paramref name="p0"/>, <paramref name="p1"/> carry op parameters
    /// (pow exponent; clamp bounds).</summary>
    void Unary(UnaryOp op, Tensor x, Tensor dst, double p0, double p1);

    /// <summary>dst = op(a, b); a, b share a dtype; dst has it too, or Bool for comparisons and logic.</summary>
    void Binary(BinaryOp op, Tensor a, Tensor b, Tensor dst);

    /// <summary>dst = cond ? a : b (cond Bool).</summary>
    void Where(Tensor cond, Tensor a, Tensor b, Tensor dst);

    /// <summary>Fills dst from the counter-based generator at (seed, offset + element index).</summary>
    void Random(RandomKind kind, Tensor dst, ulong seed, ulong offset, double p0, double p1);

    /// <summary>Copies a tensor of this device into a new contiguous CPU tensor.</summary>
    Tensor ToCpu(Tensor src);

    /// <summary>Copies a CPU tensor into a new contiguous tensor on this device.</summary>
    Tensor FromCpu(Tensor src);
}

public enum UnaryOp
{
    Neg, Abs, Exp, Log, Log1p, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Atan, Erf, Erfc,
    Sign, Floor, Ceil, Round, Reciprocal, PowScalar, Clamp, LogicalNot,
}

public enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum,
    Eq, Ne, Lt, Le, Gt, Ge,
    LogicalAnd, LogicalOr,
}

public enum RandomKind
{
    /// <summary>U[p0, p1).</summary>
    Uniform,
    /// <summary>N(p0, p1²).</summary>
    Normal,
    /// <summary>1 with probability p0 (in dst's dtype).</summary>
    Bernoulli,
}

/// <summary>Finds the backend for a device. Spike.Cuda registers itself when it is initialised.</summary>
public static class Backends
{
    static readonly Dictionary<DeviceKind, Func<int, IBackend>> Factories = new()
    {
        [DeviceKind.Cpu] = _ => Cpu.CpuBackend.Instance,
    };

    public static void Register(DeviceKind kind, Func<int, IBackend> factory)
    {
        lock (Factories) Factories[kind] = factory;
    }

    public static IBackend For(Device device)
    {
        lock (Factories)
        {
            if (Factories.TryGetValue(device.Kind, out var f)) return f(device.Index);
        }
        throw new InvalidOperationException(
            $"no backend for {device}: reference Spike.Cuda and call CudaBackend.Initialize() before using CUDA tensors");
    }
}
