using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Grad;

/// <summary>
/// Every differentiable op against central differences in Float64, on seeded random shapes. Each input reaches
/// the op by a random route: the leaf itself, a permuted (strided) view, a narrowed view of a larger leaf, or a
/// broadcast (stride-0) view of a smaller one; binary ops also broadcast their operands against each other.
/// </summary>
public class GradCheckRandomShapeTests
{
    const int Trials = 6;

    sealed record Case(Tensor[] Inputs, Func<Tensor[], Tensor> F, string Shapes);

    /// <summary>Distinct values (a shuffled grid with a random offset), so maxima have no ties and no value sits on a
    /// kink (0 for relu/abs, ±1 for clamp, integers and halves for floor/round).</summary>
    static Tensor Values(Random r, int[] shape, bool positive)
    {
        int n = Layout.NumelOf(shape);
        var order = Enumerable.Range(0, n).OrderBy(_ => r.Next()).ToArray();
        double offset = 0.013 + 0.05 * r.NextDouble();
        var v = order.Select(k => positive ? 0.3 + 2.0 * (k + offset) / Math.Max(n, 1) : -2 + 4.0 * (k + offset) / Math.Max(n, 1)).ToArray();
        return Tensor.FromArray(v, shape);
    }

    static int[] Shape(Random r, int minRank, int maxRank, int maxDim = 4) =>
        Enumerable.Range(0, r.Next(minRank, maxRank + 1)).Select(_ => r.Next(1, maxDim + 1)).ToArray();

    /// <summary>A leaf and the view of it the op sees, of the requested shape.</summary>
    static (Tensor Leaf, Func<Tensor, Tensor> View, string Route) Input(Random r, int[] shape, bool positive = false)
    {
        int rank = shape.Length;
        int route = rank == 0 ? 0 : r.Next(4);
        switch (route)
        {
            case 1: // a permuted view: the leaf holds the axes in reverse order
                var reversed = Enumerable.Range(0, rank).Reverse().ToArray();
                return (Values(r, [.. shape.Reverse()], positive), t => t.Permute(reversed), "permuted");
            case 2: // a narrowed view of a leaf two larger on one axis
                int a = r.Next(rank);
                var wide = (int[])shape.Clone();
                wide[a] += 2;
                return (Values(r, wide, positive), t => t.Narrow(a, 1, shape[a]), $"narrowed on axis {a}");
            case 3: // a broadcast view of a leaf with size 1 on some axes
                var small = shape.Select(d => r.Next(2) == 0 ? 1 : d).ToArray();
                return (Values(r, small, positive), t => t.Expand(shape), $"expanded from {Layout.Fmt(small)}");
            default:
                return (Values(r, shape, positive), t => t, "contiguous");
        }
    }

    static Case One(Random r, int[] shape, Func<Tensor, Tensor> op, bool positive = false)
    {
        var (leaf, view, route) = Input(r, shape, positive);
        return new([leaf], t => op(view(t[0])), $"{Layout.Fmt(shape)} {route}");
    }

    static Case Unary(Random r, Func<Tensor, Tensor> op, bool positive = false) => One(r, Shape(r, 0, 3), op, positive);

    /// <summary>Two operands whose shapes broadcast: each drops leading axes or sets axes to 1 at random.</summary>
    static Case Binary(Random r, Func<Tensor, Tensor, Tensor> op, bool positiveA = false, bool positiveB = false)
    {
        var full = Shape(r, 1, 3);
        int[] Part() => full[r.Next(full.Length + 1)..].Select(d => r.Next(3) == 0 ? 1 : d).ToArray();
        var (sa, sb) = (Part(), Part());
        var (la, va, ra) = Input(r, sa, positiveA);
        var (lb, vb, rb) = Input(r, sb, positiveB);
        return new([la, lb], t => op(va(t[0]), vb(t[1])), $"{Layout.Fmt(sa)} {ra} with {Layout.Fmt(sb)} {rb}");
    }

