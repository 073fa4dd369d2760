using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Linalg;

using static TestUtil;
using O = ConvReference.Options;

/// <summary>Conv1d/Conv2d/ConvTranspose2d forward and backward against direct Float64 loops, GradCheck with every
/// option, a Float32 run of the GEMM path, and error messages.</summary>
public class ConvTests
{
    static readonly (int[] X, int[] W, O Opt)[] Conv2dCases =
    [
        ([2, 3, 7, 6], [4, 3, 3, 3], new O()),
        ([2, 3, 7, 6], [4, 3, 3, 2], new O(SH: 2, SW: 1, PH: 1, PW: 2)),
        ([1, 4, 9, 8], [6, 2, 3, 3], new O(SH: 2, SW: 3, PH: 2, PW: 1, DH: 2, DW: 1, Groups: 2)),
        ([2, 6, 5, 5], [6, 1, 2, 2], new O(PH: 1, PW: 1, DH: 2, DW: 2, Groups: 6)),   // depthwise
        ([3, 4, 5, 4], [5, 4, 1, 1], new O()),                                          // 1×1: no im2col
        ([1, 2, 3, 3], [3, 2, 5, 5], new O(PH: 1, PW: 1)),                              // kernel = padded input
        ([2, 1, 6, 5], [12, 1, 2, 2], new O(PH: 1, PW: 1)),                             // Cout > C·KH·KW: dWᵀ product
    ];

    static Tensor T(double[] v, int[] s) => Tensor.FromArray(v, s);

    [Test]
    public void Conv2dForwardAndBackwardMatchDirectLoops([Range(0, 6)] int which, [Values(true, false)] bool withBias)
    {
        var (xs, ws, o) = Conv2dCases[which];
        var x = Values(Layout.NumelOf(xs), 1); var w = Values(Layout.NumelOf(ws), 2);
        var b = withBias ? Values(ws[0], 3) : null;
        var r = ConvReference.Conv2d(x, xs, w, ws, b, o, s => Values(Layout.NumelOf(s), 4));
        var (xt, wt, bt) = (T(x, xs).RequiresGrad_(), T(w, ws).RequiresGrad_(), b is null ? null : T(b, [ws[0]]).RequiresGrad_());
        var y = xt.Conv2d(wt, bt, (o.SH, o.SW), (o.PH, o.PW), (o.DH, o.DW), o.Groups);
        y.Shape.Should().Equal(r.YShape);
        y.ToArray<double>().ShouldBeClose(r.Y, 1e-12);
        y.Backward(T(Values(Layout.NumelOf(r.YShape), 4), r.YShape));
        xt.Grad!.ToArray<double>().ShouldBeClose(r.Dx, 1e-12);
        wt.Grad!.ToArray<double>().ShouldBeClose(r.Dw, 1e-12);
        if (bt is not null) bt.Grad!.ToArray<double>().ShouldBeClose(r.Db, 1e-12);
    }

    static readonly (int[] X, int[] W, O Opt)[] TransposedCases =
    [
        ([2, 3, 4, 5], [3, 2, 3, 3], new O()),
        ([2, 4, 3, 4], [4, 3, 3, 2], new O(SH: 2, SW: 3, PH: 1, PW: 0, OPH: 1, OPW: 2, Groups: 2)),
        ([1, 2, 4, 3], [2, 2, 2, 3], new O(SH: 2, SW: 1, PH: 1, PW: 1, DH: 2, DW: 3, OPH: 1, OPW: 2)), // OPW ≥ stride (< dilation)
    ];

    [Test]
    public void ConvTranspose2dForwardAndBackwardMatchDirectLoops([Range(0, 2)] int which, [Values(true, false)] bool withBias)
    {
        var (xs, ws, o) = TransposedCases[which];
        var x = Values(Layout.NumelOf(xs), 5); var w = Values(Layout.NumelOf(ws), 6);
        var b = withBias ? Values(ws[1] * o.Groups, 7) : null;
        var r = ConvReference.ConvTranspose2d(x, xs, w, ws, b, o, s => Values(Layout.NumelOf(s), 8));
        var (xt, wt, bt) = (T(x, xs).RequiresGrad_(), T(w, ws).RequiresGrad_(), b is null ? null : T(b, [b.Length]).RequiresGrad_());
        var y = xt.ConvTranspose2d(wt, bt, (o.SH, o.SW), (o.PH, o.PW), (o.OPH, o.OPW), o.Groups, (o.DH, o.DW));
        y.Shape.Should().Equal(r.YShape);
        y.ToArray<double>().ShouldBeClose(r.Y, 1e-12);
        y.Backward(T(Values(Layout.NumelOf(r.YShape), 8), r.YShape));
        xt.Grad!.ToArray<double>().ShouldBeClose(r.Dx, 1e-12);
        wt.Grad!.ToArray<double>().ShouldBeClose(r.Dw, 1e-12);
        if (bt is not null) bt.Grad!.ToArray<double>().ShouldBeClose(r.Db, 1e-12);
    }

