using System.Text.Json.Nodes;
using Spike.Nn;
using Sigmoid = Spike.Nn.Sigmoid;

namespace Spike.Tests.Nn.Golden;

/// <summary>Builds Spike modules from golden <c>params</c> (never from case names).</summary>
internal static class GoldenFactory
{
    static double Arg(JsonObject p, string key, double fallback) => p[key] is { } v ? (double)v : fallback;

    /// <summary>A surrogate from its name and parameters (missing parameters take SpikingJelly's defaults).</summary>
    public static Surrogate Surrogate(string name, JsonObject p)
    {
        var known = new HashSet<string> { "surrogate", "name", "setting", "alpha", "beta", "w", "c", "n", "T_period", "spiking" };
        foreach (var k in p.Select(kv => kv.Key)) if (!known.Contains(k)) throw new NotSupportedException($"surrogate parameter '{k}'");
        return name switch
        {
            "Sigmoid" => new Sigmoid(Arg(p, "alpha", 4)),
            "ATan" => new ATan(Arg(p, "alpha", 2)),
            "Erf" => new Erf(Arg(p, "alpha", 2)),
            "SoftSign" => new SoftSign(Arg(p, "alpha", 2)),
            "PiecewiseQuadratic" => new PiecewiseQuadratic(Arg(p, "alpha", 1)),
            "PiecewiseExp" => new PiecewiseExp(Arg(p, "alpha", 1)),
            "NonzeroSignLogAbs" => new NonzeroSignLogAbs(Arg(p, "alpha", 1)),
            "PiecewiseLeakyReLU" => new PiecewiseLeakyReLU(Arg(p, "w", 1), Arg(p, "c", 0.01)),
            "SquarewaveFourierSeries" => new SquarewaveFourierSeries((int)Arg(p, "n", 2), Arg(p, "T_period", 8)),
            "S2NN" => new S2NN(Arg(p, "alpha", 4), Arg(p, "beta", 1)),
            "QPseudoSpike" => new QPseudoSpike(Arg(p, "alpha", 2)),
            _ => throw new NotSupportedException($"surrogate '{name}'"),
        };
    }

    /// <summary>A neuron from a neuron case's params; mode single_step / multi_step (absent: single).</summary>
    public static BaseNode Neuron(JsonObject p)
    {
        var known = new HashSet<string> { "neuron", "mode", "v_threshold", "v_reset", "detach_reset", "surrogate", "tau", "decay_input", "init_tau",
            "v_c", "a0", "v_rest", "delta_T", "theta_rh", "act", "threshold_related" };
        foreach (var k in p.Select(kv => kv.Key)) if (!known.Contains(k)) throw new NotSupportedException($"neuron parameter '{k}'");
        var sp = p["surrogate"]!.AsObject();
        var sg = Surrogate((string)sp["name"]!, sp);
        double vth = GoldenSet.Num(p, "v_threshold");
        double? vr = GoldenSet.NumOrNull(p, "v_reset");
        bool detach = p["detach_reset"] is { } d && (bool)d;
        bool decay = p["decay_input"] is not { } di || (bool)di;
        var mode = p["mode"] is { } m ? (string)m! switch
        {
            "single_step" => StepMode.Single,
            "multi_step" => StepMode.Multi,
            var s => throw new NotSupportedException($"mode '{s}'"),
        } : StepMode.Single;
        string kind = (string)p["neuron"]!;
        BaseNode node = kind switch
        {
            "IFNode" => new IFNode(vth, vr, sg, detach, mode),
            "LIFNode" => new LifNode(GoldenSet.Num(p, "tau"), decay, vth, vr, sg, detach, mode),
            "ParametricLIFNode" => new ParametricLifNode(GoldenSet.Num(p, "init_tau"), decay, vth, vr, sg, detach, mode),
            "QIFNode" => new QifNode(GoldenSet.Num(p, "tau"), GoldenSet.Num(p, "v_c"), GoldenSet.Num(p, "a0"), vth, GoldenSet.Num(p, "v_rest"), vr, sg, detach, mode),
            "EIFNode" => new EifNode(GoldenSet.Num(p, "tau"), GoldenSet.Num(p, "delta_T"), GoldenSet.Num(p, "theta_rh"), vth, GoldenSet.Num(p, "v_rest"), vr, sg, detach, mode),
            "LIAFNode" => new LiafNode(Activation((string)p["act"]!), (bool)p["threshold_related"]!, GoldenSet.Num(p, "tau"), decay, vth, vr, sg, detach, mode),
            _ => throw new NotSupportedException($"neuron '{kind}'"),
        };
        return node;
    }

    static Func<Tensor, Tensor> Activation(string name) => name switch
    {
        "ReLU" => x => x.Relu(),
        "Sigmoid" => x => x.Sigmoid(),
        "Tanh" => x => x.Tanh(),
        "Identity" => x => x,
        _ => throw new NotSupportedException($"activation '{name}'"),
    };
}
