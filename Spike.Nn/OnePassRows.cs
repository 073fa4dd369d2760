using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Nn;

/// <summary>A neuron's charge h = f(v, x) as one vector expression, so a whole step can run in one pass.</summary>
internal interface IVectorCharge
{
    Vector512<float> Charge(Vector512<float> v, Vector512<float> x);
    float Charge(float v, float x);
}

/// <summary>IF: h = v + x.</summary>
internal readonly struct IfCharge : IVectorCharge
{
    public Vector512<float> Charge(Vector512<float> v, Vector512<float> x) => v + x;
    public float Charge(float v, float x) => v + x;
}

/// <summary>LIF with decay_input and a zero reset potential: h = v + (x − v)/c (or ·c), the operations of
/// <see cref="LifKernel"/>'s own row.</summary>
internal readonly struct DecayInputCharge(float c, bool divide) : IVectorCharge
{
    public Vector512<float> Charge(Vector512<float> v, Vector512<float> x)
    {
        var d = x - v;
        return v + (divide ? d / Vector512.Create(c) : d * Vector512.Create(c));
    }

    public float Charge(float v, float x) => v + (divide ? (x - v) / c : (x - v) * c);
}

/// <summary>A surrogate derivative g'(u) as one vector expression.</summary>
internal interface IVectorSlope
{
    Vector512<float> At(Vector512<float> u);
    float At(float u);
}

/// <summary>ATan: g'(u) = (α/2) / ((c·u)² + 1) with c = π/2·α, in float32; <see cref="ATan"/>'s rows use it too.</summary>
internal readonly struct ATanSlope(float c, float halfAlpha) : IVectorSlope
{
    public Vector512<float> At(Vector512<float> u)
    {
        u *= c;
        return Vector512.Create(halfAlpha) / (u * u + Vector512<float>.One);
    }

    /// <summary>The same on 8 lanes, for machines without AVX-512.</summary>
    public Vector256<float> At(Vector256<float> u)
    {
        u *= c;
        return Vector256.Create(halfAlpha) / (u * u + Vector256<float>.One);
    }

    public float At(float u)
    {
        u *= c;
        return halfAlpha / (u * u + 1f);
    }
}

