using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.NnOps;

using static TestUtil;

public class BatchNormTests
{
    static double[] D(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();

    /// <summary>Direct loops over x [N, C, S]: batch mean / biased variance per channel, then the affine map.</summary>
    static (double[] Y, double[] Mean, double[] Var) Reference(double[] x, int n, int c, int s, double[]? w, double[]? b,
        double[]? useMean = null, double[]? useVar = null, double eps = 1e-5)
    {
        var mean = new double[c]; var variance = new double[c]; var y = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sum += x[(i * c + ch) * s + k];
            mean[ch] = sum / (n * s);
            for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sq += Math.Pow(x[(i * c + ch) * s + k] - mean[ch], 2);
            variance[ch] = sq / (n * s);
            double mu = useMean?[ch] ?? mean[ch], v = useVar?[ch] ?? variance[ch];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    int at = (i * c + ch) * s + k;
                    y[at] = (x[at] - mu) / Math.Sqrt(v + eps) * (w?[ch] ?? 1) + (b?[ch] ?? 0);
                }
        }
        return (y, mean, variance);
    }

    static readonly int[][] Shapes = [[6, 3], [4, 3, 5], [2, 3, 4, 3]];

    [Test]
    public void TrainingNormalisesWithBatchStatsAndUpdatesRunningStats([Values(0, 1, 2)] int which)
    {
        var shape = Shapes[which];
        int n = shape[0], c = shape[1], s = Layout.NumelOf(shape) / (n * c);
        var x = RandomF64(which + 1, shape);
        var w = RandomF64(which + 2, c); var b = RandomF64(which + 3, c);
        var rm = RandomF64(which + 4, c);
        var rv = Raw.Unary(UnaryOp.Abs, RandomF64(which + 5, c));
        var rm0 = D(rm); var rv0 = D(rv);
        var y = x.BatchNorm(rm, rv, w, b, training: true, momentum: 0.3);
        var (ry, mean, variance) = Reference(D(x), n, c, s, D(w), D(b));
        D(y).ShouldBeClose(ry, 1e-12);
        int m = n * s;
        D(rm).ShouldBeClose(rm0.Select((v, i) => 0.7 * v + 0.3 * mean[i]).ToArray());
        D(rv).ShouldBeClose(rv0.Select((v, i) => 0.7 * v + 0.3 * variance[i] * m / (m - 1)).ToArray());
        // Float32 input, Float32 buffers.
        var y32 = Raw.ToDType(x, DType.Float32).BatchNorm(null, null, Raw.ToDType(w, DType.Float32), Raw.ToDType(b, DType.Float32), training: true);
        y32.DType.Should().Be(DType.Float32);
        y32.ToArray<float>().ShouldBeClose(ry.Select(v => (float)v).ToArray(), 2e-6f);
    }

    [Test]
    public void HandWorkedTwoValueChannel()
    {
        // x = [1, 3]: μ = 2, biased σ² = 1, unbiased 2. y = ±1/√(1 + 1e-5).
        // running_mean 0 → 0.9·0 + 0.1·2 = 0.2; running_var 1 → 0.9·1 + 0.1·2 = 1.1.
        var rm = Tensor.Zeros([1], DType.Float64); var rv = Tensor.Ones([1], DType.Float64);
        var y = F64([1, 3], 2, 1).BatchNorm(rm, rv, training: true);
        D(y).ShouldBeClose([-1 / Math.Sqrt(1 + 1e-5), 1 / Math.Sqrt(1 + 1e-5)]);
        D(rm).ShouldBeClose([0.2]);
        D(rv).ShouldBeClose([1.1]);
    }

    [Test]
    public void EvaluationUsesRunningStatsAndLeavesThemAlone([Values(0, 1, 2)] int which)
    {
        var shape = Shapes[which];
        int n = shape[0], c = shape[1], s = Layout.NumelOf(shape) / (n * c);
        var x = RandomF64(which + 11, shape);
        var w = RandomF64(which + 12, c); var rm = RandomF64(which + 14, c);
        var rv = Raw.Unary(UnaryOp.Abs, RandomF64(which + 15, c));
        var y = x.BatchNorm(rm, rv, w, null, training: false, eps: 1e-3);
        D(y).ShouldBeClose(Reference(D(x), n, c, s, D(w), null, D(rm), D(rv), 1e-3).Y, 1e-12);
        D(rm).Should().Equal(D(RandomF64(which + 14, c)));
    }

    /// <summary>The same function built from differentiable elementwise ops and reductions, for an independent backward.</summary>
    static Tensor Composed(Tensor x, Tensor? w, Tensor? b, bool training, Tensor rm, Tensor rv, double eps = 1e-5)
    {
        var axes = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();
        var bshape = x.Shape.Select((d, i) => i == 1 ? d : 1).ToArray();
        Tensor mean, variance;
        if (training)
        {
            mean = x.Mean(axes, keepDim: true);
            variance = ((x - mean) * (x - mean)).Mean(axes, keepDim: true);
        }
        else { mean = Raw.Reshape(rm, bshape); variance = Raw.Reshape(rv, bshape); }
        var y = (x - mean) / (variance + eps).Sqrt();
        if (w is not null) y = y * w.Reshape(bshape);
        if (b is not null) y = y + b.Reshape(bshape);
        return y;
    }

    [Test]
    public void FusedBackwardMatchesComposedAutogradAndGradCheck([Values(0, 1, 2)] int which, [Values(true, false)] bool training)
    {
        var shape = Shapes[which];
        int c = shape[1];
        var rm = RandomF64(7, c); var rv = Raw.Binary(BinaryOp.Add, Raw.Unary(UnaryOp.Abs, RandomF64(8, c)), Tensor.Scalar(0.1, DType.Float64));
        var g = RandomF64(9, shape);
        Tensor[] Grads(Func<Tensor, Tensor, Tensor, Tensor> f)
        {
            var x = RandomF64(which + 21, shape).RequiresGrad_();
            var w = RandomF64(which + 22, c).RequiresGrad_(); var b = RandomF64(which + 23, c).RequiresGrad_();
            f(x, w, b).Backward(g);
            return [x.Grad!, w.Grad!, b.Grad!];
        }
        var fused = Grads((x, w, b) => x.BatchNorm(Raw.Clone(rm), Raw.Clone(rv), w, b, training));
        var composed = Grads((x, w, b) => Composed(x, w, b, training, rm, rv));
        for (int k = 0; k < 3; k++) D(fused[k]).ShouldBeClose(D(composed[k]), 1e-10);
        CheckGrad(t => t[0].BatchNorm(Raw.Clone(rm), Raw.Clone(rv), t[1], t[2], training), RandomF64(which + 31, shape), RandomF64(32, c), RandomF64(33, c));
        CheckGrad(t => t[0].BatchNorm(Raw.Clone(rm), Raw.Clone(rv), null, null, training), RandomF64(which + 34, shape));
    }

    [Test]
    public void StridedAndLargeInputsMatchTheReference()
    {
        // A permuted view [N, C, H, W] from storage [N, H, W, C] (channels-last).
        var stored = RandomF64(41, 2, 3, 4, 5);
        var x = stored.Permute(0, 3, 1, 2);
        var (ry, _, _) = Reference(D(Raw.Contiguous(x)), 2, 5, 12, null, null);
        D(x.BatchNorm(null, null, training: true)).ShouldBeClose(ry, 1e-12);
        CheckGrad(t => t[0].Permute(0, 3, 1, 2).BatchNorm(null, null, training: true), RandomF64(42, 2, 2, 3, 3));
        // 8·16·32·32 elements: channels run on several threads; a mean of 100 tests the two-pass variance.
        var big = Raw.Binary(BinaryOp.Add, Tensor.Randn([8, 16, 32, 32], new Generator(5), dtype: DType.Float64), Tensor.Scalar(100, DType.Float64));
        var (by, _, _) = Reference(D(big), 8, 16, 1024, null, null);
        Close.All(D(big.BatchNorm(null, null, training: true)), by, 1e-9);
        var big32 = Raw.ToDType(big, DType.Float32).BatchNorm(null, null, training: true).ToArray<float>();
        Close.All(big32, by, 2e-4);
    }

    [Test]
    public void BadArgumentsNameTheOpAndShapes()
    {
        var x = Tensor.Zeros(4, 3, 5);
        FluentActions.Invoking(() => x.BatchNorm(null, null, Tensor.Ones(4), training: true)).Should().Throw<ArgumentException>()
            .WithMessage("batch_norm: weight of shape [4] does not match the 3 channels of input [4, 3, 5]; expected [3]");
        FluentActions.Invoking(() => Tensor.Zeros(1, 3).BatchNorm(null, null, training: true)).Should().Throw<ArgumentException>()
            .WithMessage("batch_norm: expected more than 1 value per channel when training, got input of shape [1, 3]");
        FluentActions.Invoking(() => x.BatchNorm(null, null)).Should().Throw<ArgumentException>()
            .WithMessage("batch_norm: running_mean and running_var are required in evaluation mode (input [4, 3, 5])");
        FluentActions.Invoking(() => Tensor.Zeros(5).BatchNorm(null, null, training: true)).Should().Throw<ArgumentException>()
            .WithMessage("batch_norm: expects an input of rank 2 or more*[5]");
        FluentActions.Invoking(() => Tensor.Zeros([4, 3], DType.Int32).BatchNorm(null, null, training: true)).Should().Throw<ArgumentException>()
            .WithMessage("batch_norm: expects a Float32 or Float64 input, got Int32*");
    }
}
