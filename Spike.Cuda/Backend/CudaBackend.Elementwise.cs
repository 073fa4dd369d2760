namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>dst = op(x) (kernels/elementwise.cu). Parameters are converted to the element type on the host as the
    /// CPU backend converts them (saturating), so both devices clamp and raise to the same values.</summary>
    public void Unary(UnaryOp op, Tensor x, Tensor dst, double p0, double p1)
    {
        long n = dst.Numel;
        var args = new KernelArgs().Add(n).Add((int)op);
        switch (x.DType)
        {
            case DType.Float32 when op != UnaryOp.LogicalNot: args.Add(float.CreateSaturating(p0)).Add(float.CreateSaturating(p1)); break;
            case DType.Float64 when op != UnaryOp.LogicalNot: args.Add(p0).Add(p1); break;
            case DType.Float16 when op != UnaryOp.LogicalNot: args.Add(float.CreateSaturating(p0)).Add(float.CreateSaturating(p1)); break;  // float math, rounded
            case DType.Int32 when IntegerUnary(op): args.Add(int.CreateSaturating(p0)).Add(int.CreateSaturating(p1)); break;
            case DType.Int64 when IntegerUnary(op): args.Add(long.CreateSaturating(p0)).Add(long.CreateSaturating(p1)); break;
            case DType.UInt8 when IntegerUnary(op): args.Add(byte.CreateSaturating(p0)).Add(byte.CreateSaturating(p1)); break;
            case DType.Bool when op == UnaryOp.LogicalNot: args.Add((byte)0).Add((byte)0); break;
            default:
                args.Dispose();
                throw new NotSupportedException($"{op}: not defined for {x.DType} tensors on CUDA");
        }
        Run(Programs.Elementwise, $"unary_{Sfx(x.DType)}", n, args.Add(L(x)).Add(Ptr(x)).Add(L(dst)).Add(Ptr(dst)));
    }

    static bool IntegerUnary(UnaryOp op) => op is UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Sign or UnaryOp.Relu or UnaryOp.Clamp
        or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round;

    /// <summary>dst = op(a, b): arithmetic in the operands' type, comparisons and logic to Bool.</summary>
    public void Binary(BinaryOp op, Tensor a, Tensor b, Tensor dst)
    {
        bool predicate = op >= BinaryOp.Eq;
        bool ok = a.DType switch
        {
            DType.Float32 or DType.Float64 or DType.Float16 => true,
            DType.Bool => op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.LogicalAnd or BinaryOp.LogicalOr,
            _ => op is not (BinaryOp.Div or BinaryOp.Pow),
        };
        if (!ok) throw new NotSupportedException($"{op}: not defined for {a.DType} tensors on CUDA (convert to a {(a.DType == DType.Bool ? "numeric" : "floating")} type first)");
        long n = dst.Numel;
        Run(Programs.Elementwise, $"{(predicate ? "compare" : "binary")}_{Sfx(a.DType)}", n,
            new KernelArgs().Add(n).Add((int)op).Add(L(a)).Add(Ptr(a)).Add(L(b)).Add(Ptr(b)).Add(L(dst)).Add(Ptr(dst)));
    }

    /// <summary>dst = cond ? a : b, moving elements by size (where_u8 / where_u16 / where_i32 / where_i64).</summary>
    public void Where(Tensor cond, Tensor a, Tensor b, Tensor dst)
    {
        long n = dst.Numel;
        string kernel = dst.DType.ElementSize() switch { 1 => "where_u8", 2 => "where_u16", 4 => "where_i32", _ => "where_i64" };
        Run(Programs.Elementwise, kernel, n,
            new KernelArgs().Add(n).Add(L(cond)).Add(Ptr(cond)).Add(L(a)).Add(Ptr(a)).Add(L(b)).Add(Ptr(b)).Add(L(dst)).Add(Ptr(dst)));
    }
}
