using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Layers;

/// <summary>DCT, AXAT, ChannelsPool and temporal-wise attention against loops written here, plus gradient checks.</summary>
public class TransformLayerTests
{
    [Test]
    public void DctMatrixIsOrthonormalAndTransformsEachBlock()
    {
        var dct = new DCT(4);
        var d = dct.Kernel.To(DType.Float64);
        d.Matmul(d.T).ToArray<double>().ShouldBeClose(Tensor.Eye(4, dtype: DType.Float64).ToArray<double>(), 1e-6);
        // A constant block c keeps only its DC coefficient: row 0 of D is ½ everywhere and the other rows sum to 0, so
        // D·(c·11ᵀ)·Dᵀ = K·c at [0, 0] (8 for c = 2, K = 4) and 0 elsewhere.
        var x = Tensor.Full([1, 8, 4], 2.0).To(DType.Float64);
        var y = dct.Forward(x).ToArray<double>();
        for (int i = 0; i < 32; i++) y[i].Should().BeApproximately(i % 4 == 0 && i / 4 % 4 == 0 ? 8.0 : 0.0, 1e-5, $"element {i}");
        // General input: each block against D·B·Dᵀ written as loops.
        var z = Tensor.Randn([2, 3, 8, 12], new Generator(1), dtype: DType.Float64);
        var got = dct.Forward(z).ToArray<double>();
        var zs = z.ToArray<double>();
        var dm = d.ToArray<double>();
        for (int b = 0; b < 6; b++)
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 12; j++)
                {
                    int bi = i / 4 * 4, bj = j / 4 * 4;
                    double acc = 0;
                    for (int u = 0; u < 4; u++)
                        for (int v = 0; v < 4; v++)
                            acc += dm[i % 4 * 4 + u] * zs[b * 96 + (bi + u) * 12 + bj + v] * dm[j % 4 * 4 + v];
                    got[b * 96 + i * 12 + j].Should().BeApproximately(acc, 1e-5);
                }
        TestUtil.CheckGrad(a => dct.Forward(a[0]), TestUtil.RandomF64(2, 2, 4, 8));
        FluentActions.Invoking(() => dct.Forward(Tensor.Zeros(2, 6, 8))).Should().Throw<ArgumentException>().WithMessage("*DCT*kernel_size=4*[2, 6, 8]*");
    }

    [Test]
    public void AxatIsAXATransposeOverTheLastTwoAxes()
    {
        var m = new AXAT(3, 2, new Generator(2));
        m.A.ToArray<float>().Should().OnlyContain(v => Math.Abs(v) <= 1 / Math.Sqrt(3));
        var x = Tensor.Randn([2, 2, 3, 3], new Generator(3));
        var y = m.Forward(x);
        y.Shape.Should().Equal(2, 2, 2, 2);
        var (a, xs, ys) = (m.A.ToArray<float>(), x.ToArray<float>(), y.ToArray<float>());
        for (int b = 0; b < 4; b++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                {
                    double acc = 0;
                    for (int u = 0; u < 3; u++)
                        for (int v = 0; v < 3; v++) acc += a[i * 3 + u] * xs[b * 9 + u * 3 + v] * a[j * 3 + v];
                    ys[b * 4 + i * 2 + j].Should().BeApproximately((float)acc, 1e-5f);
                }
        ModuleGradCheck.Check(m, TestUtil.RandomF64(4, 2, 3, 3));
    }

    [Test]
    public void ChannelsPoolPoolsAdjacentChannels()
    {
        var x = Tensor.Randn([2, 6, 2, 3], new Generator(5));
        var xs = x.ToArray<float>();
        foreach (bool max in new[] { true, false })
        {
            var pool = new ChannelsPool(max ? new MaxPool1d(2) : new AvgPool1d(3, 3));
            int k = max ? 2 : 3;
            var y = pool.Forward(x);
            y.Shape.Should().Equal(2, 6 / k, 2, 3);
            var ys = y.ToArray<float>();
            for (int n = 0; n < 2; n++)
                for (int c = 0; c < 6 / k; c++)
                    for (int s = 0; s < 6; s++)
                    {
                        var window = Enumerable.Range(0, k).Select(j => xs[n * 36 + (c * k + j) * 6 + s]).ToArray();
                        ys[n * 6 / k * 6 + c * 6 + s].Should().BeApproximately(max ? window.Max() : window.Average(), 1e-6f);
                    }
            // Multi step folds [T, N, ...] into the batch; SetStepMode on the tree must not reach the inner pool.
            var seq = Tensor.Randn([3, 2, 6, 2, 3], new Generator(6));
            Functional.SetStepMode(pool, StepMode.Multi);
            var multi = pool.Forward(seq);
            Functional.SetStepMode(pool, StepMode.Single);
            for (int t = 0; t < 3; t++) multi.Select(0, t).ToArray<float>().Should().Equal(pool.Forward(seq.Select(0, t)).ToArray<float>());
        }
        FluentActions.Invoking(() => new ChannelsPool(new Flatten())).Should().Throw<ArgumentException>().WithMessage("*single-step MaxPool1d or AvgPool1d*Flatten*");
        TestUtil.CheckGrad(a => new ChannelsPool(new AvgPool1d(2)).Forward(a[0]), TestUtil.RandomF64(7, 2, 4, 3));
    }

    [Test]
    public void TemporalWiseAttentionScalesEachStepBySharedMlpScores()
    {
        const int T = 4, N = 2;
        var twa = new TemporalWiseAttention(T, reduction: 2, dimension: 4, generator: new Generator(8));
        twa.NamedParameters().Select(p => p.Name).Should().Equal("sharedMLP.0.weight", "sharedMLP.2.weight");
        var x = Tensor.Randn([T, N, 2, 2, 3], new Generator(9));
        var y = twa.Forward(x).ToArray<float>();
        var xs = x.ToArray<float>();
        var w1 = twa.SharedMLP[0].Parameters().Single().ToArray<float>();   // [2, 4]
        var w2 = twa.SharedMLP[2].Parameters().Single().ToArray<float>();   // [4, 2]
        double[] Mlp(double[] v) => Enumerable.Range(0, T).Select(o => Enumerable.Range(0, 2)
            .Sum(h => w2[o * 2 + h] * Math.Max(0, Enumerable.Range(0, T).Sum(i => w1[h * T + i] * v[i])))).ToArray();
        for (int n = 0; n < N; n++)
        {
            var slices = Enumerable.Range(0, T).Select(t => xs.Skip((t * N + n) * 12).Take(12).ToArray()).ToArray();
            var avg = Mlp(slices.Select(s => s.Average(v => (double)v)).ToArray());
            var mx = Mlp(slices.Select(s => (double)s.Max()).ToArray());
            for (int t = 0; t < T; t++)
            {
                double score = 1 / (1 + Math.Exp(-(avg[t] + mx[t])));
                for (int e = 0; e < 12; e++) y[(t * N + n) * 12 + e].Should().BeApproximately((float)(slices[t][e] * score), 1e-5f);
            }
        }
        FluentActions.Invoking(() => twa.Forward(Tensor.Zeros(T, N, 5))).Should().Throw<ArgumentException>().WithMessage("*TemporalWiseAttention*dimension=4*[4, 2, 5]*");
        ModuleGradCheck.Check(new MultiStepTemporalWiseAttention(T, 2, 2, new Generator(10)), TestUtil.RandomF64(11, T, N, 3));
    }
}