/// <summary>Vth over a row of neurons: one value for all (kept in a register) or a row of per-neuron values.</summary>
internal readonly unsafe struct Threshold
{
    readonly float* _row;
    readonly float _value;

    Threshold(float* row, float value)
    {
        _row = row;
        _value = value;
    }

    public static Threshold Scalar(float value) => new(null, value);

    /// <summary>Per-neuron values, row[i] for neuron i of the row (the row must stay pinned while in use).</summary>
    public static Threshold PerNeuron(float* row) => new(row, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Vector(int i) => _row == null ? Vector512.Create(_value) : Vector512.Load(_row + i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float At(int i) => _row == null ? _value : _row[i];
}

/// <summary>
/// Whole neuron steps over a row in one pass: each vector of x is charged, fired and reset in registers and its H and
/// S go straight to memory, with streaming stores when the outputs are larger than the caches. Against a pass per
/// stage over L1 rows, the loads then overlap the stores all through the step instead of stalling one stage in four
/// (LIF T = 32, N = 10⁶: see docs/performance.md). Results are bit-equal to the staged rows.
/// </summary>
internal static unsafe class OnePassRows
{
    /// <summary>Whether this machine runs the one-pass steps: they are written for AVX-512 (other machines take the
    /// staged rows, whose library loops use the widest vectors there are).</summary>
    public static bool Supported => Avx512F.IsSupported;

    /// <summary>
    /// h = charge(v, x); s = Θ(h − th); v = hard ? (s ? Vr : h) : h − s·th, as <see cref="NeuronRows.FireReset"/>.
    /// v is updated in place. With stream, h and s take streaming stores wherever they are aligned alike (else plain
    /// ones) and the next step's x row (xNext, or x itself) is prefetched a line per vector, spread over the pass
    /// rather than in a burst.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ChargeFireReset<TC>(TC charge, float* v, float* x, float* xNext, Threshold th, ResetRule rule, float* h, float* s, int n,
        bool stream)
        where TC : struct, IVectorCharge
    {
        int i = 0;
        // Streaming stores need 64-byte alignment: a plain head brings h there, and s must then be there too.
        bool streams = stream && Supported && (((nint)s - (nint)h) & 63) == 0 && ((nint)h & 3) == 0;
        if (streams)
        {
            int head = Math.Min(n, (int)(((64 - ((nint)h & 63)) & 63) >> 2));
            for (; i < head; i++) Scalar(charge, v, x, th, rule, h, s, i);
            for (; i <= n - 16; i += 16)
            {
                Sse.Prefetch0(xNext + i);
                Vector(charge, v, x, th, rule, h, s, i, stream: true);
            }
        }
        else if (Supported)
            for (; i <= n - 16; i += 16) Vector(charge, v, x, th, rule, h, s, i, stream: false);
        for (; i < n; i++) Scalar(charge, v, x, th, rule, h, s, i);
    }

    /// <summary>
    /// The backward of a step whose charge is linear (∂h/∂x = toX, ∂h/∂v = toV), as <see cref="NeuronRows.ResetBackward"/>
    /// with sg = slope(h − th) made in the same pass: r = ∂L/∂H; gx = r·toX; gv = r·toV in place. gS may be null. With
    /// stream, gx takes streaming stores where it is aligned and the rows of the step before (hPrev, gSPrev) are
    /// prefetched as in the forward.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ResetBackward<TS>(TS slope, float* h, float* hPrev, Threshold th, float* gS, float* gSPrev, float* gv, ResetRule rule,
        float* gx, float toX, float toV, int n, bool stream)
        where TS : struct, IVectorSlope
    {
        int i = 0;
        bool streams = stream && Supported && ((nint)gx & 3) == 0;
        if (streams)
        {
            int head = Math.Min(n, (int)(((64 - ((nint)gx & 63)) & 63) >> 2));
            for (; i < head; i++) ScalarBackward(slope, h, th, gS, gv, rule, gx, toX, toV, i);
            for (; i <= n - 16; i += 16)
            {
                Sse.Prefetch0(hPrev + i);
                if (gS != null) Sse.Prefetch0(gSPrev + i);
                VectorBackward(slope, h, th, gS, gv, rule, gx, toX, toV, i, stream: true);
            }
        }
        else if (Supported)
            for (; i <= n - 16; i += 16) VectorBackward(slope, h, th, gS, gv, rule, gx, toX, toV, i, stream: false);
        for (; i < n; i++) ScalarBackward(slope, h, th, gS, gv, rule, gx, toX, toV, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void VectorBackward<TS>(TS slope, float* h, Threshold th, float* gS, float* gv, ResetRule rule, float* gx, float toX, float toV, int i, bool stream)
        where TS : struct, IVectorSlope
    {
        var hv = Vector512.Load(h + i);
        var tv = th.Vector(i);
        var gs = gS != null ? Vector512.Load(gS + i) : Vector512<float>.Zero;
        var r = NeuronRows.HGrad(hv, tv, gs, Vector512.Load(gv + i), slope.At(hv - tv), rule);
        if (stream) Avx512F.StoreAlignedNonTemporal(gx + i, r * toX);
        else (r * toX).Store(gx + i);
        (r * toV).Store(gv + i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void ScalarBackward<TS>(TS slope, float* h, Threshold th, float* gS, float* gv, ResetRule rule, float* gx, float toX, float toV, int i)
        where TS : struct, IVectorSlope
    {
        float ti = th.At(i);
        float r = NeuronRows.HGrad(h[i], ti, gS != null ? gS[i] : 0f, gv[i], slope.At(h[i] - ti), rule);
        gx[i] = r * toX;
        gv[i] = r * toV;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Vector<TC>(TC charge, float* v, float* x, Threshold th, ResetRule rule, float* h, float* s, int i, bool stream)
        where TC : struct, IVectorCharge
    {
        var hv = charge.Charge(Vector512.Load(v + i), Vector512.Load(x + i));
        var (sv, nv) = NeuronRows.Fire(hv, th.Vector(i), rule);
        nv.Store(v + i);
        if (stream)
        {
            Avx512F.StoreAlignedNonTemporal(h + i, hv);
            Avx512F.StoreAlignedNonTemporal(s + i, sv);
        }
        else
        {
            hv.Store(h + i);
            sv.Store(s + i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Scalar<TC>(TC charge, float* v, float* x, Threshold th, ResetRule rule, float* h, float* s, int i)
        where TC : struct, IVectorCharge
    {
        float hi = charge.Charge(v[i], x[i]);
        h[i] = hi;
        (s[i], v[i]) = NeuronRows.Fire(hi, th.At(i), rule);
    }
}
