using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>kernels/elementwise.cu executed on the host (g++ + host_shim.h) against the CPU backend.</summary>
public class HostElementwiseTests
{
    // A small grid on purpose: every kernel must be correct through its grid-stride loop.
    static readonly (int, int, bool) Small = (3, 32, false);

    static HostKernels Lib => HostKernels.For("elementwise.cu");
    static HostKernels Copy => HostKernels.For("copy.cu");
    static KernelLayout L(Layout l) => KernelLayout.From(l);
    static KernelLayout Flat(int n) => KernelLayout.From(Layout.Contiguous([n]));

    static readonly (UnaryOp Op, double Lo, double Hi, double P0, double P1)[] Unaries =
    [
        (UnaryOp.Neg, -3, 3, 0, 0), (UnaryOp.Abs, -3, 3, 0, 0), (UnaryOp.Exp, -3, 3, 0, 0), (UnaryOp.Log, 0.1, 5, 0, 0),
        (UnaryOp.Log1p, -0.5, 3, 0, 0), (UnaryOp.Sqrt, 0.01, 9, 0, 0), (UnaryOp.Rsqrt, 0.1, 9, 0, 0), (UnaryOp.Sin, -4, 4, 0, 0),
        (UnaryOp.Cos, -4, 4, 0, 0), (UnaryOp.Tanh, -4, 4, 0, 0), (UnaryOp.Sigmoid, -6, 6, 0, 0), (UnaryOp.Relu, -3, 3, 0, 0),
        (UnaryOp.Atan, -4, 4, 0, 0), (UnaryOp.Erf, -4, 4, 0, 0), (UnaryOp.Erfc, -4, 2.5, 0, 0), (UnaryOp.Sign, -3, 3, 0, 0),
        (UnaryOp.Floor, -3, 3, 0, 0), (UnaryOp.Ceil, -3, 3, 0, 0), (UnaryOp.Round, -3, 3, 0, 0), (UnaryOp.Reciprocal, 0.2, 4, 0, 0),
        (UnaryOp.PowScalar, 0.1, 3, 2, 0), (UnaryOp.PowScalar, 0.1, 3, 1.5, 0), (UnaryOp.Clamp, -3, 3, -1, 0.5),
    ];

    [Test]
    public void UnaryMatchesCpuBackendOnStridedInput([Range(0, 22)] int which)
    {
        var (op, lo, hi, p0, p1) = Unaries[which];
        const int n = 203;
        // Input: every other element of a [n, 2] tensor (stride 2, offset 1); includes exact halves for Round.
        var wide = Enumerable.Range(0, 2 * n).Select(i => (float)(lo + (hi - lo) * (i * 37 % 401) / 400.0)).ToArray();
        if (lo <= -3) { wide[101] = 0.5f; wide[103] = 1.5f; wide[105] = -2.5f; }
        var xTensor = Raw.Select(Tensor.FromArray(wide, n, 2), 1, 1);
        var expected = Raw.Unary(op, xTensor, p0, p1).ToArray<float>();
        var d = new float[n];
        Lib.Run("unary_f32", Small, (long)n, (int)op, (float)p0, (float)p1, L(xTensor.Layout), wide, Flat(n), d);
        for (int i = 0; i < n; i++) Near(d[i], expected[i], 1e-6f + 4e-6f * Math.Abs(expected[i]), $"{op} at {i}");
        if (op is UnaryOp.Round) (d[50], d[51], d[52]).Should().Be((0f, 2f, -2f), "ties round half to even");
    }

    /// <summary>Approximately equal, with NaN matching NaN and infinities matching exactly.</summary>
    static void Near(float actual, float expected, float tol, string because)
    {
        if (float.IsNaN(expected)) float.IsNaN(actual).Should().BeTrue(because);
        else if (float.IsInfinity(expected)) actual.Should().Be(expected, because);
        else actual.Should().BeApproximately(expected, tol, because);
    }

