using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Spike.Cpu.Gemm;

namespace Spike.Cpu;

/// <summary>
/// Spike-sparse products on Float32: s·b for a binary s [M, K] as a gather-add (graded spikes and Float64 take the
/// dense product). The nonzeros of s are listed once per call (row by row, or by counting sort when s is the
/// transpose of a row-major spike matrix, as in a weight gradient xᵀ·dy); then for each 16-column block of b, packed once into a contiguous [K, 16] panel, every row of dst is the
/// sum of the panel rows its spikes select (one cache line each), kept in two 8-float registers. The panel is 16
/// columns wide so that it stays in L2 for K up to ~10⁴: the spikes pick its rows in no particular order. The work is
/// proportional to the number of spikes instead of M·K. The scans are fully optimised from their first call
/// (AggressiveOptimization): each runs once per product, too rarely for tiered compilation to reach its SIMD code
/// during a benchmark or a short training run.
/// </summary>
public sealed partial class CpuBackend
{
    const int SpikeBlock = 16;

    /// <summary>One pass over the float bits: 0f and 1f are spikes; anything else, −0f included, is not.</summary>
    public double SpikeDensity(Tensor x)
    {
        if (x.DType != DType.Float32 || x.Numel == 0) return -1;
        var span = TryDenseSpan(x, out var dense) ? dense : Raw.Contiguous(x).AsSpan<float>();
        int ones = CountBinary(MemoryMarshal.Cast<float, int>(span));
        return ones < 0 ? -1 : ones / (double)span.Length;
    }

    /// <summary>The elements of x as one span when its layout is a permutation of a contiguous block (a transposed
    /// view, say); false otherwise. Order does not matter to a density.</summary>
    static bool TryDenseSpan(Tensor x, out ReadOnlySpan<float> span)
    {
        var l = x.Layout;
        span = default;
        long expected = 1;
        foreach (int d in Enumerable.Range(0, l.Rank).Where(d => l.Shape[d] > 1).OrderBy(d => l.Strides[d]))
        {
            if (l.Strides[d] != expected) return false;
            expected *= l.Shape[d];
        }
        span = Data<float>(x).AsSpan(l.Offset, x.Numel);
        return true;
    }

    // s: [M, K] binary, b: [K, N], dst: [M, N]; Float32, any strides.
    public unsafe void SpikeMatmul(Tensor s, Tensor b, Tensor dst, bool accumulate)
    {
        int m = s.Layout.Shape[0], k = s.Layout.Shape[1], n = b.Layout.Shape[1];
        if (s.DType != DType.Float32 || SpikeRows(s) is not (var rowStart, var cols))
        {
            // Float64, or graded spikes (values other than 0 and 1): the dense product.
            Matmul(Raw.Unsqueeze(s, 0), Raw.Unsqueeze(b, 0), Raw.Unsqueeze(dst, 0), accumulate);
            return;
        }
        var (bs, ds) = (Data<float>(b), Data<float>(dst));
        var (lb, ld) = (b.Layout, dst.Layout);
        int blocks = (n + SpikeBlock - 1) / SpikeBlock;
        int threads = Environment.ProcessorCount;
        // Enough (block, row range) items to keep every thread busy; each item packs its own panel.
        int rowParts = Math.Max(1, Math.Min(m, (2 * threads + blocks - 1) / blocks));
        long work = (long)cols.Length * n;
        WorkerTeam.For(0, blocks * rowParts, () => LargeArrays.Uninitialized(k * SpikeBlock), (item, panel) =>
        {
            int j0 = item / rowParts * SpikeBlock, part = item % rowParts, nb = Math.Min(SpikeBlock, n - j0);
            int i0 = (int)((long)m * part / rowParts), i1 = (int)((long)m * (part + 1) / rowParts);
            fixed (float* bp = bs, pp = panel, dp = ds)
            {
                SgemmPack.B(SpikeBlock, nb, k, bp + lb.Offset + j0 * lb.Strides[1], lb.Strides[0], lb.Strides[1], pp);
                for (int i = i0; i < i1; i++)
                    GatherRow(pp, cols, rowStart[i], rowStart[i + 1], dp + ld.Offset + i * ld.Strides[0] + j0 * ld.Strides[1], ld.Strides[1], nb, accumulate);
            }
            return panel;
        }, _ => { }, parallel: work >= 1 << 20);
    }

    /// <summary>dst[j] (+)= Σ_{q ∈ [q0, q1)} panel[cols[q]·16 + j] for j &lt; nb; the 16 sums stay in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void GatherRow(float* panel, int[] cols, int q0, int q1, float* dst, nint stride, int nb, bool accumulate)
    {
        Vector256<float> a0 = default, a1 = default;
        for (int q = q0; q < q1; q++)
        {
            float* r = panel + cols[q] * SpikeBlock;
            a0 += Vector256.Load(r);
            a1 += Vector256.Load(r + 8);
        }
        if (stride == 1 && nb == SpikeBlock)
        {
            if (accumulate) { a0 += Vector256.Load(dst); a1 += Vector256.Load(dst + 8); }
            a0.Store(dst);
            a1.Store(dst + 8);
            return;
        }
        float* sum = stackalloc float[SpikeBlock];
        a0.Store(sum);
        a1.Store(sum + 8);
        for (int j = 0; j < nb; j++) dst[j * stride] = accumulate ? dst[j * stride] + sum[j] : sum[j];
    }

