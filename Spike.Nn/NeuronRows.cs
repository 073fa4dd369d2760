using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Nn;

/// <summary>Hard (V = Vr after a spike) or soft (V = H − Vth) reset; <see cref="Detach"/> cuts S out of the reset path.</summary>
internal readonly record struct ResetRule(bool Hard, float VReset, bool Detach);

/// <summary>A per-neuron value of the fused path that is usually one scalar (V_init after a reset, Vth): a row is
/// kept only when the value really differs per neuron.</summary>
internal readonly struct NeuronRow
{
    readonly float[]? _row;
    readonly int _offset;
    readonly float _value;

    NeuronRow(float[]? row, int offset, float value) => (_row, _offset, _value) = (row, offset, value);

    public static NeuronRow Scalar(float value) => new(null, 0, value);

    /// <summary>t broadcast to the neuron shape: a scalar when t has one element; t's own storage when it is a
    /// contiguous Float32 CPU tensor of that shape (the V a single-step node carries from the previous step); else a
    /// contiguous copy.</summary>
    public static NeuronRow Of(Tensor t, int[] neuronShape, string? what = null)
    {
        if (t.Numel == 1) return Scalar((float)Raw.ToDType(t, DType.Float32).Item());
        if (what is not null) Layout.Broadcast(t.Layout.Shape, neuronShape, what);
        if (t.Device == Device.Cpu && t.DType == DType.Float32 && t.IsContiguous && t.Shape.SequenceEqual(neuronShape))
            return new(((CpuStorage)t.Storage).As<float>(), t.Layout.Offset, 0);
        return new(Raw.Contiguous(Raw.Expand(t, neuronShape)).ToArray<float>(), 0, 0);
    }

    /// <summary>The value of every neuron when it is one scalar; null when the values differ per neuron.</summary>
    public float? ScalarValue => _row is null ? _value : null;

    /// <summary>dst = the values of neurons [start, start + dst.Length).</summary>
    public void CopyTo(int start, Span<float> dst)
    {
        if (_row is null) dst.Fill(_value);
        else _row.AsSpan(_offset + start, dst.Length).CopyTo(dst);
    }

    /// <summary>The values of neurons [start, start + scratch.Length): the row itself, or scratch filled with the scalar.</summary>
    public ReadOnlySpan<float> Row(int start, Span<float> scratch)
    {
        if (_row is not null) return _row.AsSpan(_offset + start, scratch.Length);
        scratch.Fill(_value);
        return scratch;
    }
}