    static readonly BinaryOp[] Arithmetic = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div, BinaryOp.Pow, BinaryOp.Maximum, BinaryOp.Minimum];
    static readonly BinaryOp[] Comparisons = [BinaryOp.Eq, BinaryOp.Ne, BinaryOp.Lt, BinaryOp.Le, BinaryOp.Gt, BinaryOp.Ge, BinaryOp.LogicalAnd, BinaryOp.LogicalOr];

    /// <summary>a: [4,1,5] and b: [3,1] broadcast to [4,3,5] through stride-0 layouts; values on a 0.5 grid so
    /// comparisons meet equal operands.</summary>
    static (float[] A, float[] B, Tensor Ta, Tensor Tb, int[] Shape) Operands(bool positive)
    {
        var a = Enumerable.Range(0, 20).Select(i => positive ? 0.5f + (i * 7 % 9) * 0.5f : -2f + (i * 7 % 9) * 0.5f).ToArray();
        var b = new[] { positive ? 1.5f : 0f, 2f, positive ? 0.5f : -1f };
        int[] shape = [4, 3, 5];
        return (a, b, Raw.Expand(Tensor.FromArray(a, 4, 1, 5), shape), Raw.Expand(Tensor.FromArray(b, 3, 1), shape), shape);
    }

    [Test]
    public void BinaryBroadcastsThroughStrideZeroLikeTheCpuBackend()
    {
        foreach (var op in Arithmetic)
        {
            var (a, b, ta, tb, shape) = Operands(positive: op == BinaryOp.Pow);
            var expected = Raw.Binary(op, ta, tb).ToArray<float>();
            var d = new float[60];
            Lib.Run("binary_f32", Small, 60L, (int)op, L(ta.Layout), a, L(tb.Layout), b, Flat(60), d);
            for (int i = 0; i < 60; i++) Near(d[i], expected[i], 2e-6f * (1 + Math.Abs(expected[i])), $"{op} at {i}");
            if (op == BinaryOp.Div) expected.Should().Contain(float.PositiveInfinity).And.Contain(float.NaN, "x/0 and 0/0 included");
        }
        foreach (var op in Comparisons)
        {
            var (a, b, ta, tb, _) = Operands(positive: false);
            var expected = Raw.Binary(op, ta, tb).ToArray<bool>();
            var d = new byte[60];
            Lib.Run("compare_f32", Small, 60L, (int)op, L(ta.Layout), a, L(tb.Layout), b, Flat(60), d);
            d.Select(v => v != 0).Should().Equal(expected, op.ToString());
            expected.Should().Contain(true).And.Contain(false);
        }
    }

    [Test]
    public void MaximumPropagatesNanAndDstMayBeStrided()
    {
        var a = new[] { 1f, float.NaN, 3f };
        var b = new[] { 2f, 0f, float.NaN };
        // dst: the first column of a [3, 2] buffer (stride 2).
        var d = Enumerable.Repeat(-9f, 6).ToArray();
        var dstLayout = KernelLayout.Create(0, [3], [2]);
        Lib.Run("binary_f32", Small, 3L, (int)BinaryOp.Maximum, Flat(3), a, Flat(3), b, dstLayout, d);
        d[0].Should().Be(2f);
        float.IsNaN(d[2]).Should().BeTrue();
        float.IsNaN(d[4]).Should().BeTrue();
        d[1].Should().Be(-9f, "odd elements are outside the strided destination");
    }

    [Test]
    public void WhereFillCopyAndCastsMatchTheCpuBackend()
    {
        var cond = new byte[] { 1, 0, 0, 1, 1, 0 };
        var a = new[] { 1f, 2, 3, 4, 5, 6 };
        var b = new[] { -1f };
        var d = new float[6];
        Lib.Run("where_i32", Small, 6L, Flat(6), cond, Flat(6), a, KernelLayout.Create(0, [6], [0]), b, Flat(6), d);
        d.Should().Equal(1, -1, -1, 4, 5, -1);

        var f = new float[7];
        Copy.Run("fill_f32", Small, 7L, 2.5f, Flat(7), f);
        f.Should().OnlyContain(v => v == 2.5f);
        var i64 = new long[3];
        Copy.Run("fill_i64", Small, 3L, -(1L << 40), Flat(3), i64);
        i64.Should().OnlyContain(v => v == -(1L << 40));

        // Strided copy: the transpose of a [3, 4] matrix into a contiguous [4, 3].
        var m = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var t = Raw.Transpose(Tensor.FromArray(m, 3, 4), 0, 1);
        var c = new float[12];
        Copy.Run("copy_f32", Small, 12L, L(t.Layout), m, Flat(12), c);
        c.Should().Equal(Raw.Contiguous(t).ToArray<float>());

        // float -> int truncates toward zero; int -> float rounds.
        var src = new[] { -2.7f, -0.5f, 0.5f, 2.7f, 1e9f, -1e9f };
        var toInt = new int[6];
        Copy.Run("cast_f32_i32", Small, 6L, Flat(6), src, Flat(6), toInt);
        toInt.Should().Equal(Raw.ToDType(Tensor.FromArray(src), DType.Int32).ToArray<int>());
        var ints = new[] { 16777217, -3, 0 };
        var back = new float[3];
        Copy.Run("cast_i32_f32", Small, 3L, Flat(3), ints, Flat(3), back);
        back.Should().Equal(Raw.ToDType(Tensor.FromArray(ints), DType.Float32).ToArray<float>());
        var u8 = new byte[6];
        Copy.Run("cast_f32_u8", Small, 6L, Flat(6), new[] { 0f, 1f, 1.9f, 255f, 7.2f, 0.99f }, Flat(6), u8);
        u8.Should().Equal(0, 1, 1, 255, 7, 0);
    }

    [Test]
    public void HalfConversionsAreRoundToNearestEvenLikeSystemHalf()
    {
        // Every binary16 pattern to float and back; then floats around rounding ties, subnormals and overflow.
        var all = Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();
        var widened = new float[all.Length];
        Copy.Run("cast_f16_f32", (64, 128, false), (long)all.Length, Flat(all.Length), all, Flat(all.Length), widened);
        for (int i = 0; i < all.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(all[i]);
            if (float.IsNaN(expected)) float.IsNaN(widened[i]).Should().BeTrue($"pattern {i:x4}");
            else BitConverter.SingleToInt32Bits(widened[i]).Should().Be(BitConverter.SingleToInt32Bits(expected), $"pattern {i:x4}");
        }

        var rng = new Random(5);
        var floats = Enumerable.Range(0, 4000).Select(i => i switch
        {
            < 1000 => (float)BitConverter.UInt16BitsToHalf((ushort)rng.Next(0, 0x7c00)) * (1 + (rng.Next(0, 3) - 1) * 4.8828125e-4f), // near ties
            < 2000 => BitConverter.Int32BitsToSingle(rng.Next(0x33000000 - 100, 0x38800000 + 100)), // subnormal halves
            < 3000 => (float)(rng.NextDouble() * 140000 - 70000),                                      // overflow range
            _ => BitConverter.Int32BitsToSingle(rng.Next()),                                           // anything
        }).Concat([65504f, 65519.99f, 65520f, float.PositiveInfinity, -0f, 2.9802322e-8f, 2.9802326e-8f]).ToArray();
        var halves = new ushort[floats.Length];
        Copy.Run("cast_f32_f16", (64, 128, false), (long)floats.Length, Flat(floats.Length), floats, Flat(floats.Length), halves);
        for (int i = 0; i < floats.Length; i++)
        {
            var expected = (Half)floats[i];
            if (Half.IsNaN(expected)) Half.IsNaN(BitConverter.UInt16BitsToHalf(halves[i])).Should().BeTrue();
            else halves[i].Should().Be(BitConverter.HalfToUInt16Bits(expected), $"float {floats[i]:R} ({BitConverter.SingleToInt32Bits(floats[i]):x8})");
        }

        // binary_f16 computes in float and rounds once.
        var ha = new ushort[] { BitConverter.HalfToUInt16Bits((Half)1.5f), BitConverter.HalfToUInt16Bits((Half)1000f) };
        var hb = new ushort[] { BitConverter.HalfToUInt16Bits((Half)0.333f), BitConverter.HalfToUInt16Bits((Half)0.3f) };
        var hd = new ushort[2];
        Lib.Run("binary_f16", Small, 2L, (int)BinaryOp.Add, Flat(2), ha, Flat(2), hb, Flat(2), hd);
        for (int i = 0; i < 2; i++)
            hd[i].Should().Be(BitConverter.HalfToUInt16Bits((Half)((float)BitConverter.UInt16BitsToHalf(ha[i]) + (float)BitConverter.UInt16BitsToHalf(hb[i]))));
    }
}
