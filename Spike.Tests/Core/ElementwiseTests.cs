using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;

namespace Spike.Tests.Core;


public class ElementwiseTests
{
    static readonly (UnaryOp Op, Func<double, double> Ref, double Lo, double Hi)[] Unaries =
    [
        (UnaryOp.Neg, v => -v, -3, 3), (UnaryOp.Abs, Math.Abs, -3, 3), (UnaryOp.Exp, Math.Exp, -3, 3),
        (UnaryOp.Log, Math.Log, 0.1, 5), (UnaryOp.Log1p, v => Math.Log(1 + v), -0.5, 3), (UnaryOp.Sqrt, Math.Sqrt, 0.01, 9),
        (UnaryOp.Rsqrt, v => 1 / Math.Sqrt(v), 0.1, 9), (UnaryOp.Sin, Math.Sin, -4, 4), (UnaryOp.Cos, Math.Cos, -4, 4),
        (UnaryOp.Tanh, Math.Tanh, -4, 4), (UnaryOp.Sigmoid, v => 1 / (1 + Math.Exp(-v)), -6, 6),
        (UnaryOp.Relu, v => Math.Max(v, 0), -3, 3), (UnaryOp.Atan, Math.Atan, -4, 4),
        (UnaryOp.Erf, ErfReference, -4, 4), (UnaryOp.Erfc, v => 1 - ErfReference(v), -4, 2.5),
        (UnaryOp.Sign, v => Math.Sign(v), -3, 3), (UnaryOp.Floor, Math.Floor, -3, 3), (UnaryOp.Ceil, Math.Ceiling, -3, 3),
        (UnaryOp.Round, v => Math.Round(v, MidpointRounding.ToEven), -3, 3), (UnaryOp.Reciprocal, v => 1 / v, 0.2, 4),
    ];

    /// <summary>Abramowitz–Stegun 7.1.26 is too coarse for a reference, so integrate e^(−t²) by Simpson's rule.</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<double, double> ErfCache = new();

    static double ErfReference(double x) => ErfCache.GetOrAdd(x, Simpson);

    static double Simpson(double x)
    {
        const int n = 20000;
        double h = x / n, s = 1 + Math.Exp(-x * x);
        for (int i = 1; i < n; i++) s += (i % 2 == 1 ? 4 : 2) * Math.Exp(-(i * h) * (i * h));
        return 2 / Math.Sqrt(Math.PI) * s * h / 3;
    }

    [Test]
    public void UnaryMatchesScalarReferenceAtEveryLengthAndLayout([Range(0, 19)] int which)
    {
        var (op, reference, lo, hi) = Unaries[which];
        for (int n = 0; n <= 257; n++)
        {
            var values = Enumerable.Range(0, n).Select(i => lo + (hi - lo) * ((i * 37 % 101) / 100.0)).ToArray();
            var x64 = Tensor.FromArray(values);
            var y64 = Raw.Unary(op, x64).ToArray<double>();
            for (int i = 0; i < n; i++) y64[i].Should().BeApproximately(reference(values[i]), 1e-12 + 1e-12 * Math.Abs(reference(values[i])), $"{op} n={n} i={i}");
            var x32 = Raw.ToDType(x64, DType.Float32);
            var y32 = Raw.Unary(op, x32).ToArray<float>();
            for (int i = 0; i < n; i++) ((double)y32[i]).Should().BeApproximately((float)reference((float)values[i]), 1e-6 + 2e-6 * Math.Abs(reference(values[i])), $"{op} f32 n={n} i={i}");
        }
        // Strided input (every other element of a wider tensor) takes the scalar path: same numbers.
        var wide = Tensor.FromArray(Enumerable.Range(0, 514).Select(i => lo + (hi - lo) * (i % 97) / 96.0).ToArray(), 257, 2);
        var strided = Raw.Select(wide, 1, 0);
        // (SIMD and scalar transcendentals may differ in the last bit.)
        Raw.Unary(op, strided).ToArray<double>().ShouldBeClose(Raw.Unary(op, Raw.Contiguous(strided)).ToArray<double>(), 1e-15);
    }

