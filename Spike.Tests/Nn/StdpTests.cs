using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn;

/// <summary>STDPLearner against the trace rule written out as loops, for Linear and Conv2d synapses.</summary>
public sealed class StdpTests
{
    [Test]
    public void LinearUpdateFollowsTheTraces()
    {
        const double tauPre = 2, tauPost = 4, lr = 0.1;
        var fc = new Linear(3, 2, bias: false, generator: new Generator(1));
        var learner = new STDPLearner(tauPre, tauPost, w => 1 - w, w => w + 0.5);
        // Batch of 2, 5 steps of 0/1 spikes.
        var pre = Tensor.Bernoulli([5, 2, 3], 0.5, new Generator(2));
        var post = Tensor.Bernoulli([5, 2, 2], 0.5, new Generator(3));
        var w = fc.Weight.ToArray<float>().Select(v => (double)v).ToArray();
        var (p, q) = (pre.ToArray<float>(), post.ToArray<float>());
        var trPre = new double[6];
        var trPost = new double[4];
        for (int t = 0; t < 5; t++)
        {
            var dw = learner.Stdp(pre.Select(0, t), post.Select(0, t), fc, lr).ToArray<float>();
            for (int i = 0; i < 6; i++) trPre[i] += p[t * 6 + i] - trPre[i] / tauPre;
            for (int i = 0; i < 4; i++) trPost[i] += q[t * 4 + i] - trPost[i] / tauPost;
            var expected = new double[6];
            for (int o = 0; o < 2; o++)
                for (int i = 0; i < 3; i++)
                    for (int n = 0; n < 2; n++)
                        expected[o * 3 + i] += (w[o * 3 + i] + 0.5) * q[t * 4 + n * 2 + o] * trPre[n * 3 + i]      // post spike after pre: potentiate
                            - (1 - w[o * 3 + i]) * trPost[n * 2 + o] * p[t * 6 + n * 3 + i];                    // pre spike after post: depress
            dw.Select(v => (double)v).ToArray().ShouldBeClose(expected, 1e-5);
            for (int i = 0; i < 6; i++) w[i] += lr * expected[i];
            fc.Weight.ToArray<float>().Select(v => (double)v).ToArray().ShouldBeClose(w, 1e-5);
            learner.TracePre.ToArray<float>().Select(v => (double)v).ToArray().ShouldBeClose(trPre, 1e-6);
        }
        Functional.ResetNet(learner);
        learner.TracePre.Item().Should().Be(0);
    }

    [Test]
    public void PreBeforePostPotentiatesAndPostBeforePreDepresses()
    {
        foreach (bool preFirst in new[] { true, false })
        {
            var fc = new Linear(1, 1, bias: false);
            Raw.Fill(fc.Weight, 0.5);
            var learner = new STDPLearner(5, 5, fPre: _ => Tensor.Scalar(1), fPost: _ => Tensor.Scalar(1));
            var spike = Tensor.Ones(1, 1);
            var none = Tensor.Zeros(1, 1);
            learner.Stdp(preFirst ? spike : none, preFirst ? none : spike, fc, 0.1);
            learner.Stdp(preFirst ? none : spike, preFirst ? spike : none, fc, 0.1);
            // Step 2 sees the other side's trace 1 − 1/5 = 0.8: w = 0.5 ± 0.1·0.8.
            fc.Weight.Item().Should().BeApproximately(preFirst ? 0.58 : 0.42, 1e-6);
        }
    }

    [Test]
    public void Conv2dUpdateCorrelatesOverEveryPositionAndOffset()
    {
        const int stride = 2, pad = 1;
        var conv = new Conv2d(2, 3, 3, stride: stride, padding: pad, bias: false, generator: new Generator(4));
        var learner = new STDPLearner(2, 3);   // f_pre = f_post = identity
        var pre = Tensor.Bernoulli([2, 2, 5, 5], 0.4, new Generator(5));
        var post = Tensor.Bernoulli([2, 3, 3, 3], 0.4, new Generator(6));
        var dw = learner.DeltaW(pre, post, conv).ToArray<float>();
        // Traces after one step equal the spikes, so ΔW = W ⊙ (C(post, pre) − C(post, pre)) = 0: use a second step.
        dw.Should().OnlyContain(v => Math.Abs(v) < 1e-6);
        var pre2 = Tensor.Bernoulli([2, 2, 5, 5], 0.4, new Generator(7));
        var post2 = Tensor.Bernoulli([2, 3, 3, 3], 0.4, new Generator(8));
        var got = learner.DeltaW(pre2, post2, conv).ToArray<float>();
        var w = conv.Weight.ToArray<float>();
        var (a, b, a2, b2) = (pre.ToArray<float>(), post.ToArray<float>(), pre2.ToArray<float>(), post2.ToArray<float>());
        double PreAt(float[] s, int n, int c, int y, int x) => y < 0 || y >= 5 || x < 0 || x >= 5 ? 0 : s[((n * 2 + c) * 5 + y) * 5 + x];
        for (int o = 0; o < 3; o++)
            for (int i = 0; i < 2; i++)
                for (int kh = 0; kh < 3; kh++)
                    for (int kw = 0; kw < 3; kw++)
                    {
                        double pot = 0, dep = 0;
                        for (int n = 0; n < 2; n++)
                            for (int y = 0; y < 3; y++)
                                for (int x = 0; x < 3; x++)
                                {
                                    int iy = y * stride - pad + kh, ix = x * stride - pad + kw, pi = ((n * 3 + o) * 3 + y) * 3 + x;
                                    double trPre = PreAt(a, n, i, iy, ix) / 2 + PreAt(a2, n, i, iy, ix);       // 1 − 1/τ_pre = 1/2
                                    double trPost = b[pi] * 2 / 3 + b2[pi];                                   // 1 − 1/τ_post = 2/3
                                    pot += b2[pi] * trPre;
                                    dep += trPost * PreAt(a2, n, i, iy, ix);
                                }
                        int k = ((o * 2 + i) * 3 + kh) * 3 + kw;
                        got[k].Should().BeApproximately((float)(w[k] * (pot - dep)), 1e-5f, $"ΔW[{o}, {i}, {kh}, {kw}]");
                    }
        FluentActions.Invoking(() => learner.DeltaW(pre, Tensor.Zeros(2, 3, 4, 4), conv)).Should().Throw<ArgumentException>().WithMessage("*post-synaptic*[2, 3, 4, 4]*[2, 3, 3, 3]*ResetNet*");
        Functional.ResetNet(learner);
        FluentActions.Invoking(() => learner.DeltaW(pre, Tensor.Zeros(2, 3, 4, 4), conv)).Should().Throw<ArgumentException>().WithMessage("*[2, 3, 4, 4]*[3, 3]*");
        FluentActions.Invoking(() => learner.DeltaW(pre, post, new Flatten())).Should().Throw<NotSupportedException>().WithMessage("*Linear, Conv2d or Conv1d*Flatten*");
        FluentActions.Invoking(() => learner.Forward(pre)).Should().Throw<NotSupportedException>().WithMessage("*Stdp*");
    }
}
