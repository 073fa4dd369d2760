using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Core;

/// <summary>
/// Every SIMD elementwise path against the scalar path at every length 0..257, so vector bodies, tails and
/// the empty case are all exercised. The scalar path is forced by feeding the same values as a strided view
/// (stride 2), which the CPU backend runs element by element. Special values (NaN, ±∞, ±0) sit at fixed
/// positions once a row is long enough, so both paths must also agree on them.
/// </summary>
public class SimdLengthTests
{
    const int MaxLength = 257;

    static readonly DType[] AllNumeric = [DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8];

    /// <summary>A row of n values for dtype: mixed signs and fractions for floats, small integers otherwise, and
    /// NaN, ±∞, ±0 for floats once n is large enough.</summary>
    static double[] Row(int n, DType dtype, int salt = 0)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double r = Math.Sin(1.3 * i + salt) * 3 + 0.01 * (i % 5);
            v[i] = dtype.IsFloating() ? r : dtype == DType.UInt8 ? Math.Floor(Math.Abs(r) * 30) : Math.Round(r * 15);
        }
        if (dtype.IsFloating())
        {
            double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0];
            for (int k = 0; k < specials.Length; k++)
                if (n > 13 + 13 * k) v[11 + 13 * k + salt % 3] = specials[k];
        }
        return v;
    }

    static Tensor Contiguous(double[] v, DType dtype) => Raw.ToDType(Tensor.FromArray(v), dtype);

    /// <summary>The same values as a stride-2 view of a wider tensor: the backend's scalar path.</summary>
    static Tensor Strided(double[] v, DType dtype)
    {
        var wide = Raw.Empty([v.Length, 2], dtype, Device.Cpu);
        Raw.Fill(wide, 7);
        var column = Raw.Select(wide, 1, 0);
        Raw.CopyInto(Contiguous(v, dtype), column);
        return column;
    }

    static double[] D(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();

    /// <summary>One assertion per row: equal bit for bit (NaN = NaN) when tol = 0, else within tol relative.</summary>
    static void Agree(double[] simd, double[] scalar, double tol, string what)
    {
        simd.Length.Should().Be(scalar.Length, what);
        for (int i = 0; i < simd.Length; i++)
        {
            double a = simd[i], b = scalar[i];
            bool ok = a.Equals(b) || (tol > 0 && Math.Abs(a - b) <= tol * (1 + Math.Abs(b)));
            if (!ok) Assert.Fail($"{what}, element {i}: SIMD path {a:R}, scalar path {b:R}");
        }
    }

    static readonly (string Name, UnaryOp Op, double P0, double P1, bool Exact)[] Unaries =
    [
        ("neg", UnaryOp.Neg, 0, 0, true), ("abs", UnaryOp.Abs, 0, 0, true), ("exp", UnaryOp.Exp, 0, 0, false),
        ("log", UnaryOp.Log, 0, 0, false), ("log1p", UnaryOp.Log1p, 0, 0, false), ("sqrt", UnaryOp.Sqrt, 0, 0, false),
        ("rsqrt", UnaryOp.Rsqrt, 0, 0, false), ("sin", UnaryOp.Sin, 0, 0, false), ("cos", UnaryOp.Cos, 0, 0, false),
        ("tanh", UnaryOp.Tanh, 0, 0, false), ("sigmoid", UnaryOp.Sigmoid, 0, 0, false), ("relu", UnaryOp.Relu, 0, 0, true),
        ("atan", UnaryOp.Atan, 0, 0, false), ("erf", UnaryOp.Erf, 0, 0, false), ("erfc", UnaryOp.Erfc, 0, 0, false),
        ("sign", UnaryOp.Sign, 0, 0, true), ("floor", UnaryOp.Floor, 0, 0, true), ("ceil", UnaryOp.Ceil, 0, 0, true),
        ("round", UnaryOp.Round, 0, 0, true), ("reciprocal", UnaryOp.Reciprocal, 0, 0, false),
        ("square", UnaryOp.PowScalar, 2, 0, true), ("pow1.5", UnaryOp.PowScalar, 1.5, 0, false), ("pow-3", UnaryOp.PowScalar, -3, 0, false),
        ("clamp", UnaryOp.Clamp, -1, 1.5, true), ("clamp min>max", UnaryOp.Clamp, 1, -1, true),
    ];

    static bool IntegerDefined(UnaryOp op) => op is UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Sign or UnaryOp.Relu or UnaryOp.Clamp
        or UnaryOp.Floor or UnaryOp.Ceil or UnaryOp.Round;

    [Test]
    public void UnaryContiguousEqualsStrided([Range(0, 24)] int which)
    {
        var (name, op, p0, p1, exact) = Unaries[which];
        foreach (var dtype in AllNumeric.Where(d => d.IsFloating() || IntegerDefined(op)))
            for (int n = 0; n <= MaxLength; n++)
            {
                var v = Row(n, dtype);
                double tol = exact ? 0 : dtype == DType.Float32 ? 1e-6 : 1e-14;
                Agree(D(Raw.Unary(op, Contiguous(v, dtype), p0, p1)), D(Raw.Unary(op, Strided(v, dtype), p0, p1)), tol, $"{name} {dtype} n={n}");
            }
    }

    [Test]
    public void LogicalNotContiguousEqualsStrided()
    {
        for (int n = 0; n <= MaxLength; n++)
        {
            var v = Row(n, DType.Int32).Select(e => e > 0 ? 1.0 : 0).ToArray();
            var simd = D(Raw.Unary(UnaryOp.LogicalNot, Contiguous(v, DType.Bool)));
            Agree(simd, D(Raw.Unary(UnaryOp.LogicalNot, Strided(v, DType.Bool))), 0, $"not n={n}");
            Agree(simd, v.Select(e => e == 0 ? 1.0 : 0).ToArray(), 0, $"not vs definition n={n}");
        }
    }

    static readonly BinaryOp[] BinaryOps = Enum.GetValues<BinaryOp>();

    [Test]
    public void BinaryContiguousEqualsStridedForEveryOperandShape([ValueSource(nameof(BinaryOps))] BinaryOp op)
    {
        bool exact = op is not BinaryOp.Pow;
        foreach (var dtype in AllNumeric.Append(DType.Bool))
        {
            var t = dtype == DType.Bool ? DType.Int32 : dtype;
            bool defined = dtype != DType.Bool || op is BinaryOp.Eq or BinaryOp.Ne or BinaryOp.LogicalAnd or BinaryOp.LogicalOr;
            if (!defined) continue;
            for (int n = 0; n <= MaxLength; n++)
            {
                var av = Row(n, t, 1); var bv = Row(n, t, 2);
                if (dtype == DType.Bool) { av = av.Select(e => e > 0 ? 1.0 : 0).ToArray(); bv = bv.Select(e => e < 10 ? 1.0 : 0).ToArray(); }
                var s = Raw.ToDType(Tensor.Scalar(av.Length > 3 ? av[3] : 1, DType.Float64), dtype);
                var (a, b, sa, sb) = (Contiguous(av, dtype), Contiguous(bv, dtype), Strided(av, dtype), Strided(bv, dtype));
                double tol = exact ? 0 : dtype == DType.Float32 ? 1e-6 : 1e-14;
                string what = $"{op} {dtype} n={n}";
                Agree(D(Raw.Binary(op, a, b)), D(Raw.Binary(op, sa, sb)), tol, what + " vector∘vector");
                Agree(D(Raw.Binary(op, a, s)), D(Raw.Binary(op, sa, s)), tol, what + " vector∘scalar");
                Agree(D(Raw.Binary(op, s, b)), D(Raw.Binary(op, s, sb)), tol, what + " scalar∘vector");
            }
        }
    }

    [Test]
    public void WhereContiguousEqualsStrided([Values(DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8, DType.Bool)] DType dtype)
    {
        for (int n = 0; n <= MaxLength; n++)
        {
            var cv = Row(n, DType.Float64, 3).Select(e => e > 0.5 ? 1.0 : 0).ToArray();
            var av = Row(n, dtype == DType.Bool ? DType.UInt8 : dtype, 1).Select(e => dtype == DType.Bool ? e % 2 : e).ToArray();
            var bv = Row(n, dtype == DType.Bool ? DType.UInt8 : dtype, 2).Select(e => dtype == DType.Bool ? (e + 1) % 2 : e).ToArray();
            var (c, sc) = (Contiguous(cv, DType.Bool), Strided(cv, DType.Bool));
            var (a, b, sa, sb) = (Contiguous(av, dtype), Contiguous(bv, dtype), Strided(av, dtype), Strided(bv, dtype));
            var zero = Raw.ToDType(Tensor.Scalar(0, DType.Float64), dtype);
            var expected = cv.Select((e, i) => e != 0 ? D(a)[i] : D(b)[i]).ToArray();
            Agree(D(Raw.Where(c, a, b)), expected, 0, $"where {dtype} n={n}");
            Agree(D(Raw.Where(sc, sa, sb)), expected, 0, $"where strided {dtype} n={n}");
            Agree(D(Raw.Where(c, a, zero)), D(Raw.Where(sc, sa, zero)), 0, $"where(c, a, 0) {dtype} n={n}");
            Agree(D(Raw.Where(c, zero, b)), D(Raw.Where(sc, zero, sb)), 0, $"where(c, 0, b) {dtype} n={n}");
        }
    }

    [Test]
    public void ConversionsContiguousEqualStrided([Values(DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8, DType.Bool)] DType from)
    {
        foreach (var to in AllNumeric.Append(DType.Bool))
            for (int n = 0; n <= MaxLength; n++)
            {
                // Float → integer is defined only in range: keep finite values there (and non-negative for UInt8).
                var v = Row(n, from == DType.Bool ? DType.UInt8 : from).Select(e => from == DType.Bool ? e % 2 : e).ToArray();
                if (from.IsFloating() && !to.IsFloating() && to != DType.Bool)
                    v = v.Select(e => double.IsFinite(e) ? (to == DType.UInt8 ? Math.Abs(e) * 40 : e * 1000) : 1).ToArray();
                var simd = D(Raw.ToDType(Contiguous(v, from), to));
                Agree(simd, D(Raw.ToDType(Strided(v, from), to)), 0, $"{from}→{to} n={n}");
                if (to == DType.Bool) Agree(simd, v.Select(e => e != 0 ? 1.0 : 0).ToArray(), 0, $"{from}→Bool is x != 0, n={n}");
            }
    }

    [Test]
    public void SoftmaxBackwardRowsMatchTheFormula()
    {
        for (int n = 0; n <= MaxLength; n++)
        {
            var x = Tensor.FromArray(Ops.Reference.Row(2 * n), 2, n);
            var g = Tensor.FromArray(Ops.Reference.Row(2 * n, 5), 2, n);
            var y = Raw.Softmax(x, 1);
            var ly = Raw.Softmax(x, 1, log: true);
            var (yv, lv, gv) = (D(y), D(ly), D(g));
            var dSoft = new double[2 * n];
            var dLog = new double[2 * n];
            for (int r = 0; r < 2; r++)
            {
                double dot = 0, sum = 0;
                for (int i = 0; i < n; i++) { dot += gv[r * n + i] * yv[r * n + i]; sum += gv[r * n + i]; }
                for (int i = 0; i < n; i++)
                {
                    dSoft[r * n + i] = yv[r * n + i] * (gv[r * n + i] - dot);
                    dLog[r * n + i] = gv[r * n + i] - Math.Exp(lv[r * n + i]) * sum;
                }
            }
            Agree(D(Raw.SoftmaxBackward(y, g, 1)), dSoft, 1e-13, $"softmax backward n={n}");
            Agree(D(Raw.SoftmaxBackward(ly, g, 1, log: true)), dLog, 1e-13, $"log-softmax backward n={n}");
        }
    }
}
