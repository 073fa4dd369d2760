using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets.Formats;
using Spike.Nn;

namespace Spike.Tests.Core;

/// <summary>Float16 on the CPU: conversions against a reference rounding written here from the binary16 definition,
/// promotion, views, ops computed in float and rounded, autograd and a small training step.</summary>
public sealed class Float16Tests
{
    /// <summary>Every non-negative finite binary16 value, ascending (index = bit pattern), decoded from the format:
    /// subnormals m·2⁻²⁴, normals (1 + m/1024)·2^(e − 15).</summary>
    static readonly double[] Finite = Enumerable.Range(0, 0x7c00)
        .Select(bits => (bits >> 10) == 0 ? Math.ScaleB(bits & 0x3ff, -24) : Math.ScaleB(1 + (bits & 0x3ff) / 1024.0, (bits >> 10) - 15))
        .ToArray();

    /// <summary>Round to nearest, ties to the even bit pattern; at or past 65520 (half an ulp above the largest finite
    /// value, whose pattern is odd) the result is infinity.</summary>
    static ushort ReferenceBits(double x)
    {
        if (double.IsNaN(x)) return 0x7e00;
        ushort sign = (ushort)(double.IsNegative(x) ? 0x8000 : 0);
        double a = Math.Abs(x);
        if (a > 65504) return (ushort)(sign | (a < 65520 ? 0x7bff : 0x7c00));
        int hi = Array.BinarySearch(Finite, a);
        if (hi >= 0) return (ushort)(sign | hi);
        hi = ~hi;  // Finite[hi - 1] < a < Finite[hi]
        double below = a - Finite[hi - 1], above = Finite[hi] - a;
        int pick = below < above ? hi - 1 : above < below ? hi : (hi - 1) % 2 == 0 ? hi - 1 : hi;
        return (ushort)(sign | pick);
    }

    static ushort Bits(Half h) => BitConverter.HalfToUInt16Bits(h);
    static ushort[] Bits(Tensor t) => t.ToArray<Half>().Select(Bits).ToArray();

    static readonly double[] Specials =
    [
        0, -0.0, 1, -1, 65504, 65519.99, 65520, -65520, 1e6, double.PositiveInfinity, double.NegativeInfinity,
        Math.ScaleB(1, -24), Math.ScaleB(1, -25), Math.ScaleB(3, -25), Math.ScaleB(1, -25) * 1.0001, Math.ScaleB(1, -26),
        Math.ScaleB(1023, -24), Math.ScaleB(1, -14), Math.ScaleB(2047, -25),  // largest subnormal, smallest normal, the tie between
        1 + Math.ScaleB(1, -11), 1 + Math.ScaleB(3, -11), 1 + Math.ScaleB(5, -11), 2049, 2051, -2049, 0.1, 1.0 / 3,
    ];

    [Test]
    public void FloatAndDoubleRoundToNearestEvenOnce()
    {
        var g = new Random(5);
        var values = Specials.Concat(Enumerable.Range(0, 4000).Select(_ => (g.NextDouble() - 0.5) * Math.ScaleB(1, g.Next(-30, 18)))).ToArray();
        var fromFloat = Tensor.FromArray(values.Select(v => (float)v).ToArray()).To(DType.Float16);
        Bits(fromFloat).Should().Equal(values.Select(v => ReferenceBits((float)v)));
        Bits(Tensor.FromArray(values).To(DType.Float16)).Should().Equal(values.Select(ReferenceBits));
        // Through float this double would round twice (to the tie 1 + 2^-11, then to 1): direct rounding gives 1 + 2^-10.
        Bits(Tensor.FromArray(new[] { 1 + Math.ScaleB(1, -11) + Math.ScaleB(1, -40) }).To(DType.Float16)).Should().Equal(0x3c01);
        var nan = Tensor.FromArray(new[] { float.NaN }).To(DType.Float16).ToArray<Half>()[0];
        Half.IsNaN(nan).Should().BeTrue();
    }

