using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Nn;

/// <summary>
/// The charge step of a neuron over a row of neurons, for the fused multi-step path (Float32, CPU).
/// Forward: h = f(v, x). Backward: given v (the potential before this step), h and gh = ∂L/∂h,
/// writes gx = gh·∂f/∂x and gv = gh·∂f/∂v, and returns Σ gh·∂f/∂θ for the neuron's scalar parameter θ (0 if none).
/// Rows are contiguous spans of equal length; implementations use SIMD (TensorPrimitives) where the math allows.
/// </summary>
internal abstract class NeuronKernel
{
    /// <summary>Whether <see cref="Backward"/> reads v; when false the fused path skips recomputing V[t−1].</summary>
    public virtual bool NeedsVPrev => true;

    public abstract void Forward(ReadOnlySpan<float> v, ReadOnlySpan<float> x, Span<float> h);

    public abstract double Backward(ReadOnlySpan<float> v, ReadOnlySpan<float> h, ReadOnlySpan<float> gh, Span<float> gx, Span<float> gv);

    /// <summary>(∂h/∂x, ∂h/∂v) when both are constants and there is no parameter gradient: then <see cref="Backward"/>
    /// is gx = gh·ToX, gv = gh·ToV, and the fused path folds it into the reset backward's pass. Null otherwise.</summary>
    public virtual (float ToX, float ToV)? LinearBackward => null;

    /// <summary>Whether <see cref="ChargeFireReset"/> runs this kernel's step in one pass (<see cref="OnePassRows"/>).</summary>
    public virtual bool HasOnePassStep => false;

    /// <summary>One whole step of a row in one pass (only when <see cref="HasOnePassStep"/>): charge, fire and reset;
    /// with stream, h and s written with streaming stores and the next step's x row (xNext) prefetched.</summary>
    public virtual unsafe void ChargeFireReset(float* v, float* x, float* xNext, Threshold th, ResetRule rule, float* h, float* s, int n,
        bool stream) =>
        throw new NotSupportedException($"{GetType().Name} has no one-pass step");
}

/// <summary>IF: h = v + x.</summary>
internal sealed class IfKernel : NeuronKernel
{
    public override bool NeedsVPrev => false;

    public override (float ToX, float ToV)? LinearBackward => (1f, 1f);

    public override void Forward(ReadOnlySpan<float> v, ReadOnlySpan<float> x, Span<float> h) => TensorPrimitives.Add(v, x, h);

    public override bool HasOnePassStep => true;

    public override unsafe void ChargeFireReset(float* v, float* x, float* xNext, Threshold th, ResetRule rule, float* h, float* s, int n,
        bool stream) =>
        OnePassRows.ChargeFireReset(new IfCharge(), v, x, xNext, th, rule, h, s, n, stream);

    public override double Backward(ReadOnlySpan<float> v, ReadOnlySpan<float> h, ReadOnlySpan<float> gh, Span<float> gx, Span<float> gv)
    {
        gh.CopyTo(gx);
        gh.CopyTo(gv);
        return 0;
    }
}

/// <summary>
/// LIF and PLIF with decay factor k (k = 1/τ for LIF, applied as a division by τ to match SpikingJelly's float32 rounding;
/// k = sigmoid(w) for PLIF, applied as a multiplication). With r = Vr (0 for soft reset):
/// decay_input: h = v + (x − (v − r))·k; else h = v − (v − r)·k + x (r = 0: h = v·(1 − k) + x).
/// ∂h/∂v = 1 − k; ∂h/∂x = k (decay_input) or 1; ∂h/∂k = (h − v)/k (decay_input) or −(v − r).
/// </summary>
internal sealed class LifKernel(bool decayInput, float vResetCharge, float tau, float k, bool divideByTau, bool paramGrad) : NeuronKernel
{
    readonly float _oneMinusK = divideByTau ? (float)(1.0 - 1.0 / tau) : 1f - k;

    float Scale(float u) => divideByTau ? u / tau : u * k;

    public override bool NeedsVPrev => paramGrad;

