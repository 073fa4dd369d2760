namespace Spike.Cpu;

/// <summary>
/// Called once per innermost row: the storage offset of each operand at the row start, the row length and
/// each operand's stride along the row. Kernels take a SIMD path when the row strides are 1 (or 0 for a
/// broadcast scalar) and a scalar loop otherwise.
/// </summary>
internal delegate void RowKernel(ReadOnlySpan<int> offsets, int count, ReadOnlySpan<int> strides);

/// <summary>
/// Strided iteration shared by every elementwise CPU kernel: dims are coalesced where all operands allow it,
/// so contiguous and broadcast-row cases become a few long rows; rows are split across threads above
/// <see cref="ParallelThreshold"/> elements.
/// </summary>
internal static class Strided
{
    /// <summary>Below this many elements the work stays on the calling thread.</summary>
    public const int ParallelThreshold = 1 << 16;

    public static void ForEachRow(int[] shape, Layout[] operands, RowKernel kernel)
    {
        int ops = operands.Length;
        int numel = Layout.NumelOf(shape);
        if (numel == 0) return;

        // Coalesce: drop size-1 dims, merge dim i into i-1 when every operand has stride[i-1] == stride[i]*shape[i].
        var dims = new List<int>();
        var strides = new List<int[]>();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            var st = new int[ops];
            for (int k = 0; k < ops; k++) st[k] = operands[k].Strides[d];
            if (dims.Count > 0)
            {
                var prev = strides[^1];
                bool merge = true;
                for (int k = 0; k < ops && merge; k++) merge = prev[k] == st[k] * shape[d];
                if (merge)
                {
                    dims[^1] *= shape[d];
                    strides[^1] = st;
                    continue;
                }
            }
            dims.Add(shape[d]);
            strides.Add(st);
        }
        if (dims.Count == 0) { dims.Add(1); strides.Add(new int[ops]); }

        int rank = dims.Count;
        int inner = dims[^1];
        int[] innerStrides = strides[^1];
        int rows = numel / inner;
        var baseOffsets = operands.Select(o => o.Offset).ToArray();

        void RunRows(int rowStart, int rowEnd)
        {
            Span<int> idx = stackalloc int[Math.Max(rank - 1, 1)];
            Span<int> off = stackalloc int[ops];
            // Multi-index of rowStart over the outer dims.
            int r = rowStart;
            for (int d = rank - 2; d >= 0; d--) { idx[d] = r % dims[d]; r /= dims[d]; }
            for (int k = 0; k < ops; k++)
            {
                int o = baseOffsets[k];
                for (int d = 0; d < rank - 1; d++) o += idx[d] * strides[d][k];
                off[k] = o;
            }
            for (int row = rowStart; row < rowEnd; row++)
            {
                kernel(off, inner, innerStrides);
                for (int d = rank - 2; d >= 0; d--)
                {
                    if (++idx[d] < dims[d])
                    {
                        for (int k = 0; k < ops; k++) off[k] += strides[d][k];
                        break;
                    }
                    idx[d] = 0;
                    for (int k = 0; k < ops; k++) off[k] -= (dims[d] - 1) * strides[d][k];
                }
            }
        }

        if (numel < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            RunRows(0, rows);
            return;
        }
        if (rows == 1)
        {
            // One long row: split it into chunks, each a row of its own.
            int chunks = Math.Min(Environment.ProcessorCount * 4, Math.Max(1, inner / (ParallelThreshold / 4)));
            int per = (inner + chunks - 1) / chunks;
            WorkerTeam.For(0, chunks, c =>
            {
                int start = c * per, n = Math.Min(per, inner - start);
                if (n <= 0) return;
                Span<int> off = stackalloc int[ops];
                for (int k = 0; k < ops; k++) off[k] = baseOffsets[k] + start * innerStrides[k];
                kernel(off, n, innerStrides);
            });
            return;
        }
        int parts = Math.Min(rows, Environment.ProcessorCount * 4);
        WorkerTeam.For(0, parts, p =>
        {
            int s = (int)((long)rows * p / parts), e = (int)((long)rows * (p + 1) / parts);
            if (s < e) RunRows(s, e);
        });
    }
}
