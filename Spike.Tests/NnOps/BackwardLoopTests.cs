using NUnit.Framework;

namespace Spike.Tests.NnOps;

using static TestUtil;

/// <summary>Backward passes of batch norm, softmax cross-entropy and pooling against gradients written out as direct
/// Float64 loops from their derivations (the forward passes have their own loop references beside each op's tests).</summary>
public class BackwardLoopTests
{
    static double[] D(Tensor t) => Raw.ToDType(t, DType.Float64).ToArray<double>();

    [Test]
    public void BatchNormGradientsMatchLoops([Values(true, false)] bool training)
    {
        // x [N, C, S]; M = N·S values per channel. Training: x̂ = (x − μ)/√(σ² + ε) with batch statistics,
        // dx = w/√(σ² + ε)·(g − Σg/M − x̂·Σ(g·x̂)/M). Evaluation: running statistics are constants, dx = w·g/√(rv + ε).
        const int n = 3, c = 2, s = 4;
        const double eps = 1e-5;
        var (xv, gv) = (Values(n * c * s, 1), Values(n * c * s, 2));
        var (wv, bv, rm, rv) = (Values(c, 3), Values(c, 4), Values(c, 5), Values(c, 6).Select(v => Math.Abs(v) + 0.5).ToArray());
        var (dx, dw, db) = (new double[xv.Length], new double[c], new double[c]);
        for (int ch = 0; ch < c; ch++)
        {
            var at = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, s).Select(k => (i * c + ch) * s + k)).ToArray();
            double mean = training ? at.Average(i => xv[i]) : rm[ch];
            double variance = training ? at.Average(i => (xv[i] - mean) * (xv[i] - mean)) : rv[ch];
            double invStd = 1 / Math.Sqrt(variance + eps);
            double sumG = at.Sum(i => gv[i]), sumGX = at.Sum(i => gv[i] * (xv[i] - mean) * invStd);
            db[ch] = sumG;
            dw[ch] = sumGX;
            foreach (var i in at)
            {
                double xhat = (xv[i] - mean) * invStd;
                dx[i] = training ? wv[ch] * invStd * (gv[i] - sumG / at.Length - xhat * sumGX / at.Length) : wv[ch] * invStd * gv[i];
            }
        }
        var x = F64(xv, n, c, s).RequiresGrad_();
        var w = F64(wv, c).RequiresGrad_();
        var b = F64(bv, c).RequiresGrad_();
        x.BatchNorm(F64(rm, c), F64(rv, c), w, b, training, eps: eps).Backward(F64(gv, n, c, s));
        D(x.Grad!).ShouldBeClose(dx, 1e-12);
        D(w.Grad!).ShouldBeClose(dw, 1e-12);
        D(b.Grad!).ShouldBeClose(db, 1e-12);
    }

    [Test]
    public void CrossEntropyGradientMatchesLoops([Values(0.0, 0.3)] double smoothing, [Values(false, true)] bool weighted)
    {
        // Logits [N, C, S], class targets [N, S] with one ignored position, mean reduction, seed g.
        // Per position q: coef_j = ((1 − ε)·w_t·[j = t] + ε/C·w_j) / Σ_q w_t, dz_j = g·(p_j·Σ_k coef_k − coef_j).
        const int n = 3, c = 4, s = 2;
        const double g = 1.7;
        var zv = Values(n * c * s, 7);
        var t = new long[] { 2, 0, -100, 3, 1, 1 };
        var wv = weighted ? new[] { 0.5, 2, 1.5, 3 } : [1.0, 1, 1, 1];
        double divisor = t.Where(v => v >= 0).Sum(v => wv[v]);
        var dz = new double[zv.Length];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < s; k++)
            {
                long target = t[i * s + k];
                if (target < 0) continue;
                int At(int j) => (i * c + j) * s + k;
                double max = Enumerable.Range(0, c).Max(j => zv[At(j)]);
                double sumExp = Enumerable.Range(0, c).Sum(j => Math.Exp(zv[At(j)] - max));
                var coef = Enumerable.Range(0, c).Select(j => ((1 - smoothing) * wv[target] * (j == target ? 1 : 0) + smoothing / c * wv[j]) / divisor).ToArray();
                for (int j = 0; j < c; j++) dz[At(j)] = g * (Math.Exp(zv[At(j)] - max) / sumExp * coef.Sum() - coef[j]);
            }
        var z = F64(zv, n, c, s).RequiresGrad_();
        z.CrossEntropy(Tensor.FromArray(t, n, s), labelSmoothing: smoothing, weight: weighted ? F64(wv, c) : null)
            .Backward(Tensor.Scalar(g, DType.Float64));
        D(z.Grad!).ShouldBeClose(dz, 1e-12);
    }

    [Test]
    public void MaxPoolGradientGoesToEachWindowsArgmax()
    {
        // dx[argmax of window] += g[window], windows overlapping (stride 1 < kernel 3), with padding and dilation.
        const int planes = 4, h = 6, w = 5;
        var xv = Values(planes * h * w, 8);
        var (_, idx, oh, ow) = PoolReference.Max(xv, planes, h, w, 3, 2, 1, 2, 1, 1, 1, 2, ceil: true);
        var gv = Values(planes * oh * ow, 9);
        var dx = new double[xv.Length];
        for (int o = 0; o < gv.Length; o++) dx[o / (oh * ow) * h * w + idx[o]] += gv[o];
        var x = F64(xv, 2, 2, h, w).RequiresGrad_();
        x.MaxPool2d((3, 2), (1, 2), (1, 1), (1, 2), ceilMode: true).Backward(F64(gv, 2, 2, oh, ow));
        D(x.Grad!).ShouldBeClose(dx, 1e-15);
    }

    [Test]
    public void AdaptiveAvgPoolGradientSpreadsOverEachWindow()
    {
        // Window i covers [⌊i·H/out⌋, ⌈(i+1)·H/out⌉) (overlapping when out does not divide H); dx += g / window size.
        const int planes = 3, h = 7, w = 5, oh = 3, ow = 4;
        var gv = Values(planes * oh * ow, 10);
        var dx = new double[planes * h * w];
        for (int p = 0; p < planes; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    int r0 = i * h / oh, r1 = ((i + 1) * h + oh - 1) / oh, c0 = j * w / ow, c1 = ((j + 1) * w + ow - 1) / ow;
                    double share = gv[(p * oh + i) * ow + j] / ((r1 - r0) * (c1 - c0));
                    for (int r = r0; r < r1; r++)
                        for (int col = c0; col < c1; col++) dx[(p * h + r) * w + col] += share;
                }
        var x = F64(Values(planes * h * w, 11), 1, planes, h, w).RequiresGrad_();
        x.AdaptiveAvgPool2d((oh, ow)).Backward(F64(gv, 1, planes, oh, ow));
        D(x.Grad!).ShouldBeClose(dx, 1e-15);
    }
}