    /// <summary>The decay factor as the backward uses it: 1/τ or k.</summary>
    float BackwardK => divideByTau ? 1f / tau : k;

    /// <summary>∂h/∂x = k (decay_input) or 1, ∂h/∂v = 1 − k.</summary>
    (float ToX, float ToV) Slopes => (decayInput ? BackwardK : 1f, 1f - BackwardK);

    public override (float ToX, float ToV)? LinearBackward => paramGrad ? null : Slopes;

    /// <summary>The charge <see cref="Forward"/> computes in one pass (decay_input, zero reset potential).</summary>
    public override bool HasOnePassStep => decayInput && vResetCharge == 0f;

    public override unsafe void ChargeFireReset(float* v, float* x, float* xNext, Threshold th, ResetRule rule, float* h, float* s, int n,
        bool stream) =>
        OnePassRows.ChargeFireReset(new DecayInputCharge(divideByTau ? tau : k, divideByTau), v, x, xNext, th, rule, h, s, n, stream);

    public override void Forward(ReadOnlySpan<float> v, ReadOnlySpan<float> x, Span<float> h)
    {
        bool zero = vResetCharge == 0f;
        if (decayInput && zero)
        {
            // h = v + (x − v)/τ (or + (x − v)·k) in one pass: the same operations as the three-pass form below.
            ChargeDecayInput(v, x, h, divideByTau ? tau : k, divideByTau);
            return;
        }
        if (decayInput)
        {
            if (zero) TensorPrimitives.Subtract(x, v, h);          // x − v
            else
            {
                TensorPrimitives.Subtract(v, vResetCharge, h);     // v − r
                TensorPrimitives.Subtract(x, h, h);                // x − (v − r)
            }
            if (divideByTau) TensorPrimitives.Divide(h, tau, h); else TensorPrimitives.Multiply(h, k, h);
            TensorPrimitives.Add(v, h, h);
        }
        else if (zero && divideByTau)
        {
            TensorPrimitives.Multiply(v, _oneMinusK, h);          // v·(1 − 1/τ) + x
            TensorPrimitives.Add(h, x, h);
        }
        else if (zero)
        {
            TensorPrimitives.Multiply(v, _oneMinusK, h);          // PLIF: v·(1 − k) + x
            TensorPrimitives.Add(h, x, h);
        }
        else
        {
            for (int i = 0; i < h.Length; i++) h[i] = v[i] - Scale(v[i] - vResetCharge) + x[i];
        }
    }

