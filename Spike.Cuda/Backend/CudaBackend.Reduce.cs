namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>Row reductions (kernels/reduce.cu), one block per row: x [outer, inner] contiguous → dst [outer].</summary>
    public void Reduce(ReduceOp op, Tensor x, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Reduce(op, w[0], w[1]))) return;
        long outer = x.Layout.Shape[0], inner = x.Layout.Shape[1];
        var args = new KernelArgs();
        string kernel;
        switch (op)
        {
            case ReduceOp.Sum or ReduceOp.Prod or ReduceOp.Max or ReduceOp.Min when x.DType != DType.Bool:
                kernel = $"reduce_rows_{Sfx(x.DType)}"; args.Add((int)op); break;
            case ReduceOp.ArgMax or ReduceOp.ArgMin when x.DType != DType.Bool:
                kernel = $"arg_rows_{Sfx(x.DType)}"; args.Add(op == ReduceOp.ArgMax ? 1 : 0); break;
            case ReduceOp.Any or ReduceOp.All when x.DType == DType.Bool:
                kernel = "logic_rows_u8"; args.Add(op == ReduceOp.All ? 1 : 0); break;
            case ReduceOp.LogSumExp when x.DType.IsFloating():
                kernel = $"logsumexp_rows_{Sfx(x.DType)}"; break;
            default:
                args.Dispose();
                throw new NotSupportedException($"{op}: not defined for {x.DType} tensors");
        }
        RunRows(Programs.Reduce, kernel, outer, args.Add(outer).Add(inner).Add(At(x)).Add(At(dst)));
    }

    /// <summary>Column reductions: x [outer, r, inner] contiguous → dst [outer, inner], one thread per column.</summary>
    public void ReduceColumns(ReduceOp op, Tensor x, Tensor dst)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => ReduceColumns(op, w[0], w[1]))) return;
        if (op is not (ReduceOp.Sum or ReduceOp.Prod or ReduceOp.Max or ReduceOp.Min) || x.DType == DType.Bool)
            throw new NotSupportedException($"{op}: column reduction is not defined for {x.DType} tensors");
        long outer = x.Layout.Shape[0], r = x.Layout.Shape[1], inner = x.Layout.Shape[2];
        Run(Programs.Reduce, $"reduce_cols_{Sfx(x.DType)}", outer * inner,
            new KernelArgs().Add((int)op).Add(outer).Add(r).Add(inner).Add(At(x)).Add(At(dst)));
    }

    /// <summary>dst[r] = Σ(x[r, :] − mean)² / max(0, inner − correction), two passes per row.</summary>
    public void Variance(Tensor x, Tensor dst, double correction)
    {
        if (Float16Widening.Widen(this, [x], [dst], w => Variance(w[0], w[1], correction))) return;
        long outer = x.Layout.Shape[0], inner = x.Layout.Shape[1];
        var args = new KernelArgs().Add(outer).Add(inner);
        if (x.DType == DType.Float32) args.Add((float)correction);
        else if (x.DType == DType.Float64) args.Add(correction);
        else { args.Dispose(); throw new NotSupportedException($"var: not defined for {x.DType} tensors"); }
        RunRows(Programs.Reduce, $"variance_rows_{Sfx(x.DType)}", outer, args.Add(At(x)).Add(At(dst)));
    }
}