    /// <summary>Two operands of one random shape, each by its own route.</summary>
    static Case SameShape(Random r, Func<Tensor, Tensor, Tensor> op)
    {
        var shape = Shape(r, 1, 3);
        var (la, va, ra) = Input(r, shape);
        var (lb, vb, rb) = Input(r, shape);
        return new([la, lb], t => op(va(t[0]), vb(t[1])), $"{Layout.Fmt(shape)} {ra} and {rb}");
    }

    static int Axis(Random r, int rank) => r.Next(-rank, rank);

    static int[] Axes(Random r, int rank) => Enumerable.Range(0, rank).Where(_ => r.Next(2) == 0).ToArray();

    static Tensor Index(Random r, int[] shape, int bound) =>
        Tensor.FromArray(Enumerable.Range(0, Layout.NumelOf(shape)).Select(_ => (long)r.Next(bound)).ToArray(), shape);

    /// <summary>An op built for a random shape of rank ≥ minRank with sizes ≥ minDim; building may draw random
    /// arguments (axes, indices) once, before the check runs.</summary>
    static Case Built(Random r, int minRank, Func<int[], Func<Tensor, Tensor>> build, int minDim = 1)
    {
        var shape = Enumerable.Range(0, r.Next(minRank, 4)).Select(_ => r.Next(minDim, 5)).ToArray();
        return One(r, shape, build(shape));
    }

    /// <summary>Reduction-style ops: random axes (none = all) and keepDim.</summary>
    static Case Reduced(Random r, Func<Tensor, int[], bool, Tensor> op, int minDim = 1) => Built(r, 1, s =>
    {
        var axes = Axes(r, s.Length);
        bool keep = r.Next(2) == 0;
        return x => op(x, axes, keep);
    }, minDim);

    static Case AlongAxis(Random r, Func<Tensor, int, Tensor> op) => Built(r, 1, s =>
    {
        int axis = Axis(r, s.Length);
        return x => op(x, axis);
    });

    /// <summary>Index ops: an axis and index values for it, drawn once for the shape.</summary>
    static Case Indexed(Random r, Func<Tensor, int, Tensor, Tensor> op, Func<int[], int, int[]> indexShape) => Built(r, 1, s =>
    {
        int axis = Axis(r, s.Length);
        var index = Index(r, indexShape(s, axis), s[(axis + s.Length) % s.Length]);
        return x => op(x, axis, index);
    });

