namespace Spike;

/// <summary>Ops along one axis (softmax, log-softmax, cumsum): the input is made contiguous and seen as
/// [outer, n, inner] with n the axis, so backends see rows (inner = 1) or whole rows of columns (inner &gt; 1) and nothing
/// is transposed. Results are contiguous with the input's shape.</summary>
public static partial class Raw
{
    /// <summary>softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) along axis (m = max, for stability); integers compute in Float32.</summary>
    public static Tensor Softmax(Tensor x, int axis, bool log = false)
    {
        x = ToDType(x, x.DType.ToFloating());
        return AlongAxis(x, axis, log ? "log_softmax" : "softmax", (blocks, dst) => Backend(x).Softmax(blocks, dst, log));
    }

    /// <summary>The input gradient of <see cref="Softmax"/> from its output y and output gradient g (same shapes).</summary>
    public static Tensor SoftmaxBackward(Tensor y, Tensor g, int axis, bool log = false)
    {
        string name = log ? "log_softmax backward" : "softmax backward";
        if (!y.Layout.Shape.AsSpan().SequenceEqual(g.Layout.Shape))
            throw new ArgumentException($"{name}: output shape {Layout.Fmt(y.Layout.Shape)} and gradient shape {Layout.Fmt(g.Layout.Shape)} differ");
        CheckSameDevice(name, y, g);
        var gBlocks = AxisBlocks(ToDType(g, y.DType), axis, name);
        return AlongAxis(y, axis, name, (blocks, dst) => Backend(y).SoftmaxBackward(blocks, gBlocks, dst, log));
    }

    /// <summary>Inclusive prefix sum along axis (reverse: from the end). Integer and Bool inputs sum in Int64.</summary>
    public static Tensor Cumsum(Tensor x, int axis, bool reverse = false)
    {
        if (!x.DType.IsFloating()) x = ToDType(x, DType.Int64);
        return AlongAxis(x, axis, "cumsum", (blocks, dst) => Backend(x).Cumsum(blocks, dst, reverse));
    }

    /// <summary>x as a contiguous [outer, n, inner] block with n = x.size(axis) (a copy only when x is not contiguous).</summary>
    static Tensor AxisBlocks(Tensor x, int axis, string op)
    {
        var shape = x.Rank == 0 ? [1] : x.Layout.Shape;
        int a = Layout.Axis(axis, shape.Length, op);
        int outer = shape[..a].Aggregate(1, (p, d) => p * d), inner = shape[(a + 1)..].Aggregate(1, (p, d) => p * d);
        return Reshape(Contiguous(x), outer, shape[a], inner);
    }

    static Tensor AlongAxis(Tensor x, int axis, string op, Action<Tensor, Tensor> kernel)
    {
        var blocks = AxisBlocks(x, axis, op);
        var dst = Empty(blocks.Layout.Shape, x.DType, x.Device);
        if (dst.Numel > 0) kernel(blocks, dst);
        return dst.WithLayout(Layout.Contiguous(x.Layout.Shape));
    }
}