/// <summary>The fire/reset rows of the fused neuron path, forward and backward side by side (Vector512, then Vector256,
/// then a scalar tail).</summary>
internal static class NeuronRows
{
    /// <summary>s = Θ(h − vth); v = hard ? (s ? vr : h) : h − s·vth. Exactly SpikingJelly's float32 result, since s ∈ {0, 1}.
    /// h and v may be the same row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FireReset(ReadOnlySpan<float> h, ReadOnlySpan<float> th, Span<float> s, Span<float> v, ResetRule rule)
    {
        int i = 0, n = h.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float hr = ref MemoryMarshal.GetReference(h);
            ref float tr = ref MemoryMarshal.GetReference(th);
            ref float sr = ref MemoryMarshal.GetReference(s);
            ref float vref = ref MemoryMarshal.GetReference(v);
            if (Vector512.IsHardwareAccelerated)
                for (; i <= n - 16; i += 16)
                {
                    var (sv, nv) = Fire(Vector512.LoadUnsafe(ref hr, (nuint)i), Vector512.LoadUnsafe(ref tr, (nuint)i), rule);
                    sv.StoreUnsafe(ref sr, (nuint)i);
                    nv.StoreUnsafe(ref vref, (nuint)i);
                }
            var one = Vector256<float>.One;
            var vr = Vector256.Create(rule.VReset);
            for (; i <= n - 8; i += 8)
            {
                var hv = Vector256.LoadUnsafe(ref hr, (nuint)i);
                var tv = Vector256.LoadUnsafe(ref tr, (nuint)i);
                var mask = Vector256.GreaterThanOrEqual(hv, tv);
                (mask & one).StoreUnsafe(ref sr, (nuint)i);
                var nv = rule.Hard ? Vector256.ConditionalSelect(mask, vr, hv) : hv - (mask & tv);
                nv.StoreUnsafe(ref vref, (nuint)i);
            }
        }
        for (; i < n; i++) (s[i], v[i]) = Fire(h[i], th[i], rule);
    }

    /// <summary>S and the reset V of one vector of H: <see cref="FireReset"/>'s formula, shared with the one-pass
    /// step (<see cref="OnePassRows"/>) so that both give the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (Vector512<float> S, Vector512<float> V) Fire(Vector512<float> h, Vector512<float> th, ResetRule rule)
    {
        var mask = Vector512.GreaterThanOrEqual(h, th);
        return (mask & Vector512<float>.One, rule.Hard ? Vector512.ConditionalSelect(mask, Vector512.Create(rule.VReset), h) : h - (mask & th));
    }

    /// <summary>S and the reset V of one neuron (<see cref="Fire(Vector512{float}, Vector512{float}, ResetRule)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float S, float V) Fire(float h, float th, ResetRule rule)
    {
        bool spike = h >= th;
        return (spike ? 1f : 0f, spike ? (rule.Hard ? rule.VReset : h - th) : h);
    }

    /// <summary>
    /// gh = ∂L/∂H from gS = ∂L/∂S (empty: none) and gv = ∂L/∂V[t]:
    /// hard: ∂V/∂H = 1 − S, ∂V/∂S = Vr − H; soft: ∂V/∂H = 1, ∂V/∂S = −Vth (∂V/∂S = 0 with DetachReset);
    /// gh = gv·∂V/∂H + (gS + gv·∂V/∂S)·g'(H − Vth), with sg = g'(H − Vth).
    /// Writes outA = gh·a and, unless outB is empty, outB = gh·b: a kernel whose charge is linear in x and V passes
    /// gx and gv (which may be the gv row itself) with its two constants, so ∂L/∂X[t] and ∂L/∂V[t − 1] come out of the
    /// same pass; any other kernel takes gh itself (a = 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ResetBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> th, ReadOnlySpan<float> gS, ReadOnlySpan<float> gv,
        ReadOnlySpan<float> sg, ResetRule rule, Span<float> outA, float a, Span<float> outB = default, float b = 0f)
    {
        int i = 0, n = h.Length;
        bool hasGS = !gS.IsEmpty, twice = !outB.IsEmpty;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float hr = ref MemoryMarshal.GetReference(h);
            ref float tr = ref MemoryMarshal.GetReference(th);
            ref float gsr = ref MemoryMarshal.GetReference(gS);
            ref float gvr = ref MemoryMarshal.GetReference(gv);
            ref float sgr = ref MemoryMarshal.GetReference(sg);
            ref float ar = ref MemoryMarshal.GetReference(outA), br = ref MemoryMarshal.GetReference(outB);
            if (Vector512.IsHardwareAccelerated)
                for (; i <= n - 16; i += 16)
                {
                    var gs = hasGS ? Vector512.LoadUnsafe(ref gsr, (nuint)i) : Vector512<float>.Zero;
                    var r = HGrad(Vector512.LoadUnsafe(ref hr, (nuint)i), Vector512.LoadUnsafe(ref tr, (nuint)i), gs,
                        Vector512.LoadUnsafe(ref gvr, (nuint)i), Vector512.LoadUnsafe(ref sgr, (nuint)i), rule);
                    (r * a).StoreUnsafe(ref ar, (nuint)i);
                    if (twice) (r * b).StoreUnsafe(ref br, (nuint)i);
                }
            var vr = Vector256.Create(rule.VReset);
            for (; i <= n - 8; i += 8)
            {
                var hv = Vector256.LoadUnsafe(ref hr, (nuint)i);
                var tv = Vector256.LoadUnsafe(ref tr, (nuint)i);
                var g = Vector256.LoadUnsafe(ref gvr, (nuint)i);
                var gs = hasGS ? Vector256.LoadUnsafe(ref gsr, (nuint)i) : Vector256<float>.Zero;
                // hard: gv·(1 − S) is gv where no spike; soft: gv.
                var direct = rule.Hard ? Vector256.AndNot(g, Vector256.GreaterThanOrEqual(hv, tv)) : g;
                var dvds = rule.Detach ? Vector256<float>.Zero : rule.Hard ? vr - hv : -tv;
                var r = direct + (gs + g * dvds) * Vector256.LoadUnsafe(ref sgr, (nuint)i);
                (r * a).StoreUnsafe(ref ar, (nuint)i);
                if (twice) (r * b).StoreUnsafe(ref br, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float r = HGrad(h[i], th[i], hasGS ? gS[i] : 0f, gv[i], sg[i], rule);
            outA[i] = r * a;
            if (twice) outB[i] = r * b;
        }
    }

    /// <summary>∂L/∂H of one vector: <see cref="ResetBackward"/>'s formula, shared with the one-pass step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HGrad(Vector512<float> h, Vector512<float> th, Vector512<float> gS, Vector512<float> gv,
        Vector512<float> sg, ResetRule rule)
    {
        // hard: gv·(1 − S) is gv where no spike; soft: gv.
        var direct = rule.Hard ? Vector512.AndNot(gv, Vector512.GreaterThanOrEqual(h, th)) : gv;
        var dvds = rule.Detach ? Vector512<float>.Zero : rule.Hard ? Vector512.Create(rule.VReset) - h : -th;
        return direct + (gS + gv * dvds) * sg;
    }

    /// <summary>∂L/∂H of one neuron (<see cref="HGrad(Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float}, Vector512{float}, ResetRule)"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HGrad(float h, float th, float gS, float gv, float sg, ResetRule rule)
    {
        float s = h >= th ? 1f : 0f;
        float dvdh = rule.Hard ? 1f - s : 1f;
        float dvds = rule.Detach ? 0f : rule.Hard ? rule.VReset - h : -th;
        return gv * dvdh + (gS + gv * dvds) * sg;
    }

    /// <summary>dst += a.</summary>
    public static void AddTo(ReadOnlySpan<float> a, Span<float> dst) => System.Numerics.Tensors.TensorPrimitives.Add(dst, a, dst);

    /// <summary>Asks for the cache lines of a row that the next step will read: the hardware prefetcher stops at every
    /// 4 KiB page, and the next row of a [T, N] tensor is N floats away.</summary>
    public static unsafe void Prefetch(ReadOnlySpan<float> row)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        fixed (float* p = row)
            for (int i = 0; i < row.Length; i += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + i);
    }
}
