using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Nn;

/// <summary>g(x) = sigmoid(αx); g'(x) = α·sigmoid(αx)·(1 − sigmoid(αx)). Default α = 4.</summary>
public sealed class Sigmoid(double alpha = 4.0) : Surrogate
{
    public double Alpha { get; } = alpha;
    public override Tensor Primitive(Tensor x) => (x * Alpha).Sigmoid();
    public override double Derivative(double x) { double s = 1 / (1 + Math.Exp(-Alpha * x)); return Alpha * s * (1 - s); }

    public override void Derivative(ReadOnlySpan<float> x, Span<float> dst)
    {
        if (x.IsEmpty) return;   // TensorPrimitives.Sigmoid rejects empty spans
        float a = (float)Alpha;
        TensorPrimitives.Multiply(x, a, dst);
        TensorPrimitives.Sigmoid(dst, dst);
        // (1 − s)·s·α
        ref float dr = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= dst.Length - 16; i += 16)
            {
                var s = Vector512.LoadUnsafe(ref dr, (nuint)i);
                ((Vector512<float>.One - s) * s * a).StoreUnsafe(ref dr, (nuint)i);
            }
        for (; i < dst.Length; i++) { float s = dst[i]; dst[i] = (1f - s) * s * a; }
    }

    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>g(x) = atan(π/2·αx)/π + 1/2; g'(x) = (α/2) / (1 + (π/2·αx)²). Default α = 2.</summary>
public sealed class ATan(double alpha = 2.0) : Surrogate
{
    public double Alpha { get; } = alpha;
    public override Tensor Primitive(Tensor x) => (x * (Math.PI / 2 * Alpha)).Atan() / Math.PI + 0.5;
    public override double Derivative(double x) { double u = Math.PI / 2 * Alpha * x; return Alpha / 2 / (1 + u * u); }

    public override void Derivative(ReadOnlySpan<float> x, Span<float> dst) => Rows(x, default, dst);

    public override void DerivativeAt(ReadOnlySpan<float> h, ReadOnlySpan<float> threshold, Span<float> dst) =>
        Rows(h, threshold, dst);

    internal override bool HasOnePassBackward => true;

    internal override unsafe void ResetBackwardOnePass(float* h, float* hPrev, Threshold th, float* gS, float* gSPrev, float* gv, ResetRule rule,
        float* gx, float toX, float toV, int n, bool stream) =>
        OnePassRows.ResetBackward(Slope, h, hPrev, th, gS, gSPrev, gv, rule, gx, toX, toV, n, stream);

    /// <summary>g'(u) in float32, as one vector expression.</summary>
    ATanSlope Slope => new((float)(Math.PI / 2 * Alpha), (float)(Alpha / 2));

