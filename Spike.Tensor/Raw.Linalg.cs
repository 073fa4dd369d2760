namespace Spike;

public static partial class Raw
{
    /// <summary>
    /// dst[b] = a[b]·b[b] (+ dst[b] when accumulating) on 3-D operands: a [B, M, K], b [B, K, N], dst [B, M, N], any
    /// strides. A dst with batch stride 0 sums the B products into one matrix.
    /// </summary>
    public static void MatmulInto(Tensor a, Tensor b, Tensor dst, bool accumulate = false)
    {
        CheckSameDevice("matmul", a, b);
        CheckSameDevice("matmul", a, dst);
        var (sa, sb, sd) = (a.Layout.Shape, b.Layout.Shape, dst.Layout.Shape);
        if (sa.Length != 3 || sb.Length != 3 || sd.Length != 3 || sa[0] != sb[0] || sa[0] != sd[0]
            || sa[2] != sb[1] || sd[1] != sa[1] || sd[2] != sb[2])
            throw new ArgumentException($"matmul: expects a [B, M, K], b [B, K, N] and dst [B, M, N], got {Layout.Fmt(sa)}, {Layout.Fmt(sb)} and {Layout.Fmt(sd)}");
        if (a.DType != b.DType || a.DType != dst.DType)
            throw new ArgumentException($"matmul: operands must share a dtype, got {a.DType}, {b.DType} and {dst.DType}");
        var backend = Backend(dst);
        // A sparse spike operand turns the product into a gather-add: s·b directly, or a·s as (sᵀ·aᵀ)ᵀ.
        var (a2, b2, d2) = (Select(a, 0, 0), Select(b, 0, 0), Select(dst, 0, 0));
        switch (SpikePath(backend, a, b, sd[2]))
        {
            case SpikeOperand.Left: backend.SpikeMatmul(a2, b2, d2, accumulate); return;
            case SpikeOperand.Right: backend.SpikeMatmul(Transpose(b2, 0, 1), Transpose(a2, 0, 1), Transpose(d2, 0, 1), accumulate); return;
            default: backend.Matmul(a, b, dst, accumulate); return;
        }
    }

    internal enum SpikeOperand { None, Left, Right }

    /// <summary>Which operand of a single (batch 1) product a [1, M, K]·b [1, K, N] is a sparse spike matrix worth a
    /// gather-add, if any: s·b needs N wide enough, a·s (run as sᵀ·aᵀ) needs M wide enough.</summary>
    internal static SpikeOperand SpikePath(IBackend backend, Tensor a, Tensor b, int n)
    {
        int m = a.Layout.Shape[1];
        if (a.Layout.Shape[0] != 1 || !a.DType.IsFloating() || (long)m * a.Layout.Shape[2] * n < SpikeSparseMinWork)
            return SpikeOperand.None;
        return n >= SpikeSparseMinColumns && IsSparseSpikes(backend, Select(a, 0, 0)) ? SpikeOperand.Left
            : m >= SpikeSparseMinColumns && IsSparseSpikes(backend, Select(b, 0, 0)) ? SpikeOperand.Right : SpikeOperand.None;
    }

    /// <summary>Below this many multiply-adds a product is not worth scanning for spikes.</summary>
    const long SpikeSparseMinWork = 1 << 22;

    /// <summary>
    /// The fewest columns the gather-add must produce to pay for listing the spikes: that scan reads all of s, as a
    /// dense pass does, so a narrow product is already as cheap dense (measured: 128 columns lost at every density,
    /// 2048 won below the crossover; docs/performance.md).
    /// </summary>
    const int SpikeSparseMinColumns = 1024;

    /// <summary>
    /// The spike density below which the gather-add beats the dense GEMM (measured by the <c>sparse</c> benchmarks:
    /// a Linear layer's forward and weight gradient at the EN5 size, see docs/performance.md).
    /// </summary>
    public const double SpikeSparseCrossover = 0.12;

    static bool IsSparseSpikes(IBackend backend, Tensor x)
    {
        double d = backend.SpikeDensity(x);
        return d >= 0 && d < SpikeSparseCrossover;
    }