    /// <summary>a = g·ca and b = g·cb in one pass (cb = 1 copies g).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ScaleTwice(ReadOnlySpan<float> g, float ca, Span<float> a, float cb, Span<float> b)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float gr = ref MemoryMarshal.GetReference(g), ar = ref MemoryMarshal.GetReference(a), br = ref MemoryMarshal.GetReference(b);
            var (va, vb) = (Vector512.Create(ca), Vector512.Create(cb));
            for (; i <= g.Length - 16; i += 16)
            {
                var gv = Vector512.LoadUnsafe(ref gr, (nuint)i);
                (gv * va).StoreUnsafe(ref ar, (nuint)i);
                (gv * vb).StoreUnsafe(ref br, (nuint)i);
            }
        }
        for (; i < g.Length; i++) (a[i], b[i]) = (g[i] * ca, g[i] * cb);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ChargeDecayInput(ReadOnlySpan<float> v, ReadOnlySpan<float> x, Span<float> h, float c, bool divide)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float vr = ref MemoryMarshal.GetReference(v), xr = ref MemoryMarshal.GetReference(x), hr = ref MemoryMarshal.GetReference(h);
            var cv = Vector512.Create(c);
            for (; i <= h.Length - 16; i += 16)
            {
                var vv = Vector512.LoadUnsafe(ref vr, (nuint)i);
                var d = Vector512.LoadUnsafe(ref xr, (nuint)i) - vv;
                (vv + (divide ? d / cv : d * cv)).StoreUnsafe(ref hr, (nuint)i);
            }
        }
        for (; i < h.Length; i++) h[i] = v[i] + (divide ? (x[i] - v[i]) / c : (x[i] - v[i]) * c);
    }

    public override double Backward(ReadOnlySpan<float> v, ReadOnlySpan<float> h, ReadOnlySpan<float> gh, Span<float> gx, Span<float> gv)
    {
        var (toX, toV) = Slopes;
        ScaleTwice(gh, toV, gv, toX, gx);
        return paramGrad ? ParamGrad(v, h, gh, BackwardK) : 0;
    }

    /// <summary>Σ gh·∂h/∂k in float64: ∂h/∂k = (h − v)/k (decay_input, in float32 as the forward rounded it) or −(v − r).</summary>
    double ParamGrad(ReadOnlySpan<float> v, ReadOnlySpan<float> h, ReadOnlySpan<float> gh, float kk)
    {
        int i = 0, n = gh.Length;
        var acc = Vector256<double>.Zero;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float vr = ref MemoryMarshal.GetReference(v);
            ref float hr = ref MemoryMarshal.GetReference(h);
            ref float gr = ref MemoryMarshal.GetReference(gh);
            var kv = Vector256.Create(kk);
            var rv = Vector256.Create(vResetCharge);
            for (; i <= n - 8; i += 8)
            {
                var vv = Vector256.LoadUnsafe(ref vr, (nuint)i);
                var d = decayInput ? (Vector256.LoadUnsafe(ref hr, (nuint)i) - vv) / kv : rv - vv;
                var (dLo, dHi) = Vector256.Widen(d);
                var (gLo, gHi) = Vector256.Widen(Vector256.LoadUnsafe(ref gr, (nuint)i));
                acc += gLo * dLo + gHi * dHi;
            }
        }
        double sum = Vector256.Sum(acc);
        for (; i < n; i++) sum += gh[i] * (double)(decayInput ? (h[i] - v[i]) / kk : -(v[i] - vResetCharge));
        return sum;
    }
}

/// <summary>QIF: h = v + (x + a0·(v − v_rest)·(v − v_c))/τ; ∂h/∂v = 1 + a0·(2v − v_rest − v_c)/τ; ∂h/∂x = 1/τ.</summary>
internal sealed class QifKernel(float tau, float vC, float a0, float vRest) : NeuronKernel
{
    public override void Forward(ReadOnlySpan<float> v, ReadOnlySpan<float> x, Span<float> h)
    {
        for (int i = 0; i < h.Length; i++) h[i] = v[i] + (x[i] + a0 * (v[i] - vRest) * (v[i] - vC)) / tau;
    }

    public override double Backward(ReadOnlySpan<float> v, ReadOnlySpan<float> h, ReadOnlySpan<float> gh, Span<float> gx, Span<float> gv)
    {
        for (int i = 0; i < gh.Length; i++)
        {
            gx[i] = gh[i] / tau;
            gv[i] = gh[i] * (1f + a0 * (2f * v[i] - vRest - vC) / tau);
        }
        return 0;
    }
}

/// <summary>EIF: h = v + (x + v_rest − v + ΔT·exp((v − θ_rh)/ΔT))/τ; ∂h/∂v = 1 + (exp((v − θ_rh)/ΔT) − 1)/τ; ∂h/∂x = 1/τ.</summary>
internal sealed class EifKernel(float tau, float deltaT, float thetaRh, float vRest) : NeuronKernel
{
    public override void Forward(ReadOnlySpan<float> v, ReadOnlySpan<float> x, Span<float> h)
    {
        for (int i = 0; i < h.Length; i++) h[i] = v[i] + (x[i] + vRest - v[i] + deltaT * MathF.Exp((v[i] - thetaRh) / deltaT)) / tau;
    }

    public override double Backward(ReadOnlySpan<float> v, ReadOnlySpan<float> h, ReadOnlySpan<float> gh, Span<float> gx, Span<float> gv)
    {
        for (int i = 0; i < gh.Length; i++)
        {
            gx[i] = gh[i] / tau;
            gv[i] = gh[i] * (1f + (MathF.Exp((v[i] - thetaRh) / deltaT) - 1f) / tau);
        }
        return 0;
    }
}