    static Case Conv(Random r, bool transposed, bool oneD)
    {
        int groups = r.Next(1, 3), cin = groups * r.Next(1, 3), cout = groups * r.Next(1, 3);
        int k = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, k), d = r.Next(1, 3);
        int h = oneD ? 1 : r.Next(k * d, k * d + 3), w = r.Next(k * d, k * d + 3);
        int[] xs = oneD ? [r.Next(1, 3), cin, w] : [r.Next(1, 3), cin, h, w];
        int[] ws = transposed ? [cin, cout / groups, k, k] : oneD ? [cout, cin / groups, k] : [cout, cin / groups, k, k];
        var (lx, vx, rx) = Input(r, xs);
        var (lw, vw, rw) = Input(r, ws);
        var bias = Values(r, [cout], false);
        int outPad = transposed ? r.Next(0, Math.Max(s, d)) : 0;
        Func<Tensor[], Tensor> f = transposed
            ? t => vx(t[0]).ConvTranspose2d(vw(t[1]), t[2], s, p, outputPadding: outPad, groups: groups, dilation: d)
            : oneD ? t => vx(t[0]).Conv1d(vw(t[1]), t[2], s, p, d, groups)
            : t => vx(t[0]).Conv2d(vw(t[1]), t[2], s, p, d, groups);
        return new([lx, lw, bias], f, $"x {Layout.Fmt(xs)} {rx}, w {Layout.Fmt(ws)} {rw}, stride {s}, padding {p}, dilation {d}, groups {groups}");
    }

    static Case Pool(Random r, Func<Tensor, int, int, int, Tensor> op, bool oneD)
    {
        int k = r.Next(1, 4), s = r.Next(1, 3), p = r.Next(0, k / 2 + 1);
        int[] shape = oneD ? [r.Next(1, 3), r.Next(1, 3), r.Next(k, k + 4)] : [r.Next(1, 3), r.Next(1, 3), r.Next(k, k + 3), r.Next(k, k + 3)];
        var c = One(r, shape, x => op(x, k, s, p));
        return c with { Shapes = $"{c.Shapes}, kernel {k}, stride {s}, padding {p}" };
    }

    static readonly (string Name, Func<Random, Case> Make)[] Cases =
    [
        ("neg", r => Unary(r, x => x.Neg())), ("abs", r => Unary(r, x => x.Abs())), ("exp", r => Unary(r, x => x.Exp())),
        ("log", r => Unary(r, x => x.Log(), true)), ("log1p", r => Unary(r, x => x.Log1p(), true)),
        ("sqrt", r => Unary(r, x => x.Sqrt(), true)), ("rsqrt", r => Unary(r, x => x.Rsqrt(), true)),
        ("sin", r => Unary(r, x => x.Sin())), ("cos", r => Unary(r, x => x.Cos())), ("tanh", r => Unary(r, x => x.Tanh())),
        ("sigmoid", r => Unary(r, x => x.Sigmoid())), ("relu", r => Unary(r, x => x.Relu())), ("atan", r => Unary(r, x => x.Atan())),
        ("erf", r => Unary(r, x => x.Erf())), ("erfc", r => Unary(r, x => x.Erfc())),
        ("reciprocal", r => Unary(r, x => x.Reciprocal(), true)), ("pow(3)", r => Unary(r, x => x.Pow(3))),
        ("pow(-1.5)", r => Unary(r, x => x.Pow(-1.5), true)), ("clamp", r => Unary(r, x => x.Clamp(-1, 1))),
        ("clamp(min)", r => Unary(r, x => x.Clamp(min: 0.5))),
        ("sign·x", r => Unary(r, x => x.Sign() * x)), ("floor+round+ceil", r => Unary(r, x => x.Floor() + x.Round() + x.Ceil() + x)),
        ("scalar operators", r => Unary(r, x => (2 - x) * 3 + x / 4 - 1 / (x * x + 1))),
        ("add", r => Binary(r, (a, b) => a + b)), ("sub", r => Binary(r, (a, b) => a - b)), ("mul", r => Binary(r, (a, b) => a * b)),
        ("div", r => Binary(r, (a, b) => a / b, positiveB: true)), ("pow", r => Binary(r, (a, b) => a.Pow(b), positiveA: true)),
        ("maximum", r => Binary(r, (a, b) => a.Maximum(b))), ("minimum", r => Binary(r, (a, b) => a.Minimum(b))),
        ("where", r => Binary(r, (a, b) => Tensor.Where(a.Gt(b), a * 2, b))),
        ("sum", r => Reduced(r, (x, a, k) => x.Sum(a, k))), ("mean", r => Reduced(r, (x, a, k) => x.Mean(a, k))),
        ("prod", r => Reduced(r, (x, a, k) => x.Prod(a, k))), ("var", r => Reduced(r, (x, a, k) => x.Var(a, 0, k) + x.Sum(a, k))),
        // σ > 0 needs at least two distinct values per slice: sizes ≥ 2 and a distinct offset (inputs may be broadcast).
        ("std", r => Reduced(r, (x, a, k) => (x + Tensor.Arange(0, x.Numel, 1, DType.Float64).Reshape([.. x.Shape]) * 0.1).Std(a, 0, k), minDim: 2)), ("logsumexp", r => Reduced(r, (x, a, k) => x.LogSumExp(a, k))),
        ("amax", r => Reduced(r, (x, a, k) => x.Amax(a, k))), ("amin", r => Reduced(r, (x, a, k) => x.Amin(a, k))),
        ("max(axis)", r => AlongAxis(r, (x, a) => x.Max(a).Values)), ("min(axis)", r => AlongAxis(r, (x, a) => x.Min(a, keepDim: true).Values)),
        ("softmax", r => AlongAxis(r, (x, a) => x.Softmax(a))), ("log_softmax", r => AlongAxis(r, (x, a) => x.LogSoftmax(a))),
        ("cumsum", r => AlongAxis(r, (x, a) => x.Cumsum(a))), ("flip", r => AlongAxis(r, (x, a) => x.Flip(a))),
        ("reshape", r => Unary(r, x => x.Reshape(-1).Reshape(x.Numel, 1))), ("flatten", r => Unary(r, x => x.Flatten())),
        ("permute+transpose", r => Unary(r, x => x.Rank < 2 ? x.Unsqueeze(0) : x.Permute([.. Enumerable.Range(1, x.Rank - 1), 0]).Transpose(0, -1))),
        ("narrow+select", r => AlongAxis(r, (x, a) => x.Narrow(a, 0, 1).Select(a, 0))),
        ("expand+unsqueeze+squeeze", r => Unary(r, x => x.Unsqueeze(0).Expand([3, .. x.Shape]).Squeeze() * 1)),
        ("contiguous+clone", r => Unary(r, x => x.Contiguous().Clone())),
        ("cat", r => AlongAxis(r, (x, a) => Tensor.Cat([x, x.Exp(), x * 2], a))),
        ("stack", r => AlongAxis(r, (x, a) => Tensor.Stack([x, x.Sin()], a))),
        ("split+chunk", r => AlongAxis(r, (x, a) => Tensor.Cat([.. x.Split(2, a).Select(p => p * 2), .. x.Chunk(2, a)], a))),
        ("pad", r => Built(r, 1, s =>
        {
            var pads = Enumerable.Range(0, 2 * Math.Min(s.Length, 2)).Select(_ => r.Next(0, 3)).ToArray();
            return x => x.Pad(pads, 0.5);
        })),
        ("repeat", r => Unary(r, x => x.Repeat([.. Enumerable.Range(0, x.Rank + 1).Select(i => i % 2 + 1)]))),
        ("index_select", r => Indexed(r, (x, a, ix) => x.IndexSelect(a, ix), (_, _) => [3])),
        ("gather", r => Indexed(r, (x, a, ix) => x.Gather(a, ix), (s, _) => s)),
        ("scatter_add", r => Indexed(r, (x, a, ix) => x.ScatterAdd(a, ix, x.Sin()), (s, _) => s)),
        ("matmul", r =>
        {
            int m = r.Next(1, 4), k = r.Next(1, 4), n = r.Next(1, 4);
            var batch = Shape(r, 0, 2, 3);
            int[] sa = r.Next(4) == 0 ? [k] : [.. batch.Select(d => r.Next(2) == 0 ? 1 : d), m, k];
            int[] sb = r.Next(4) == 0 ? [k] : [.. batch[r.Next(batch.Length + 1)..], k, n];
            var (la, va, ra) = Input(r, sa);
            var (lb, vb, rb) = Input(r, sb);
            return new([la, lb], t => va(t[0]).Matmul(vb(t[1])), $"{Layout.Fmt(sa)} {ra} · {Layout.Fmt(sb)} {rb}");
        }),
        ("linear", r =>
        {
            int i = r.Next(1, 5), o = r.Next(1, 5);
            var xs = Shape(r, 0, 2, 3).Append(i).ToArray();
            var (lx, vx, rx) = Input(r, xs);
            var (lw, vw, rw) = Input(r, [o, i]);
            return new([lx, lw, Values(r, [o], false)], t => vx(t[0]).Linear(vw(t[1]), t[2]), $"x {Layout.Fmt(xs)} {rx}, w [{o}, {i}] {rw}");
        }),
        ("conv1d", r => Conv(r, false, true)), ("conv2d", r => Conv(r, false, false)), ("conv_transpose2d", r => Conv(r, true, false)),
        ("max_pool1d", r => Pool(r, (x, k, s, p) => x.MaxPool1d(k, s, p), true)),
        ("max_pool2d", r => Pool(r, (x, k, s, p) => x.MaxPool2d(k, s, p, ceilMode: s > 1), false)),
        ("avg_pool1d", r => Pool(r, (x, k, s, p) => x.AvgPool1d(k, s, p, countIncludePad: p > 0), true)),
        ("avg_pool2d", r => Pool(r, (x, k, s, p) => x.AvgPool2d(k, s, p, ceilMode: s > 1), false)),
        ("adaptive_avg_pool1d", r => Pool(r, (x, k, _, _) => x.AdaptiveAvgPool1d(k + 1), true)),
        ("adaptive_avg_pool2d", r => Pool(r, (x, k, s, _) => x.AdaptiveAvgPool2d((k, s + 1)), false)),
        ("adaptive_max_pool2d", r => Pool(r, (x, k, s, _) => x.AdaptiveMaxPool2d((s, k)), false)),
        ("batch_norm", r =>
        {
            var shape = Shape(r, 2, 4, 3);
            shape[0] += 1;
            int c = shape[1];
            bool training = r.Next(2) == 0;
            var (lx, vx, rx) = Input(r, shape);
            var rm = Values(r, [c], false); var rv = Values(r, [c], true);
            return new([lx, Values(r, [c], false), Values(r, [c], false)],
                t => vx(t[0]).BatchNorm(Raw.Clone(rm), Raw.Clone(rv), t[1], t[2], training), $"{Layout.Fmt(shape)} {rx}, training {training}");
        }),
        ("cross_entropy", r =>
        {
            var shape = Shape(r, 2, 3, 4);
            var target = Index(r, [shape[0], .. shape[2..]], shape[1]);
            double eps = r.Next(2) * 0.2;
            var weight = r.Next(2) == 0 ? Values(r, [shape[1]], true) : null;
            return One(r, shape, x => x.CrossEntropy(target, labelSmoothing: eps, weight: weight));
        }),
        ("nll_loss", r =>
        {
            var shape = Shape(r, 2, 2, 4);
            var target = Index(r, [shape[0]], shape[1]);
            return One(r, shape, x => x.LogSoftmax(1).NllLoss(target, Reduction.Sum));
        }),
        ("mse_loss", r => Binary(r, (a, b) => a.MseLoss(b))),
        ("binary_cross_entropy", r => SameShape(r, (a, b) => a.Sigmoid().BinaryCrossEntropy(b.Sigmoid()))),
        ("binary_cross_entropy_with_logits", r => SameShape(r, (a, b) => a.BinaryCrossEntropyWithLogits(b.Sigmoid(), reduction: Reduction.Sum))),
        ("dropout", r => Unary(r, x => x.Dropout(0.4, generator: new Generator(11)))),
        ("to(float32)", r => Unary(r, x => x.To(DType.Float32).To(DType.Float64) * 0 + x)),
    ];

    public static IEnumerable<string> Names => Cases.Select(c => c.Name);

    [TestCaseSource(nameof(Names))]
    public void PassesGradCheck(string name)
    {
        var make = Cases.Single(c => c.Name == name).Make;
        for (int trial = 0; trial < Trials; trial++)
        {
            var c = make(new Random(name.Sum(ch => ch) * 31 + trial));
            foreach (var x in c.Inputs) x.RequiresGrad = true;
            var report = GradCheck.Run(c.F, c.Inputs);
            report.Passed.Should().BeTrue($"{name}, trial {trial} ({c.Shapes}): {report}");
            report.Checked.Should().Be(c.Inputs.Sum(x => x.Numel));
        }
    }
}
