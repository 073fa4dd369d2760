namespace Spike;

/// <summary>
/// Non-differentiable ops: the one place that checks shapes, broadcasts, promotes dtypes and allocates
/// before calling a backend. Spike.Autograd builds every differentiable op on these; users normally call
/// the differentiable extension members instead.
/// </summary>
public static partial class Raw
{
    public static IBackend Backend(Tensor t) => Backends.For(t.Device);

    public static Tensor Empty(int[] shape, DType dtype, Device device)
    {
        var layout = Layout.Contiguous((int[])shape.Clone());
        return new Tensor(Backends.For(device).Allocate(dtype, layout.Numel), layout);
    }

    public static Tensor EmptyLike(Tensor x, DType? dtype = null) => Empty(x.Layout.Shape, dtype ?? x.DType, x.Device);

    public static Tensor Contiguous(Tensor x)
    {
        if (x.IsContiguous) return x;
        var y = EmptyLike(x);
        Backend(x).Copy(x, y);
        return y;
    }

    /// <summary>A contiguous copy (always a new storage).</summary>
    public static Tensor Clone(Tensor x)
    {
        var y = EmptyLike(x);
        Backend(x).Copy(x, y);
        return y;
    }

    public static Tensor ToDType(Tensor x, DType dtype)
    {
        if (x.DType == dtype) return x;
        var y = EmptyLike(x, dtype);
        Backend(x).Copy(x, y);
        return y;
    }

    public static Tensor ToDevice(Tensor x, Device device)
    {
        if (x.Device == device) return x;
        var cpu = ToCpu(x);
        return device.Kind == DeviceKind.Cpu ? cpu : Backends.For(device).FromCpu(Contiguous(cpu));
    }

    public static Tensor ToCpu(Tensor x) => x.Device.Kind == DeviceKind.Cpu ? x : Backend(x).ToCpu(x);

    /// <summary>Copies src into the existing tensor dst (broadcasting src, converting dtype).</summary>
    public static void CopyInto(Tensor src, Tensor dst)
    {
        CheckSameDevice("copy", src, dst);
        Backend(dst).Copy(src.WithLayout(src.Layout.Expand(dst.Layout.Shape)), dst);
    }

    public static void Fill(Tensor dst, double value) => Backend(dst).Fill(dst, value);

    // ---- views -------------------------------------------------------------------------------------

    public static Tensor View(Tensor x, params int[] shape)
    {
        var target = Layout.InferShape(shape, x.Numel, "view");
        var layout = x.Layout.TryView(target)
            ?? throw new InvalidOperationException($"view: shape {Layout.Fmt(target)} is incompatible with the strides of {x.Layout}; use Reshape");
        return x.WithLayout(layout);
    }

