using Spike.Nn;

namespace Spike.Tests.Cuda;

/// <summary>
/// Step-by-step Float64 neuron dynamics and backward-through-time for every model, written out independently of the
/// kernels: charge, Θ, reset and their chain rule per step (SpikingJelly's graph of one step, unrolled). The surrogate
/// derivative is Spike.Nn's own (the objects' Derivative(double)), so the device kernels are held to that definition.
/// </summary>
internal static class NeuronReference
{
    public sealed record Forward(double[] S, double[] H, double[] V, double[] VLast, double[] WLast);

    public sealed record Backward(double[] GradX, double[] GradVInit, double[] GradWInit, double GradDecay);

    /// <summary>Spike.Nn's surrogate for a spec (an Expression spec stands for ATan, the catalog's example).</summary>
    public static Surrogate Surrogate(SurrogateSpec s) => s.Kind switch
    {
        SurrogateKind.Sigmoid => new Sigmoid(s.Alpha),
        SurrogateKind.ATan or SurrogateKind.Expression => new ATan(s.Alpha),
        SurrogateKind.Erf => new Erf(s.Alpha),
        SurrogateKind.SoftSign => new SoftSign(s.Alpha),
        SurrogateKind.PiecewiseQuadratic => new PiecewiseQuadratic(s.Alpha),
        SurrogateKind.PiecewiseExp => new PiecewiseExp(s.Alpha),
        SurrogateKind.NonzeroSignLogAbs => new NonzeroSignLogAbs(s.Alpha),
        SurrogateKind.PiecewiseLeakyReLU => new PiecewiseLeakyReLU(s.Alpha, s.Beta),
        SurrogateKind.SquarewaveFourierSeries => new SquarewaveFourierSeries((int)s.Alpha, s.Beta),
        SurrogateKind.S2NN => new S2NN(s.Alpha, s.Beta),
        _ => new QPseudoSpike(s.Alpha),
    };

    static double Vr(NeuronSpec p) => p.VReset ?? 0;

    static double Charge(NeuronSpec p, double v, double w, double x, double k) => p.Model switch
    {
        NeuronModel.If => v + x,
        NeuronModel.Lif => p.DecayInput ? v + (x - (v - Vr(p))) / p.Tau : v - (v - Vr(p)) / p.Tau + x,
        NeuronModel.ParametricLif => p.DecayInput ? v + (x - (v - Vr(p))) * k : v - (v - Vr(p)) * k + x,
        NeuronModel.Qif => v + (x + p.A0 * (v - p.VRest) * (v - p.VC)) / p.Tau,
        NeuronModel.Eif => v + (x + p.VRest - v + p.DeltaT * Math.Exp((v - p.ThetaRh) / p.DeltaT)) / p.Tau,
        _ => v + (x + p.A0 * (v - p.VRest) * (v - p.VC) - w) / p.Tau,
    };

    /// <summary>∂H/∂V, ∂H/∂X, ∂H/∂W and ∂H/∂k at the step that starts from v.</summary>
    static (double V, double X, double W, double K) Partials(NeuronSpec p, double v, double x, double k) => p.Model switch
    {
        NeuronModel.If => (1, 1, 0, 0),
        NeuronModel.Lif => (1 - 1 / p.Tau, p.DecayInput ? 1 / p.Tau : 1, 0, 0),
        NeuronModel.ParametricLif => (1 - k, p.DecayInput ? k : 1, 0, p.DecayInput ? x - (v - Vr(p)) : -(v - Vr(p))),
        NeuronModel.Qif => (1 + p.A0 * (2 * v - p.VRest - p.VC) / p.Tau, 1 / p.Tau, 0, 0),
        NeuronModel.Eif => (1 + (Math.Exp((v - p.ThetaRh) / p.DeltaT) - 1) / p.Tau, 1 / p.Tau, 0, 0),
        _ => (1 + p.A0 * (2 * v - p.VRest - p.VC) / p.Tau, 1 / p.Tau, -1 / p.Tau, 0),
    };

    /// <summary>x: [T, N]; vInit, wInit (Izhikevich), threshold (null: p.VThreshold): [N]; k: PLIF's decay.</summary>
    public static Forward Run(NeuronSpec p, int steps, int n, double[] x, double[] vInit, double[]? wInit, double[]? threshold, double k)
    {
        var (s, h, v) = (new double[steps * n], new double[steps * n], new double[steps * n]);
        var (vLast, wLast) = (new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            double vi = vInit[i], wi = wInit?[i] ?? 0, th = threshold?[i] ?? p.VThreshold;
            for (int t = 0; t < steps; t++)
            {
                int e = t * n + i;
                double hv = Charge(p, vi, wi, x[e], k), sv = hv >= th ? 1 : 0;
                wi = wi + (p.A * (hv - p.VRest) - wi) / p.TauW + sv * p.B;
                vi = p.VReset is double vr ? hv * (1 - sv) + vr * sv : hv - th * sv;
                (s[e], h[e], v[e]) = (sv, hv, vi);
            }
            (vLast[i], wLast[i]) = (vi, wi);
        }
        return new Forward(s, h, v, vLast, wLast);
    }

    /// <summary>
    /// Backward of L with dL/dS = gS, dL/dV[t] = gVSeq (may be null), dL/dV_last = gVLast, dL/dW_last = gWLast (may be
    /// null), through the forward from x; the surrogate's derivative at H − Vth replaces Θ'.
    /// </summary>
    public static Backward Grad(NeuronSpec p, int steps, int n, double[] x, double[] vInit, double[]? wInit, double[]? threshold, double k,
        double[] gS, double[]? gVSeq, double[]? gVLast, double[]? gWLast)
    {
        var f = Run(p, steps, n, x, vInit, wInit, threshold, k);
        var sg = Surrogate(p.Surrogate);
        var (gx, gv0, gw0) = (new double[steps * n], new double[n], new double[n]);
        double gk = 0;
        for (int i = 0; i < n; i++)
        {
            double th = threshold?[i] ?? p.VThreshold;
            double gv = gVLast?[i] ?? 0, gw = gWLast?[i] ?? 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                int e = t * n + i;
                double h = f.H[e], s = f.S[e], vPrev = t > 0 ? f.V[e - n] : vInit[i];
                gv += gVSeq?[e] ?? 0;
                // V = hard ? H(1 − S) + Vr·S : H − Vth·S;  W = W' + b·S with W' = W + (a(H − Vr) − W)/τw
                double dvdh = p.VReset is null ? 1 : 1 - s, dvds = p.VReset is double vr ? vr - h : -th;
                double gs = gS[e] + (p.DetachReset ? 0 : gv * dvds + gw * p.B);
                double gh = gv * dvdh + gs * sg.Derivative(h - th) + gw * p.A / p.TauW;
                var d = Partials(p, vPrev, x[e], k);
                gx[e] = gh * d.X;
                gk += gh * d.K;
                gw = gw * (1 - 1 / p.TauW) + gh * d.W;
                gv = gh * d.V;
            }
            (gv0[i], gw0[i]) = (gv, gw);
        }
        return new Backward(gx, gv0, gw0, gk);
    }
}
