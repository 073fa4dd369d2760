using System.Numerics.Tensors;

namespace Spike.Nn;

/// <summary>
/// A surrogate spike function, one object with four faces:
/// the forward Heaviside Θ(x) = (x ≥ 0 ? 1 : 0) (Θ(0) = 1); the primitive g(x), a smooth stand-in for Θ built from
/// differentiable ops (used when <see cref="Spiking"/> is false and by <see cref="SurrogateCheck"/>); the derivative
/// g'(x) that the spiking backward uses; and a CPU kernel that applies g' over spans (used by the fused neuron path).
/// A user-defined surrogate subclasses this and supplies <see cref="Primitive"/> and <see cref="Derivative(double)"/>;
/// it then works in every neuron, the fused multi-step path included.
/// </summary>
public abstract class Surrogate : Module
{
    /// <summary>true: forward Θ(x), backward g'(x). false: forward g(x), differentiated by autograd.</summary>
    public bool Spiking { get; set; } = true;

    /// <summary>The smooth primitive g(x), built from differentiable tensor ops.</summary>
    public abstract Tensor Primitive(Tensor x);

    /// <summary>The surrogate gradient g'(x) the spiking backward uses.</summary>
    public abstract double Derivative(double x);

    /// <summary>g'(x) as a CUDA C expression in <c>float x, alpha, beta</c> for the fused device kernels, or null (then a
    /// neuron on CUDA runs unfused with this surrogate). The built-in surrogates have native device kernels.</summary>
    public virtual string? CudaDerivative => null;

    /// <summary>dst[i] = g'(x[i]) in float32 (the fused neuron kernels call this on rows of neurons).</summary>
    public virtual void Derivative(ReadOnlySpan<float> x, Span<float> dst)
    {
        for (int i = 0; i < x.Length; i++) dst[i] = (float)Derivative(x[i]);
    }

    /// <summary>dst[i] = g'(h[i] − threshold[i]) in float32: the fused neuron backward's surrogate row. Overrides fuse
    /// the subtraction into their own pass.</summary>
    public virtual void DerivativeAt(ReadOnlySpan<float> h, ReadOnlySpan<float> threshold, Span<float> dst)
    {
        Span<float> x = dst.Length <= 4096 ? stackalloc float[dst.Length] : new float[dst.Length];
        TensorPrimitives.Subtract(h, threshold, x);
        Derivative(x, dst);
    }

    /// <summary>Whether <see cref="ResetBackwardOnePass"/> is available: the fused neuron's backward step then runs in
    /// one pass (<see cref="OnePassRows"/>).</summary>
    internal virtual bool HasOnePassBackward => false;

    /// <summary>
    /// <see cref="NeuronRows.ResetBackward"/> of a linear neuron kernel with this surrogate's g'(h − th) computed in the
    /// same pass: gx = r·toX and gv = r·toV in place. gS may be null (no spike gradient). With stream, gx takes
    /// streaming stores and hPrev and gSPrev, the previous step's rows, are prefetched.
    /// </summary>
    internal virtual unsafe void ResetBackwardOnePass(float* h, float* hPrev, Threshold th, float* gS, float* gSPrev, float* gv, ResetRule rule,
        float* gx, float toX, float toV, int n, bool stream) =>
        throw new NotSupportedException($"{GetType().Name} has no one-pass backward");

    /// <summary>dst[i] = g'(x[i]) in float64.</summary>
    public virtual void Derivative(ReadOnlySpan<double> x, Span<double> dst)
    {
        for (int i = 0; i < x.Length; i++) dst[i] = Derivative(x[i]);
    }

    protected override Tensor OnForward(Tensor x) => Spiking ? Fire(x) : Primitive(x);

    /// <summary>s = Θ(x) in x's dtype; ∂s/∂x is replaced by g'(x). Shapes: any.</summary>
    public Tensor Fire(Tensor x)
    {
        if (!x.DType.IsFloating()) throw new ArgumentException($"{GetType().Name}: spikes need a floating input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
        var s = Heaviside(x);
        return Graph.Record(s, GetType().Name + "Backward", [x], g => [g * DerivativeOf(x)]);
    }

    /// <summary>Θ(x) = (x ≥ 0) as x's dtype, with no gradient.</summary>
    public static Tensor Heaviside(Tensor x) => Raw.ToDType(Raw.Binary(BinaryOp.Ge, x, Raw.ScalarFor(0, x)), x.DType);

    /// <summary>g'(x) elementwise as a tensor of x's shape and dtype (no gradient).</summary>
    public Tensor DerivativeOf(Tensor x)
    {
        // Float16 is computed in float and rounded back, like every other CPU op on half.
        var cpu = Raw.Contiguous(Raw.ToCpu(x.DType == DType.Float16 ? Raw.ToDType(x, DType.Float32) : x));
        var d = Raw.EmptyLike(cpu);
        if (cpu.DType == DType.Float32) Derivative(cpu.AsSpan<float>(), d.AsSpan<float>());
        else if (cpu.DType == DType.Float64) Derivative(cpu.AsSpan<double>(), d.AsSpan<double>());
        else throw new ArgumentException($"{GetType().Name}: derivative needs Float16, Float32 or Float64, got {x.DType}");
        return Raw.ToDevice(Raw.ToDType(d, x.DType), x.Device);
    }

    protected static Tensor Where(Tensor cond, Tensor a, Tensor b) => Tensor.Where(cond, a, b);

    /// <summary>A 0/1 mask of cond in x's dtype (no gradient).</summary>
    protected static Tensor Mask(Tensor cond, Tensor like) => Raw.ToDType(cond, like.DType);
}

/// <summary>A surrogate from two delegates: the primitive g (tensor ops) and its derivative g'; optionally g' also as a
/// CUDA C expression in <c>x</c> (e.g. <c>"1.0f / (1.0f + x * x)"</c>) so neurons on CUDA stay fused.</summary>
public sealed class CustomSurrogate(Func<Tensor, Tensor> primitive, Func<double, double> derivative, string name = "Custom", string? cudaDerivative = null) : Surrogate
{
    public override Tensor Primitive(Tensor x) => primitive(x);
    public override double Derivative(double x) => derivative(x);
    public override string? CudaDerivative => cudaDerivative;
    protected override string ExtraRepr() => name;
}