    [Test]
    public void Conv1dIsAConvolutionOfHeightOne()
    {
        // x [2, 4, 9], w [6, 2, 3], stride 2, padding 2, dilation 2, groups 2 == Conv2d on [2, 4, 1, 9] with a 1×3 kernel.
        var x = Values(2 * 4 * 9, 1); var w = Values(6 * 2 * 3, 2); var b = Values(6, 3);
        var o = new O(SW: 2, PW: 2, DW: 2, Groups: 2);
        var r = ConvReference.Conv2d(x, [2, 4, 1, 9], w, [6, 2, 1, 3], b, o, s => new double[Layout.NumelOf(s)]);
        var y = T(x, [2, 4, 9]).Conv1d(T(w, [6, 2, 3]), T(b, [6]), stride: 2, padding: 2, dilation: 2, groups: 2);
        y.Shape.Should().Equal(2, 6, r.YShape[3]);
        y.ToArray<double>().ShouldBeClose(r.Y, 1e-12);
    }

    [Test]
    public void GradCheckWithEveryOption()
    {
        var x = RandomF64(1, 2, 4, 5, 6);
        CheckGrad(t => t[0].Conv2d(t[1], t[2], (2, 1), (1, 2), (2, 1), 2), x, RandomF64(2, 4, 2, 2, 3), RandomF64(3, 4));
        // A strided (transposed) input view and a depthwise kernel.
        CheckGrad(t => t[0].Transpose(2, 3).Conv2d(t[1], null, 1, 1, 1, 4), x, RandomF64(4, 4, 1, 3, 3));
        CheckGrad(t => t[0].ConvTranspose2d(t[1], t[2], (2, 2), (1, 0), (1, 1), 2, (1, 2)), RandomF64(5, 2, 4, 3, 3), RandomF64(6, 4, 1, 2, 3), RandomF64(7, 2));
        CheckGrad(t => t[0].Conv1d(t[1], t[2], stride: 2, padding: 1, dilation: 2), RandomF64(8, 2, 3, 8), RandomF64(9, 2, 3, 3), RandomF64(10, 2));
    }

    [Test]
    public void Float32PathAgreesWithFloat64()
    {
        // Big enough that the batch is split across threads and the GEMM runs its blocked Float32 kernel.
        var x = Tensor.Randn([5, 6, 20, 19], new Generator(1), dtype: DType.Float64);
        var w = Tensor.Randn([16, 3, 3, 3], new Generator(2), dtype: DType.Float64);
        var b = Tensor.Randn([16], new Generator(3), dtype: DType.Float64);
        var y64 = x.Conv2d(w, b, (1, 2), (1, 1), (1, 1), 2).ToArray<double>();
        var y32 = x.To(DType.Float32).Conv2d(w.To(DType.Float32), b.To(DType.Float32), (1, 2), (1, 1), (1, 1), 2);
        y32.DType.Should().Be(DType.Float32);
        var got = y32.To(DType.Float64).ToArray<double>();
        for (int i = 0; i < got.Length; i++) got[i].Should().BeApproximately(y64[i], 1e-4 * (1 + Math.Abs(y64[i])));
    }

    [Test]
    public void BadArgumentsNameTheOpAndShapes()
    {
        var x = Tensor.Zeros(1, 6, 5, 5);
        FluentActions.Invoking(() => x.Conv2d(Tensor.Zeros(4, 3, 3, 3), groups: 4)).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: input channels 6 and output channels 4 must both be divisible by groups 4*[1, 6, 5, 5]*[4, 3, 3, 3]*");
        FluentActions.Invoking(() => x.Conv2d(Tensor.Zeros(4, 2, 3, 3))).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: weight [4, 2, 3, 3] does not fit input channels 6*");
        FluentActions.Invoking(() => x.Conv2d(Tensor.Zeros(4, 6, 7, 3), padding: 0)).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: kernel 7x3 (dilation 1x1) is larger than the padded input 5x5*[1, 6, 5, 5]*");
        FluentActions.Invoking(() => x.Conv2d(Tensor.Zeros(4, 6, 3, 3), Tensor.Zeros(5))).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: bias must be [4]*bias [5]*");
        FluentActions.Invoking(() => Tensor.Zeros(6, 5, 5).Conv2d(Tensor.Zeros(4, 6, 3, 3))).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: expects input [N, C, H, W]*[6, 5, 5]*");
        FluentActions.Invoking(() => x.Conv2d(Tensor.Zeros(4, 6, 3, 3), stride: 0)).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: groups, stride and dilation must be positive*");
        FluentActions.Invoking(() => x.ConvTranspose2d(Tensor.Zeros(6, 2, 3, 3), stride: 2, outputPadding: 2)).Should().Throw<ArgumentException>()
            .WithMessage("conv_transpose2d: output padding 2x2 must be smaller than stride 2x2 or dilation 1x1*");
        FluentActions.Invoking(() => x.ConvTranspose2d(Tensor.Zeros(4, 2, 3, 3))).Should().Throw<ArgumentException>()
            .WithMessage("conv_transpose2d: weight [4, 2, 3, 3] does not fit input channels 6*");
        FluentActions.Invoking(() => Tensor.Zeros(1, 2, 3).Conv1d(Tensor.Zeros(2, 2, 5))).Should().Throw<ArgumentException>()
            .WithMessage("conv2d: kernel 1x5 (dilation 1x1) is larger than the padded input 1x3*");
        FluentActions.Invoking(() => x.Conv1d(Tensor.Zeros(2, 2, 5))).Should().Throw<ArgumentException>()
            .WithMessage("conv1d: expects input [N, C, L]*[1, 6, 5, 5]*");
    }
}