    [Test]
    public void PowClampAndIntegerUnaries()
    {
        var x = Tensor.FromArray(new[] { -2.0, -0.5, 0.0, 1.5, 3.0 });
        x.Clamp(-1, 2).ToArray<double>().Should().Equal(-1, -0.5, 0, 1.5, 2);
        x.Clamp(min: 0).ToArray<double>().Should().Equal(0, 0, 0, 1.5, 3);
        x.Abs().Pow(2).ToArray<double>().Should().Equal(4, 0.25, 0, 2.25, 9);
        x.Abs().Pow(0.5).ToArray<double>()[3].Should().BeApproximately(Math.Sqrt(1.5), 1e-15);
        var i = Tensor.FromArray(new[] { -3, 0, 4 });
        i.Neg().ToArray<int>().Should().Equal(3, 0, -4);
        i.Abs().ToArray<int>().Should().Equal(3, 0, 4);
        i.Sign().ToArray<int>().Should().Equal(-1, 0, 1);
        i.Clamp(-1, 2).ToArray<int>().Should().Equal(-1, 0, 2);
        i.Exp().DType.Should().Be(DType.Float32);
        Tensor.FromArray(new[] { 0.5, 1.5, 2.5, -0.5, -2.5 }).Round().ToArray<double>().Should().Equal(0, 2, 2, -0, -2);
        // torch.clamp with min > max gives max everywhere; relu, sign and clamp keep NaN.
        x.Clamp(1, -1).ToArray<double>().Should().Equal(-1, -1, -1, -1, -1);
        var nan = Tensor.FromArray(new[] { double.NaN, -1.0 });
        nan.Relu().ToArray<double>().Should().Equal(double.NaN, 0);
        nan.Sign().ToArray<double>().Should().Equal(double.NaN, -1);
        nan.Clamp(0, 1).ToArray<double>().Should().Equal(double.NaN, 0);
    }

    [Test]
    public void BinaryBroadcastsAndMatchesScalarLoops()
    {
        var ops = new (BinaryOp Op, Func<double, double, double> F)[]
        {
            (BinaryOp.Add, (a, b) => a + b), (BinaryOp.Sub, (a, b) => a - b), (BinaryOp.Mul, (a, b) => a * b),
            (BinaryOp.Div, (a, b) => a / b), (BinaryOp.Pow, Math.Pow), (BinaryOp.Maximum, Math.Max), (BinaryOp.Minimum, Math.Min),
        };
        var shapes = new (int[] A, int[] B)[] { ([5, 7], [5, 7]), ([5, 7], [7]), ([5, 1], [1, 7]), ([3, 1, 4], [2, 1]), ([300], []), ([], [300]), ([257], [257]) };
        foreach (var (op, f) in ops)
        foreach (var (sa, sb) in shapes)
        {
            var a = Tensor.FromArray(TestUtil.Values(Layout.NumelOf(sa), 3).Select(Math.Abs).ToArray(), sa.Length == 0 ? [] : sa);
            if (sa.Length == 0) a = a.Reshape();
            var b = Tensor.FromArray(TestUtil.Values(Layout.NumelOf(sb), 4), sb.Length == 0 ? [1] : sb);
            if (sb.Length == 0) b = b.Reshape();
            var y = Raw.Binary(op, a, b);
            var shape = Layout.Broadcast(sa, sb, "test");
            y.Shape.Should().Equal(shape);
            var ea = Raw.Contiguous(Raw.Expand(a, shape)).ToArray<double>();
            var eb = Raw.Contiguous(Raw.Expand(b, shape)).ToArray<double>();
            var expected = ea.Select((v, i) => f(v, eb[i])).ToArray();
            y.ToArray<double>().Should().Equal(expected, (p, q) => p.Equals(q), $"{op} {Layout.Fmt(sa)} {Layout.Fmt(sb)}");
        }
    }

