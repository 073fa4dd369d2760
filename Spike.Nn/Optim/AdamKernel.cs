using System.Numerics;
using System.Runtime.InteropServices;

namespace Spike.Nn;

/// <summary>
/// Adam's update in place for contiguous CPU Float32/Float64 tensors: one vectorised pass reads p, g, m and v and
/// writes p, m and v. The tensor-expression form makes about a dozen parameter-sized temporaries per parameter per
/// step (hundreds of MiB for a 6272×2048 layer, each on memory the OS must fault in and zero); this makes none.
/// Same operations in the same order as the expression form, so results agree to the last bit in Float64.
/// </summary>
internal static class AdamKernel
{
    /// <summary>The step's coefficients: weight decay λ (added to g, or with decoupling, p scaled by 1 − lr·λ),
    /// β₁, β₂, ε, lr / (1 − β₁ᵗ) and 1 − β₂ᵗ.</summary>
    public readonly record struct Coefficients(double Decay, bool Decoupled, double Lr, double Beta1, double Beta2, double Eps,
        double StepSize, double Correction2);

    /// <summary>Elements per parallel chunk.</summary>
    const int Chunk = 1 << 15;

    /// <summary>Updates p, m and v in place and returns true when all four are contiguous CPU tensors of p's shape and
    /// one dtype (Float32 or Float64); otherwise touches nothing and returns false.</summary>
    public static bool TryStep(Tensor p, Tensor g, Tensor m, Tensor v, Coefficients c)
    {
        Tensor[] all = [p, g, m, v];
        foreach (var t in all)
            if (t.Device != Device.Cpu || t.DType != p.DType || !t.IsContiguous || !t.Shape.SequenceEqual(p.Shape)) return false;
        switch (p.DType)
        {
            case DType.Float32: Run<float>(all, c); return true;
            case DType.Float64: Run<double>(all, c); return true;
            default: return false;
        }
    }

    static void Run<T>(Tensor[] t, Coefficients c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = Array.ConvertAll(t, x => ((CpuStorage)x.Storage).As<T>());
        int n = t[0].Numel;
        var (po, go, mo, vo) = (t[0].Layout.Offset, t[1].Layout.Offset, t[2].Layout.Offset, t[3].Layout.Offset);
        void Part(int start, int count) => Update(a[0].AsSpan(po + start, count), a[1].AsSpan(go + start, count),
            a[2].AsSpan(mo + start, count), a[3].AsSpan(vo + start, count), c);
        if (n <= 2 * Chunk) Part(0, n);
        else Spike.Cpu.WorkerTeam.For(0, (n + Chunk - 1) / Chunk, k => Part(k * Chunk, Math.Min(Chunk, n - k * Chunk)));
    }

    static void Update<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, Coefficients c) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T decay = T.CreateTruncating(c.Decay), shrink = T.CreateTruncating(1 - c.Lr * c.Decay);
        T b1 = T.CreateTruncating(c.Beta1), b2 = T.CreateTruncating(c.Beta2);
        T rest1 = T.CreateTruncating(1 - c.Beta1), rest2 = T.CreateTruncating(1 - c.Beta2);
        T stepSize = T.CreateTruncating(c.StepSize), c2 = T.CreateTruncating(c.Correction2), eps = T.CreateTruncating(c.Eps);
        bool addDecay = c.Decay != 0 && !c.Decoupled, scale = c.Decay != 0 && c.Decoupled;
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            ref T pr = ref MemoryMarshal.GetReference(p), gr = ref MemoryMarshal.GetReference(g);
            ref T mr = ref MemoryMarshal.GetReference(m), vr = ref MemoryMarshal.GetReference(v);
            var (c2v, epsv) = (new Vector<T>(c2), new Vector<T>(eps));
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var (pv, gv) = (Vector.LoadUnsafe(ref pr, (nuint)i), Vector.LoadUnsafe(ref gr, (nuint)i));
                if (addDecay) gv += pv * decay;
                if (scale) pv *= shrink;
                var mv = Vector.LoadUnsafe(ref mr, (nuint)i) * b1 + gv * rest1;
                var vv = Vector.LoadUnsafe(ref vr, (nuint)i) * b2 + gv * gv * rest2;
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                (pv - mv * stepSize / (Vector.SquareRoot(vv / c2v) + epsv)).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        for (; i < p.Length; i++)
        {
            T pi = p[i], gi = g[i];
            if (addDecay) gi += pi * decay;
            if (scale) pi *= shrink;
            T mi = m[i] * b1 + gi * rest1, vi = v[i] * b2 + gi * gi * rest2;
            m[i] = mi;
            v[i] = vi;
            p[i] = pi - mi * stepSize / (T.Sqrt(vi / c2) + eps);
        }
    }
}