    /// <summary>
    /// torch.matmul: 1-D·1-D is a dot product (0-d result); a 1-D left operand is a row [1, K] and a 1-D right
    /// operand a column [K, 1], the added axis removed again; higher ranks are stacks of matrices whose batch
    /// axes broadcast. a: [*, M, K], b: [*, K, N] → [*, M, N]. Operands are promoted to one dtype (not Bool).
    /// </summary>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        CheckSameDevice("matmul", a, b);
        string shapes = $"{Layout.Fmt(a.Layout.Shape)} and {Layout.Fmt(b.Layout.Shape)}";
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"matmul: both operands need at least one dimension, got shapes {shapes}");
        var t = DTypes.Promote(a.DType, b.DType);
        if (t == DType.Bool) throw new ArgumentException($"matmul: not defined for Bool tensors (shapes {shapes})");
        a = ToDType(a, t);
        b = ToDType(b, t);
        var a2 = a.Rank == 1 ? Unsqueeze(a, 0) : a;
        var b2 = b.Rank == 1 ? Unsqueeze(b, 1) : b;
        var (la, lb) = (a2.Layout.Shape, b2.Layout.Shape);
        int m = la[^2], k = la[^1], n = lb[^1];
        if (lb[^2] != k)
            throw new ArgumentException($"matmul: shapes {shapes} do not match: inner dimensions {k} and {lb[^2]} differ");
        int[] batch;
        try { batch = Layout.Broadcast(la[..^2], lb[..^2], "matmul"); }
        catch (ArgumentException) { throw new ArgumentException($"matmul: batch dimensions of shapes {shapes} cannot be broadcast together"); }
        var dst = Empty([.. batch, m, n], t, a.Device);
        MatmulBatched(Expand(a2, [.. batch, m, k]), Expand(b2, [.. batch, k, n]), dst);
        int[] shape = [.. batch, .. (a.Rank == 1 ? Array.Empty<int>() : [m]), .. (b.Rank == 1 ? Array.Empty<int>() : [n])];
        return dst.WithLayout(Layout.Contiguous(shape));
    }

    /// <summary>
    /// a [*, M, K]·b [*, K, N] → dst [*, M, N] with equal batch axes: batch axes are merged where all three strides
    /// allow, a batch that only a walks (b broadcast) is folded into M (one large product instead of many small
    /// ones), and batch axes that cannot be merged are walked here, one kernel call per index.
    /// </summary>
    static void MatmulBatched(Tensor a, Tensor b, Tensor dst)
    {
        var (la, lb, lc) = (a.Layout, b.Layout, dst.Layout);
        int r = la.Rank - 2;
        var sizes = new List<int>();
        var strides = new List<(int A, int B, int C)>();
        for (int d = 0; d < r; d++)
        {
            int size = lc.Shape[d];
            if (size == 1) continue;
            var st = (la.Strides[d], lb.Strides[d], lc.Strides[d]);
            if (sizes.Count > 0)
            {
                var p = strides[^1];
                if (p.A == st.Item1 * size && p.B == st.Item2 * size && p.C == st.Item3 * size)
                {
                    sizes[^1] *= size;
                    strides[^1] = st;
                    continue;
                }
            }
            sizes.Add(size);
            strides.Add(st);
        }
        if (sizes.Count == 0) { sizes.Add(1); strides.Add((0, 0, 0)); }
        int m = lc.Shape[^2], n = lc.Shape[^1], k = la.Shape[^1];
        int[] aS = [la.Strides[^2], la.Strides[^1]], bS = [lb.Strides[^2], lb.Strides[^1]], cS = [lc.Strides[^2], lc.Strides[^1]];

        void Call(int aOff, int bOff, int cOff)
        {
            int bt = sizes[^1];
            var (sA, sB, sC) = strides[^1];
            // b shared by every batch and the rows of a and dst continue across batches: one [bt·M, K]·[K, N] product.
            bool fold = bt > 1 && sB == 0 && (m == 1 || (sA == m * aS[0] && sC == m * cS[0]));
            if (fold)
            {
                int ra = m == 1 ? sA : aS[0], rc = m == 1 ? sC : cS[0];
                MatmulInto(a.WithLayout(new Layout([1, bt * m, k], [0, ra, aS[1]], aOff)),
                    b.WithLayout(new Layout([1, k, n], [0, bS[0], bS[1]], bOff)),
                    dst.WithLayout(new Layout([1, bt * m, n], [0, rc, cS[1]], cOff)));
                return;
            }
            MatmulInto(a.WithLayout(new Layout([bt, m, k], [sA, aS[0], aS[1]], aOff)),
                b.WithLayout(new Layout([bt, k, n], [sB, bS[0], bS[1]], bOff)),
                dst.WithLayout(new Layout([bt, m, n], [sC, cS[0], cS[1]], cOff)));
        }

        // Walk every index of the outer (unmergeable) batch axes.
        int outer = 1;
        for (int d = 0; d < sizes.Count - 1; d++) outer *= sizes[d];
        for (int o = 0; o < outer; o++)
        {
            int rem = o, aOff = la.Offset, bOff = lb.Offset, cOff = lc.Offset;
            for (int d = sizes.Count - 2; d >= 0; d--)
            {
                int i = rem % sizes[d];
                rem /= sizes[d];
                aOff += i * strides[d].A;
                bOff += i * strides[d].B;
                cOff += i * strides[d].C;
            }
            Call(aOff, bOff, cOff);
        }
    }

    /// <summary>
    /// y = x·Wᵀ + bias for any leading axes: x [*, in], weight [out, in], bias [out] or null → [*, out].
    /// The bias is written first and the product accumulated onto it; Wᵀ is a strided view, never a copy.
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        CheckSameDevice("linear", x, weight);
        string shapes = $"input {Layout.Fmt(x.Layout.Shape)}, weight {Layout.Fmt(weight.Layout.Shape)}" +
            (bias is null ? "" : $", bias {Layout.Fmt(bias.Layout.Shape)}");
        if (x.Rank == 0 || weight.Rank != 2 || x.Layout.Shape[^1] != weight.Layout.Shape[1])
            throw new ArgumentException($"linear: expects input [*, in] and weight [out, in], got {shapes}");
        int outF = weight.Layout.Shape[0], inF = weight.Layout.Shape[1];
        if (bias is not null && (bias.Rank != 1 || bias.Layout.Shape[0] != outF))
            throw new ArgumentException($"linear: bias must be [{outF}], got {shapes}");
        var t = DTypes.Promote(x.DType, weight.DType);
        if (bias is not null) t = DTypes.Promote(t, bias.DType);
        if (!t.IsFloating()) throw new ArgumentException($"linear: needs floating-point operands, got {x.DType} and {weight.DType} ({shapes})");
        x = ToDType(x, t);
        weight = ToDType(weight, t);
        var lead = x.Layout.Shape[..^1];
        int count = Layout.NumelOf(lead);
        var y = Empty([.. lead, outF], t, x.Device);
        var rows = Reshape(x, 1, count, inF);
        var wt = Unsqueeze(Transpose(weight, 0, 1), 0);
        if (bias is not null) CopyInto(ToDType(bias, t), y);
        MatmulInto(rows, wt, Reshape(y, 1, count, outF), accumulate: bias is not null);
        return y;
    }
}