    [Test]
    public void EveryHalfWidensExactlyAndRoundTrips()
    {
        var all = Enumerable.Range(0, 65536).Select(b => BitConverter.UInt16BitsToHalf((ushort)b)).ToArray();
        var h = Tensor.FromArray(all);
        var f = h.To(DType.Float32).ToArray<float>();
        var d = h.To(DType.Float64).ToArray<double>();
        for (int b = 0; b < 65536; b++)
        {
            bool isNan = (b & 0x7c00) == 0x7c00 && (b & 0x3ff) != 0;
            if (isNan) { float.IsNaN(f[b]).Should().BeTrue(); continue; }
            double expected = (b & 0x7fff) == 0x7c00 ? double.PositiveInfinity : Finite[b & 0x7fff];
            if ((b & 0x8000) != 0) expected = -expected;
            (f[b] == expected && d[b] == expected && double.IsNegative(d[b]) == ((b & 0x8000) != 0)).Should().BeTrue($"pattern 0x{b:x4}");
        }
        var back32 = Bits(h.To(DType.Float32).To(DType.Float16));
        var back64 = Bits(h.To(DType.Float64).To(DType.Float16));
        for (int b = 0; b < 65536; b++)
            if ((b & 0x7c00) != 0x7c00 || (b & 0x3ff) == 0)
                (back32[b] == b && back64[b] == b).Should().BeTrue($"pattern 0x{b:x4}");
    }

    [Test]
    public void ConvertsToAndFromIntegersAndBool()
    {
        var h = Tensor.FromArray(new[] { 2.75, -2.75, 300, -300, 65504, double.NegativeInfinity, double.NaN, -0.0 }).To(DType.Float16);
        h.To(DType.Int32).ToArray<int>().Should().Equal(2, -2, 300, -300, 65504, int.MinValue, 0, 0);
        h.To(DType.Int64).ToArray<long>().Should().Equal(2, -2, 300, -300, 65504, long.MinValue, 0, 0);
        h.To(DType.UInt8).ToArray<byte>().Should().Equal(2, 0, 255, 0, 255, 0, 0, 0);
        h.To(DType.Bool).ToArray<bool>().Should().Equal(true, true, true, true, true, true, true, false);
        // Integers round once (2049 is a tie between 2048 and 2050: even wins) and overflow to infinity from 65520.
        var ints = new long[] { 2049, 2051, -2049, 65519, 65520, long.MaxValue, 7 };
        Bits(Tensor.FromArray(ints).To(DType.Float16)).Should().Equal(ints.Select(v => ReferenceBits(v)));
        Bits(Tensor.FromArray(ints.Select(v => (int)Math.Clamp(v, int.MinValue, int.MaxValue)).ToArray()).To(DType.Float16))
            .Should().Equal(ints.Select(v => ReferenceBits(Math.Clamp(v, int.MinValue, int.MaxValue))));
        Bits(Tensor.FromArray(new byte[] { 0, 255 }).To(DType.Float16)).Should().Equal(0, 0x5bf8);
        Bits(Tensor.FromArray(new[] { true, false }).To(DType.Float16)).Should().Equal(0x3c00, 0);
    }

