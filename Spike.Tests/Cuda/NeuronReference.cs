using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// Step-by-step Float64 neuron dynamics and backward-through-time, written out independently of the kernels:
/// the charge, Θ, reset and their chain rule per step (SpikingJelly's autograd graph of one step, unrolled).
/// </summary>
internal static class NeuronReference
{
    public sealed record Result(double[] S, double[] H, double[] V, double[] VLast);

    static double Charge(NeuronKernelOptions o, NeuronParams p, double v, double x)
    {
        if (o.Kind == NeuronKind.If) return v + x;
        double vr = o.SoftReset ? 0 : p.VReset;
        return o.DecayInput ? v + (x - (v - vr)) / p.Tau : v - (v - vr) / p.Tau + x;
    }

    static double SurrogateGrad(NeuronKernelOptions o, double x, double alpha)
    {
        if (o.Surrogate == SurrogateKind.ATan)
        {
            double u = Math.PI / 2 * alpha * x;
            return alpha / 2 / (1 + u * u);
        }
        double s = 1 / (1 + Math.Exp(-alpha * x));
        return alpha * s * (1 - s);
    }

    /// <summary>x: [T, N]; vInit: [N] or null (V[-1] = Vr, or 0 for soft reset).</summary>
    public static Result Forward(NeuronKernelOptions o, NeuronParams p, int steps, int n, double[] x, double[]? vInit)
    {
        var s = new double[steps * n];
        var h = new double[steps * n];
        var v = new double[steps * n];
        var last = new double[n];
        for (int i = 0; i < n; i++)
        {
            double vi = vInit?[i] ?? (o.SoftReset ? 0 : p.VReset);
            for (int t = 0; t < steps; t++)
            {
                int k = t * n + i;
                h[k] = Charge(o, p, vi, x[k]);
                s[k] = h[k] - p.VThreshold >= 0 ? 1 : 0;
                vi = o.SoftReset ? h[k] - s[k] * p.VThreshold : (1 - s[k]) * h[k] + s[k] * p.VReset;
                v[k] = vi;
            }
            last[i] = vi;
        }
        return new Result(s, h, v, last);
    }

    /// <summary>Gradients of L with dL/dS = gS and dL/dV[t] = gV (may be null): returns (dL/dX, dL/dV[-1]).
    /// Each step's local derivatives: dH/dV, dH/dX from the charge; dS/dH = sg'(H − Vth); dV/dH and dV/dS from the
    /// reset (dV/dS dropped when the reset is detached).</summary>
    public static (double[] GradX, double[] GradVInit) Backward(NeuronKernelOptions o, NeuronParams p, int steps, int n,
        double[] h, double[] gS, double[]? gV)
    {
        double dhdv = o.Kind == NeuronKind.If ? 1 : 1 - 1 / (double)p.Tau;
        double dhdx = o.Kind == NeuronKind.Lif && o.DecayInput ? 1 / (double)p.Tau : 1;
        var gx = new double[steps * n];
        var gInit = new double[n];
        for (int i = 0; i < n; i++)
        {
            double carry = 0; // dL/dV[t] through V[t+1]'s charge
            for (int t = steps - 1; t >= 0; t--)
            {
                int k = t * n + i;
                double s = h[k] - p.VThreshold >= 0 ? 1 : 0;
                double dLdV = (gV?[k] ?? 0) + carry;
                double dvdh = o.SoftReset ? 1 : 1 - s;
                double dvds = o.SoftReset ? -p.VThreshold : p.VReset - h[k];
                double dLdS = gS[k] + (o.DetachReset ? 0 : dLdV * dvds);
                double dLdH = dLdV * dvdh + dLdS * SurrogateGrad(o, h[k] - p.VThreshold, p.Alpha);
                gx[k] = dLdH * dhdx;
                carry = dLdH * dhdv;
            }
            gInit[i] = carry;
        }
        return (gx, gInit);
    }
}