    /// <summary>A view when the strides allow it, otherwise a contiguous copy.</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        var target = Layout.InferShape(shape, x.Numel, "reshape");
        var layout = x.Layout.TryView(target);
        return layout is not null ? x.WithLayout(layout) : Contiguous(x).WithLayout(Layout.Contiguous(target));
    }

    public static Tensor Flatten(Tensor x) => Reshape(x, x.Numel);
    public static Tensor Permute(Tensor x, params int[] dims) => x.WithLayout(x.Layout.Permute(dims));
    public static Tensor Transpose(Tensor x, int a, int b) => x.WithLayout(x.Layout.Transpose(a, b));
    public static Tensor Narrow(Tensor x, int axis, int start, int length) => x.WithLayout(x.Layout.Narrow(axis, start, length));
    public static Tensor Select(Tensor x, int axis, int index) => x.WithLayout(x.Layout.Select(axis, index));
    public static Tensor Unsqueeze(Tensor x, int axis) => x.WithLayout(x.Layout.Unsqueeze(axis));
    public static Tensor Squeeze(Tensor x, int? axis = null) => x.WithLayout(x.Layout.Squeeze(axis));
    public static Tensor Expand(Tensor x, params int[] shape) => x.WithLayout(x.Layout.Expand(shape));

    // ---- elementwise -------------------------------------------------------------------------------

    /// <summary>Ops that need real numbers promote integer inputs to Float32, as PyTorch does.</summary>
    static bool NeedsFloat(UnaryOp op) => op is not (UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Sign or UnaryOp.Relu
        or UnaryOp.Clamp or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round or UnaryOp.LogicalNot);

    public static Tensor Unary(UnaryOp op, Tensor x, double p0 = 0, double p1 = 0)
    {
        if (op == UnaryOp.LogicalNot) x = ToDType(x, DType.Bool);
        else if (x.DType == DType.Bool) throw new ArgumentException($"{op.ToString().ToLowerInvariant()}: not defined for Bool tensors of shape {Layout.Fmt(x.Layout.Shape)}; convert with To(DType.Float32)");
        else if (NeedsFloat(op)) x = ToDType(x, x.DType.ToFloating());
        var y = EmptyLike(x);
        Backend(x).Unary(op, x, y, p0, p1);
        return y;
    }

    static bool IsComparison(BinaryOp op) => op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge;
    static bool IsLogical(BinaryOp op) => op is BinaryOp.LogicalAnd or BinaryOp.LogicalOr;

    /// <summary>The dtype both operands are converted to before the kernel runs.</summary>
    public static DType ComputeType(BinaryOp op, DType a, DType b)
    {
        if (IsLogical(op)) return DType.Bool;
        var t = DTypes.Promote(a, b);
        if (op is BinaryOp.Div or BinaryOp.Pow) return t.ToFloating();
        if (t == DType.Bool && !IsComparison(op))
            throw new ArgumentException($"{op.ToString().ToLowerInvariant()}: arithmetic on two Bool tensors is not defined; use the logical ops or convert to a numeric type");
        return t;
    }

    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b)
    {
        string name = op.ToString().ToLowerInvariant();
        CheckSameDevice(name, a, b);
        var shape = Layout.Broadcast(a.Layout.Shape, b.Layout.Shape, name);
        var t = ComputeType(op, a.DType, b.DType);
        a = ToDType(a, t);
        b = ToDType(b, t);
        var dst = Empty(shape, IsComparison(op) || IsLogical(op) ? DType.Bool : t, a.Device);
        Backend(a).Binary(op, Expand(a, shape), Expand(b, shape), dst);
        return dst;
    }

    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        CheckSameDevice("where", a, b);
        CheckSameDevice("where", cond, a);
        var shape = Layout.Broadcast(Layout.Broadcast(cond.Layout.Shape, a.Layout.Shape, "where"), b.Layout.Shape, "where");
        var t = DTypes.Promote(a.DType, b.DType);
        var dst = Empty(shape, t, a.Device);
        Backend(a).Where(Expand(ToDType(cond, DType.Bool), shape), Expand(ToDType(a, t), shape), Expand(ToDType(b, t), shape), dst);
        return dst;
    }

    /// <summary>A 0-d tensor holding a Python-style scalar operand for <paramref name="like"/>: it takes the
    /// tensor's dtype unless a fractional value meets an integer tensor (then Float32), as PyTorch does.</summary>
    public static Tensor ScalarFor(double value, Tensor like)
    {
        var dtype = like.DType.IsFloating() || (value == Math.Floor(value) && like.DType != DType.Bool)
            ? like.DType
            : DType.Float32;
        var s = Empty([], dtype, like.Device);
        Fill(s, value);
        return s;
    }

    public static Tensor Random(RandomKind kind, int[] shape, DType dtype, Device device, Generator? generator, double p0, double p1)
    {
        string? bad = kind switch
        {
            RandomKind.Uniform when !(p0 <= p1) || double.IsInfinity(p1 - p0) => $"uniform: range [{p0}, {p1}) must be finite with low <= high",
            RandomKind.Normal when !(p1 >= 0) || !double.IsFinite(p0) => $"normal: mean {p0} must be finite and std {p1} non-negative",
            RandomKind.Bernoulli when !(p0 >= 0 && p0 <= 1) => $"bernoulli: probability {p0} must be in [0, 1]",
            _ => null,
        };
        if (bad is not null) throw new ArgumentOutOfRangeException(nameof(p0), $"{bad} (shape {Layout.Fmt(shape)})");
        var g = generator ?? Generator.Default;
        var dst = Empty(shape, dtype, device);
        Backend(dst).Random(kind, dst, g.Seed, g.Take(dst.Numel), p0, p1);
        return dst;
    }

    internal static void CheckSameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
            throw new ArgumentException($"{op}: operands are on {a.Device} and {b.Device}; move them to one device");
    }
}