    /// <summary>dst = (α/2) / ((c·(h − th))² + 1) with c = π/2·α, in one pass (th empty: 0). The float operations and
    /// their order are those of the four-pass form, so the result is the same to the bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Rows(ReadOnlySpan<float> h, ReadOnlySpan<float> th, Span<float> dst)
    {
        var slope = Slope;
        bool shifted = !th.IsEmpty;
        ref float hr = ref MemoryMarshal.GetReference(h), tr = ref MemoryMarshal.GetReference(th), dr = ref MemoryMarshal.GetReference(dst);
        int i = 0, n = dst.Length;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
            {
                var u = Vector512.LoadUnsafe(ref hr, (nuint)i);
                if (shifted) u -= Vector512.LoadUnsafe(ref tr, (nuint)i);
                slope.At(u).StoreUnsafe(ref dr, (nuint)i);
            }
        else if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
            {
                var u = Vector256.LoadUnsafe(ref hr, (nuint)i);
                if (shifted) u -= Vector256.LoadUnsafe(ref tr, (nuint)i);
                slope.At(u).StoreUnsafe(ref dr, (nuint)i);
            }
        for (; i < n; i++) dst[i] = slope.At(shifted ? h[i] - th[i] : h[i]);
    }

    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>g(x) = erfc(−αx)/2; g'(x) = α/√π·exp(−(αx)²). Default α = 2.</summary>
public sealed class Erf(double alpha = 2.0) : Surrogate
{
    public double Alpha { get; } = alpha;
    public override Tensor Primitive(Tensor x) => (x * -Alpha).Erfc() / 2;
    public override double Derivative(double x) => Math.Exp(-(Alpha * x) * (Alpha * x)) * (Alpha / Math.Sqrt(Math.PI));
    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>g(x) = (softsign(αx) + 1)/2 with softsign(u) = u/(1 + |u|); g'(x) = 1 / (2α(1/α + |x|)²). Default α = 2.</summary>
public sealed class SoftSign(double alpha = 2.0) : Surrogate
{
    public double Alpha { get; } = alpha;
    public override Tensor Primitive(Tensor x) { var u = x * Alpha; return (u / (u.Abs() + 1) + 1) / 2; }
    public override double Derivative(double x) { double d = 1 / Alpha + Math.Abs(x); return 1 / (2 * Alpha * d * d); }
    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>g(x) = 0 for x &lt; −1/α, 1 for x &gt; 1/α, else −α²/2·x²·sign(x) + αx + 1/2;
/// g'(x) = α − α²|x| for |x| ≤ 1/α, else 0. Default α = 1.</summary>
public sealed class PiecewiseQuadratic(double alpha = 1.0) : Surrogate
{
    public double Alpha { get; } = alpha;

    public override Tensor Primitive(Tensor x)
    {
        var mask0 = Mask(x.Gt(1 / Alpha), x);
        var mask1 = Mask(x.Abs().Le(1 / Alpha), x);
        return mask0 + mask1 * (x * x * x.Sign() * (-(Alpha * Alpha) / 2) + x * Alpha + 0.5);
    }

    public override double Derivative(double x) => Math.Abs(x) > 1 / Alpha ? 0 : Alpha - Alpha * Alpha * Math.Abs(x);
    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>g(x) = Θ(x) − s·exp(−sαx)/2 with s = 2Θ(x) − 1; g'(x) = α/2·exp(−α|x|). Default α = 1.</summary>
public sealed class PiecewiseExp(double alpha = 1.0) : Surrogate
{
    public double Alpha { get; } = alpha;

    public override Tensor Primitive(Tensor x)
    {
        var h = Heaviside(x);
        var s = h * 2 - 1;
        return h - (s * x * -Alpha).Exp() / 2 * s;
    }

    public override double Derivative(double x) => Alpha / 2 * Math.Exp(-Alpha * Math.Abs(x));
    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>g(x) = s·ln(α·s·x + 1) with s = 2Θ(x) − 1 (not a probability: unbounded); g'(x) = 1/(1/α + |x|). Default α = 1.</summary>
public sealed class NonzeroSignLogAbs(double alpha = 1.0) : Surrogate
{
    public double Alpha { get; } = alpha;

    public override Tensor Primitive(Tensor x)
    {
        var s = Heaviside(x) * 2 - 1;
        return s * (s * x * Alpha + 1).Log();
    }

    public override double Derivative(double x) => 1 / (1 / Alpha + Math.Abs(x));
    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}

/// <summary>
/// g(x) = c·x + c·w for x &lt; −w; c·x + (1 − c·w) for x &gt; w; else x/(2w) + 1/2 (with c = 0: 0, 1 and x/(2w) + 1/2).
/// g'(x) = 1/w for |x| &lt; w, else c. The derivative's slope 1/w is twice the primitive's 1/(2w) inside the window:
/// this is SpikingJelly's behaviour, kept so trained networks match (see docs/compat.md). Defaults w = 1, c = 0.01.
/// </summary>
public sealed class PiecewiseLeakyReLU(double w = 1.0, double c = 0.01) : Surrogate
{
    public double W { get; } = w;
    public double C { get; } = c;