    [Test]
    public void CreationItemToStringAndViews()
    {
        Tensor.Zeros([2, 2], DType.Float16).ToArray<Half>().Should().AllBeEquivalentTo(Half.Zero);
        Tensor.Ones([3], DType.Float16).ToArray<Half>().Should().AllBeEquivalentTo(Half.One);
        Bits(Tensor.Full([1], 0.1, DType.Float16)).Should().Equal(ReferenceBits(0.1));
        var x = Tensor.FromArray(new[] { (Half)1, (Half)2, (Half)3, (Half)4, (Half)5, (Half)6 }, 2, 3);
        x.DType.Should().Be(DType.Float16);
        x.DType.ElementSize().Should().Be(2);
        x.ToString().Should().Be("tensor([2, 3], Float16, cpu, [1, 2, 3, 4, 5, 6])");
        x.T.Contiguous().ToArray<Half>().Select(v => (float)v).Should().Equal(1, 4, 2, 5, 3, 6);
        x.Narrow(1, 1, 2).Sum().Item().Should().Be(16);
        FluentActions.Invoking(() => x.Item()).Should().Throw<InvalidOperationException>();
        x.Select(1, 2).Narrow(0, 1, 1).Item<Half>().Should().Be((Half)6);
        x.Unsqueeze(0).Expand(2, 2, 3).Contiguous().ToArray<Half>().Skip(6).Select(v => (float)v).Should().Equal(1, 2, 3, 4, 5, 6);
        // Random numbers are drawn in float and rounded: the same seed gives Float32's numbers rounded to half.
        var r16 = Tensor.Randn([100], new Generator(3), dtype: DType.Float16);
        var r32 = Tensor.Randn([100], new Generator(3));
        Bits(r16).Should().Equal(Bits(r32.To(DType.Float16)));
    }

    [Test]
    public void PromotionFollowsTorch()
    {
        DTypes.Promote(DType.Float16, DType.Float32).Should().Be(DType.Float32);
        DTypes.Promote(DType.Int64, DType.Float16).Should().Be(DType.Float16);
        DTypes.Promote(DType.Float16, DType.Bool).Should().Be(DType.Float16);
        DTypes.Promote(DType.Float16, DType.Float64).Should().Be(DType.Float64);
        DType.Float16.ToFloating().Should().Be(DType.Float16);
        var h = Tensor.Ones([2], DType.Float16);
        (h + Tensor.Ones([2], DType.Int64)).DType.Should().Be(DType.Float16);
        (h + Tensor.Ones([2])).DType.Should().Be(DType.Float32);
        (h * 2.5).DType.Should().Be(DType.Float16);
        (Tensor.Ones([2], DType.Int32) / h).DType.Should().Be(DType.Float16);
        h.Lt(2).DType.Should().Be(DType.Bool);
    }