    [Test]
    public void ComparisonsLogicAndWhere()
    {
        var a = Tensor.FromArray(new[] { 1f, 2f, 3f });
        var b = Tensor.FromArray(new[] { 2f, 2f, 2f });
        a.Lt(b).ToArray<bool>().Should().Equal(true, false, false);
        a.Le(b).ToArray<bool>().Should().Equal(true, true, false);
        a.Gt(b).ToArray<bool>().Should().Equal(false, false, true);
        a.Ge(2).ToArray<bool>().Should().Equal(false, true, true);
        a.Eq(b).ToArray<bool>().Should().Equal(false, true, false);
        a.Ne(b).ToArray<bool>().Should().Equal(true, false, true);
        a.Gt(1).LogicalAnd(a.Lt(3)).ToArray<bool>().Should().Equal(false, true, false);
        a.Gt(2).LogicalOr(a.Lt(2)).LogicalNot().ToArray<bool>().Should().Equal(false, true, false);
        Tensor.Where(a.Gt(1.5), a, Tensor.Scalar(-1)).ToArray<float>().Should().Equal(-1f, 2f, 3f);
    }

    [Test]
    public void ComparisonsMatchScalarsAtEveryLengthWithNaNAndBroadcast()
    {
        var ops = new (BinaryOp Op, Func<double, double, bool> F)[]
        {
            (BinaryOp.Eq, (p, q) => p == q), (BinaryOp.Ne, (p, q) => p != q), (BinaryOp.Lt, (p, q) => p < q),
            (BinaryOp.Le, (p, q) => p <= q), (BinaryOp.Gt, (p, q) => p > q), (BinaryOp.Ge, (p, q) => p >= q),
            (BinaryOp.LogicalAnd, (p, q) => p != 0 && q != 0), (BinaryOp.LogicalOr, (p, q) => p != 0 || q != 0),
        };
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8 })
            for (int n = 0; n <= 257; n++)
            {
                // Values from a small set so ties and zeros are common; NaN where the dtype has one.
                var av = Enumerable.Range(0, n).Select(i => (double)(i * 7 % 5)).ToArray();
                var bv = Enumerable.Range(0, n).Select(i => (double)(i * 3 % 4)).ToArray();
                if (dtype.IsFloating() && n > 9) { av[9] = double.NaN; bv[n / 2] = double.NaN; }
                var a = Raw.ToDType(Tensor.FromArray(av), dtype);
                var b = Raw.ToDType(Tensor.FromArray(bv), dtype);
                var s = Raw.ToDType(Tensor.Scalar(2, DType.Float64), dtype);
                foreach (var (op, f) in ops)
                {
                    Raw.Binary(op, a, b).ToArray<bool>().Should().Equal(av.Select((v, i) => f(v, bv[i])), $"{op} {dtype} n={n}");
                    Raw.Binary(op, a, s).ToArray<bool>().Should().Equal(av.Select(v => f(v, 2)), $"{op} {dtype} n={n} vs scalar");
                    Raw.Binary(op, s, b).ToArray<bool>().Should().Equal(bv.Select(v => f(2, v)), $"{op} {dtype} n={n} scalar vs");
                }
            }
    }

    [Test]
    public void LargeTensorsUseThreadsAndGiveTheSameAnswer()
    {
        int n = Strided.ParallelThreshold * 3 + 17;
        var x = Tensor.Rand([n], new Generator(9));
        var y = (x * 2 + 1).ToArray<float>();
        var xs = x.ToArray<float>();
        for (int i = 0; i < n; i += 997) y[i].Should().Be(xs[i] * 2 + 1);
        int rows = n / 64;
        var m = Tensor.Rand([rows, 64], new Generator(10));
        var t = Raw.Contiguous(m.T).ToArray<float>(); // t[c, r] = m[r, c]
        var ms = m.ToArray<float>();
        foreach (var (r, c) in new[] { (0, 0), (2, 1), (rows - 1, 63), (rows / 2, 17) })
            t[c * rows + r].Should().Be(ms[r * 64 + c]);
    }
}
