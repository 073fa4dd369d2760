namespace Spike;

/// <summary>Ops along one axis (softmax, log-softmax, cumsum): the axis is moved innermost and made contiguous, so
/// backends see rows of an [outer, n] matrix; the result is moved back and returned contiguous.</summary>
public static partial class Raw
{
    /// <summary>softmax(x)ᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) along axis (m = max, for stability); integers compute in Float32.</summary>
    public static Tensor Softmax(Tensor x, int axis, bool log = false)
    {
        x = ToDType(x, x.DType.ToFloating());
        return AlongRows(x, axis, log ? "log_softmax" : "softmax", x.DType, (rows, dst) => Backend(x).Softmax(rows, dst, log));
    }

    /// <summary>The input gradient of <see cref="Softmax"/> from its output y and output gradient g (same shapes).</summary>
    public static Tensor SoftmaxBackward(Tensor y, Tensor g, int axis, bool log = false)
    {
        string name = log ? "log_softmax backward" : "softmax backward";
        if (!y.Layout.Shape.AsSpan().SequenceEqual(g.Layout.Shape))
            throw new ArgumentException($"{name}: output shape {Layout.Fmt(y.Layout.Shape)} and gradient shape {Layout.Fmt(g.Layout.Shape)} differ");
        CheckSameDevice(name, y, g);
        var gRows = ToRows(ToDType(g, y.DType), axis, name, out _, out _);
        return AlongRows(y, axis, name, y.DType, (rows, dst) => Backend(y).SoftmaxBackward(rows, gRows, dst, log));
    }

    /// <summary>Inclusive prefix sum along axis (reverse: from the end). Integer and Bool inputs sum in Int64.</summary>
    public static Tensor Cumsum(Tensor x, int axis, bool reverse = false)
    {
        if (!x.DType.IsFloating()) x = ToDType(x, DType.Int64);
        return AlongRows(x, axis, "cumsum", x.DType, (rows, dst) => Backend(x).Cumsum(rows, dst, reverse));
    }

    /// <summary>x with axis moved last, as a contiguous [outer, n] matrix (no copy when axis is already last and contiguous).</summary>
    static Tensor ToRows(Tensor x, int axis, string op, out int[] perm, out int[] permShape)
    {
        if (x.Rank == 0) x = Reshape(x, 1);
        int a = Layout.Axis(axis, x.Rank, op);
        perm = [.. Enumerable.Range(0, x.Rank).Where(i => i != a), a];
        var moved = Contiguous(Permute(x, perm));
        permShape = moved.Layout.Shape;
        int n = x.Layout.Shape[a];
        return Reshape(moved, n == 0 ? 0 : x.Numel / n, n);
    }

    static Tensor AlongRows(Tensor x, int axis, string op, DType dtype, Action<Tensor, Tensor> kernel)
    {
        var rows = ToRows(x, axis, op, out var perm, out var permShape);
        var dst = Empty(rows.Layout.Shape, dtype, x.Device);
        if (dst.Numel > 0) kernel(rows, dst);
        var inverse = new int[perm.Length];
        for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return Reshape(Contiguous(Permute(Reshape(dst, permShape), inverse)), x.Layout.Shape);
    }
}