    [Test]
    public void OpsComputeInFloatAndRoundTheResult()
    {
        var g = new Generator(8);
        var a = Tensor.Randn([6, 5], g, dtype: DType.Float16);
        var b = Tensor.Randn([5], g, dtype: DType.Float16);
        float[] af = a.ToArray<Half>().Select(v => (float)v).ToArray(), bf = b.ToArray<Half>().Select(v => (float)v).ToArray();
        ushort Round(double v) => ReferenceBits((float)v);
        Bits(a + b).Should().Equal(af.Select((v, i) => Round(v + bf[i % 5])));              // broadcast
        Bits(a.Exp()).Should().Equal(af.Select(v => Round(MathF.Exp(v))));
        Bits(a.Sigmoid()).Should().Equal(af.Select(v => Round(1f / (1f + MathF.Exp(-v)))), "sigmoid in float, then rounded");
        Bits(a.T * 3).Should().Equal(Enumerable.Range(0, 30).Select(i => Round(af[(i % 6) * 5 + i / 6] * 3f)));
        // Reductions and products accumulate in float and round once at the end (a half accumulator would drift).
        var ones = Tensor.Ones([4096], DType.Float16);
        ones.Sum().Item().Should().Be(4096, "2048 + 1 is not representable in half, so a half accumulator would stop at 2048");
        var rowSums = a.Sum(1).ToArray<Half>();
        for (int r = 0; r < 6; r++) Bits(rowSums[r]).Should().Be(Round(af.Skip(r * 5).Take(5).Sum()));
        var m = a.Matmul(a.T);
        m.DType.Should().Be(DType.Float16);
        var mv = m.ToArray<Half>();
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
            {
                double dot = 0;
                for (int k = 0; k < 5; k++) dot += af[i * 5 + k] * af[j * 5 + k];
                ((double)mv[i * 6 + j]).Should().BeApproximately(dot, Math.Abs(dot) * 1e-3 + 1e-6);
            }
        var soft = a.Softmax(1).ToArray<Half>();
        for (int r = 0; r < 6; r++)
        {
            var row = af.Skip(r * 5).Take(5).ToArray();
            double max = row.Max(), sum = row.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < 5; c++) ((double)soft[r * 5 + c]).Should().BeApproximately(Math.Exp(row[c] - max) / sum, 1e-3);
        }
        a.ArgMax(1).DType.Should().Be(DType.Int64);
        a.ArgMax(1).ToArray<long>().Should().Equal(Enumerable.Range(0, 6).Select(r => (long)Array.IndexOf(af, af.Skip(r * 5).Take(5).Max(), r * 5) - r * 5));
    }

    [Test]
    public void AFloat16LeafGetsAFloat16Gradient()
    {
        var x = Tensor.FromArray(new[] { (Half)0.5, (Half)(-1.5), (Half)3 }).RequiresGrad_();
        var y = (x * x * 0.5 + x.Exp()).Sum();
        y.DType.Should().Be(DType.Float16);
        y.Backward();
        x.Grad!.DType.Should().Be(DType.Float16);
        Bits(x.Grad).Should().Equal(new[] { 0.5f, -1.5f, 3f }.Select(v => ReferenceBits((float)(Half)(v + (float)(Half)MathF.Exp(v)))));
    }

    [Test]
    public void LinearLifTrainingStepInFloat16IsCloseToFloat32()
    {
        Module Net() => new Sequential(new Linear(12, 4, generator: new Generator(21)), new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi));
        var x = Tensor.Rand([6, 3, 12], new Generator(22), 0, 1.5);
        var target = Tensor.Rand([3, 4], new Generator(23));
        (double Loss, float[][] Params) Step(DType dtype)
        {
            var net = Net().To(dtype);
            var opt = new Sgd(net.Parameters(), lr: 0.5);
            var loss = Losses.Mse(net.Forward(x.To(dtype)).Mean(0), target.To(dtype));
            loss.DType.Should().Be(dtype);
            opt.ZeroGrad();
            loss.Backward();
            net.Parameters().Should().OnlyContain(p => p.Grad!.DType == dtype);
            opt.Step();
            return (loss.Item(), net.Parameters().Select(p => p.To(DType.Float32).ToArray<float>()).ToArray());
        }
        var (l32, p32) = Step(DType.Float32);
        var (l16, p16) = Step(DType.Float16);
        l16.Should().BeApproximately(l32, 2e-3);
        for (int i = 0; i < p32.Length; i++)
            p16[i].Zip(p32[i], (h, f) => Math.Abs(h - f)).Max().Should().BeLessThan(2e-3f, $"parameter {i} after one step");
    }

    [Test]
    public void SafeTensorsKeepsHalfBitsAndFormatsWithoutAHalfTypeSaySo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"spike-f16-{Environment.ProcessId}.safetensors");
        var bits = new ushort[] { 0x0001, 0x3c00, 0x7bff, 0xfc00, 0x8000 };
        SafeTensors.Save(path, [KeyValuePair.Create("w", Tensor.FromArray(bits.Select(BitConverter.UInt16BitsToHalf).ToArray()))]);
        var loaded = SafeTensors.Load(path).Tensors.Single().Value;
        File.Delete(path);
        loaded.DType.Should().Be(DType.Float16);
        Bits(loaded).Should().Equal(bits);

        var h = Tensor.Ones([2], DType.Float16);
        FluentActions.Invoking(() => Npy.Encode(h)).Should().Throw<ArgumentException>().WithMessage("*Float16*");
        FluentActions.Invoking(() => Idx.Encode(h)).Should().Throw<ArgumentException>().WithMessage("*Float16*");
    }
}