    public override Tensor Primitive(Tensor x)
    {
        var mask0 = Mask(x.Lt(-W), x);
        var mask1 = Mask(x.Gt(W), x);
        var mask2 = 1 - mask0 - mask1;
        var mid = mask2 * (x / (2 * W) + 0.5);
        if (C == 0) return mid + mask1;
        double cw = C * W;
        return mask0 * (x * C + cw) + mask1 * (x * C + (1 - cw)) + mid;
    }

    public override double Derivative(double x) => Math.Abs(x) < W ? 1 / W : C;
    protected override string ExtraRepr() => $"w={W}, c={C}, spiking={Spiking}";
}

/// <summary>g(x) = 1/2 + 2/π·Σ_{i=1}^{n−1} sin((2i−1)ωx)/(2i−1), ω = 2π/T;
/// g'(x) = 4/T·Σ_{i=1}^{n−1} cos((2i−1)ωx). Defaults n = 2, T = 8.</summary>
public sealed class SquarewaveFourierSeries(int n = 2, double tPeriod = 8.0) : Surrogate
{
    public int N { get; } = n;
    public double TPeriod { get; } = tPeriod;

    public override Tensor Primitive(Tensor x)
    {
        double w = Math.PI * 2 / TPeriod;
        var ret = Tensor.ZerosLike(x);
        for (int i = 1; i < N; i++)
        {
            double c = 2 * i - 1.0;
            ret = ret + (x * (c * w)).Sin() / c;
        }
        return ret * (2 / Math.PI) + 0.5;
    }

    public override double Derivative(double x)
    {
        double w = Math.PI * 2 / TPeriod, sum = 0;
        for (int i = 1; i < N; i++) sum += Math.Cos((2 * i - 1.0) * w * x);
        return sum * (4 / TPeriod);
    }

    protected override string ExtraRepr() => $"n={N}, T_period={TPeriod}, spiking={Spiking}";
}

/// <summary>S2NN: g(x) = sigmoid(αx) for x &lt; 0, else β·ln(|x + 1| + 1e-5) + 1/2;
/// g'(x) = α·σ(αx)(1 − σ(αx)) for x &lt; 0, else β/(x + 1). Defaults α = 4, β = 1.</summary>
public sealed class S2NN(double alpha = 4.0, double beta = 1.0) : Surrogate
{
    public double Alpha { get; } = alpha;
    public double Beta { get; } = beta;

    public override Tensor Primitive(Tensor x) =>
        Where(x.Lt(0), (x * Alpha).Sigmoid(), ((x + 1).Abs() + 1e-5).Log() * Beta + 0.5);

    public override double Derivative(double x)
    {
        if (x >= 0) return Beta / (x + 1);
        double s = 1 / (1 + Math.Exp(-Alpha * x));
        return Alpha * s * (1 - s);
    }

    protected override string ExtraRepr() => $"alpha={Alpha}, beta={Beta}, spiking={Spiking}";
}

/// <summary>q-PseudoSpike: g(x) = Θ(x) − s·(1/2)·(1 + 2/(α−1)·s·x)^(1−α) with s = 2Θ(x) − 1;
/// g'(x) = (1 + 2/(α−1)·|x|)^(−α). Default α = 2.</summary>
public sealed class QPseudoSpike(double alpha = 2.0) : Surrogate
{
    public double Alpha { get; } = alpha;

    public override Tensor Primitive(Tensor x)
    {
        var h = Heaviside(x);
        var s = h * 2 - 1;
        return h - s * ((x * (2 / (Alpha - 1)) * s + 1).Pow(1 - Alpha) * 0.5);
    }

    public override double Derivative(double x) => Math.Pow(1 + 2 / (Alpha - 1) * Math.Abs(x), -Alpha);
    protected override string ExtraRepr() => $"alpha={Alpha}, spiking={Spiking}";
}