    /// <summary>The nonzeros of a binary s [M, K] by row (CSR): the columns of row i are cols[rowStart[i] .. rowStart[i + 1]),
    /// ascending; null when s holds a value other than 0 and 1. A row-major s is scanned row by row; a column-major one
    /// (the transpose of a row-major spike matrix) by a counting sort over its contiguous columns. The scans compare
    /// the float bits as integers (0 and 1f = 0x3F800000), eight at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static (int[] RowStart, int[] Cols)? SpikeRows(Tensor s)
    {
        var l = s.Layout;
        int m = l.Shape[0], k = l.Shape[1];
        bool colMajor = l.Strides[0] == 1 && l.Strides[1] != 1 && k > 1;
        if (!colMajor && l.Strides[1] != 1 && k > 1) { s = Raw.Contiguous(s); l = s.Layout; }
        var data = MemoryMarshal.Cast<float, int>(Data<float>(s).AsSpan());
        var rowStart = new int[m + 1];
        if (!colMajor)
        {
            for (int i = 0; i < m; i++)
            {
                int ones = CountBinary(data.Slice(l.Offset + i * l.Strides[0], k));
                if (ones < 0) return null;
                rowStart[i + 1] = rowStart[i] + ones;
            }
            var cols = new int[rowStart[m]];
            var array = Data<float>(s);
            void Row(int i) => Nonzeros(MemoryMarshal.Cast<float, int>(array.AsSpan(l.Offset + i * l.Strides[0], k)), cols.AsSpan(rowStart[i]));
            if (m * (long)k < 1 << 20) for (int i = 0; i < m; i++) Row(i);
            else WorkerTeam.For(0, m, Row);
            return (rowStart, cols);
        }
        else
        {
            // s[i, p] = data[off + i + p·ld]: line p of the storage holds column p of s for every row i.
            int ld = l.Strides[1];
            var rows = new int[m];
            for (int p = 0; p < k; p++)
            {
                var line = data.Slice(l.Offset + p * ld, m);
                if (CountBinary(line) < 0) return null;
                int count = Nonzeros(line, rows);
                for (int q = 0; q < count; q++) rowStart[rows[q] + 1]++;
            }
            for (int i = 0; i < m; i++) rowStart[i + 1] += rowStart[i];
            var cols = new int[rowStart[m]];
            var fill = rowStart[..m];
            for (int p = 0; p < k; p++)
            {
                int count = Nonzeros(data.Slice(l.Offset + p * ld, m), rows);
                for (int q = 0; q < count; q++) cols[fill[rows[q]]++] = p;
            }
            return (rowStart, cols);
        }
    }

    const int OneBits = 0x3F800000;

    /// <summary>How many elements of a float row (as bits) are 1f, or −1 when one is neither 0f nor 1f.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int CountBinary(ReadOnlySpan<int> bits)
    {
        int ones = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var (zero, one) = (Vector256<int>.Zero, Vector256.Create(OneBits));
            for (; i <= bits.Length - 8; i += 8)
            {
                var v = Vector256.Create(bits.Slice(i, 8));
                var isOne = Vector256.Equals(v, one);
                if ((isOne | Vector256.Equals(v, zero)).ExtractMostSignificantBits() != 0xFF) return -1;
                ones += BitOperations.PopCount(isOne.ExtractMostSignificantBits());
            }
        }
        for (; i < bits.Length; i++)
        {
            if (bits[i] == OneBits) ones++;
            else if (bits[i] != 0) return -1;
        }
        return ones;
    }

    /// <summary>Writes the indices of the nonzero elements of <paramref name="bits"/>, ascending, to dst; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static int Nonzeros(ReadOnlySpan<int> bits, Span<int> dst)
    {
        int n = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= bits.Length - 8; i += 8)
                for (uint mask = ~Vector256.Equals(Vector256.Create(bits.Slice(i, 8)), Vector256<int>.Zero).ExtractMostSignificantBits() & 0xFF;
                     mask != 0; mask &= mask - 1)
                    dst[n++] = i + BitOperations.TrailingZeroCount(mask);
        for (; i < bits.Length; i++)
            if (bits[i] != 0) dst[n++] = i;
        return n;
    }

    // x: [n] contiguous; dst: [T, n] contiguous, Float32 (other dtypes compose the default way).
    public void PoissonEncode(Tensor x, Tensor dst, ulong seed, ulong offset)
    {
        if (dst.DType != DType.Float32 || x.DType != DType.Float32)
        {
            SpikeGeneric.PoissonEncode(this, x, dst, seed, offset);
            return;
        }
        var (xs, ds) = (Data<float>(x), Data<float>(dst));
        int n = x.Numel, total = dst.Numel, xOff = x.Layout.Offset, dOff = dst.Layout.Offset;
        const int chunk = 1 << 14;
        WorkerTeam.For(0, (total + chunk - 1) / chunk, c =>
        {
            int a = c * chunk, b = Math.Min(total, a + chunk);
            var d = ds.AsSpan(dOff + a, b - a);
            // Uniforms straight into dst, then compared in place: u ≤ x[i mod n] becomes 1 or 0.
            PhiloxBatch.UniformFloat(seed, offset + (ulong)a, d);
            for (int j = 0, i = a % n; j < d.Length;)
            {
                int run = Math.Min(d.Length - j, n - i);
                LessOrEqualMask(d.Slice(j, run), xs.AsSpan(xOff + i, run));
                j += run;
                i = 0;
            }
        });
    }

    /// <summary>u[i] = u[i] ≤ x[i] ? 1 : 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void LessOrEqualMask(Span<float> u, ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= u.Length - 8; i += 8)
            {
                var m = Vector256.LessThanOrEqual(Vector256.Create(u.Slice(i, 8)), Vector256.Create(x.Slice(i, 8)));
                (m & Vector256<float>.One).CopyTo(u.Slice(i, 8));
            }
        for (; i < u.Length; i++) u[i] = u[i] <= x[i] ? 1f : 0f;
    }
}
