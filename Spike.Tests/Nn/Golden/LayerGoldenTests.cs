using System.Text.Json.Nodes;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// layer.json: every case, recognised from its params and inputs (never its name) and built from their values. Unless a
/// case says otherwise loss = Σ out·g with g from its inputs, and the stored gradients are those of that loss.
/// Random cases (dropout masks, DropConnect) are checked as the properties they record, with Spike's own generator.
/// </summary>
[TestFixture, Category("Golden")]
public sealed partial class LayerGoldenTests
{
    /// <summary>Upstream bugs Spike fixes on purpose, by case kind (also in docs/compat.md).</summary>
    static readonly Dictionary<string, string> Exclusions = new()
    {
        ["STDPLearner"] = "weight_seq not compared: SpikingJelly 5c10225d updates W from the spikes (f_pre(W)·s_pre + f_post(W)·s_post) and never "
            + "uses the traces it computes; Spike's traces drive the update. The traces are compared.",
    };

    [Test]
    public void EveryLayerCaseMatchesSpikingJelly() =>
        GoldenSet.RunAll("layer", c => Runner(Kind(c))(c), c => Exclusions.GetValueOrDefault(Kind(c)), checkExcluded: true);

    /// <summary>What a case computes, from the keys of its params and inputs.</summary>
    static string Kind(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        var inputs = c["inputs"]!.AsObject();
        bool P(string k) => p.ContainsKey(k);
        return P("shared_across_channels") ? "NeuNorm"
            : P("learnable") && P("tau") ? "SynapseFilter"
            : P("kernel_size") && p.Count == 1 && inputs.ContainsKey("x") ? "DCT"
            : P("in_features") && P("out_features") && inputs.ContainsKey("A") ? "AXAT"
            : P("pool") ? "ChannelsPool"
            : P("voting_size") ? "VotingLayer"
            : P("input_shape") && P("module") ? "Dropout"
            : P("modules") ? "Container"
            : P("samples_num") ? "DropConnectEval"
            : P("invariant") ? "DropConnectTrain"
            : P("element_wise_function") ? "ElementWiseRecurrentContainer"
            : P("sub_module") && inputs.ContainsKey("rc.weight") ? "LinearRecurrentContainer"
            : P("alpha") && P("v_th") ? "ThresholdDependentBatchNorm"
            : P("reduction") && P("dimension") ? "TemporalWiseAttention"
            : P("tau_pre") && P("tau_post") ? "STDPLearner"
            : throw new NotSupportedException("no layer recognised from params " + p.ToJsonString());
    }

    static Func<JsonObject, string?> Runner(string kind) => kind switch
    {
        "NeuNorm" => NeuNormCase,
        "SynapseFilter" => SynapseFilterCase,
        "DCT" => c => OneModule(c, new DCT((int)c["params"]!["kernel_size"]!), "x", "y", extra: (m, o) => GoldenSet.Compare("kernel", ((DCT)m).Kernel, o["kernel"]!)),
        "AXAT" => c => OneModule(c, new AXAT((int)c["params"]!["in_features"]!, (int)c["params"]!["out_features"]!), "x", "y"),
        "ChannelsPool" => ChannelsPoolCase,
        "VotingLayer" => c => OneModule(c, new VotingLayer((int)c["params"]!["voting_size"]!), "x", "y"),
        "Dropout" => DropoutCase,
        "Container" => ContainerCase,
        "DropConnectEval" => DropConnectEvalCase,
        "DropConnectTrain" => DropConnectTrainCase,
        "ElementWiseRecurrentContainer" => c => RecurrentCase(c, node => new ElementWiseRecurrentContainer(node, ElementWise((string)c["params"]!["element_wise_function"]!))),
        "LinearRecurrentContainer" => c => RecurrentCase(c, node =>
            new LinearRecurrentContainer(node, (int)c["params"]!["in_features"]!, (int)c["params"]!["out_features"]!, (bool?)c["params"]!["bias"] ?? true)),
        "ThresholdDependentBatchNorm" => BatchNormCase,
        "TemporalWiseAttention" => c =>
        {
            var p = c["params"]!;
            return OneModule(c, new TemporalWiseAttention((int)p["T"]!, (int)p["reduction"]!, (int)p["dimension"]!), "x_seq", "y_seq");
        },
        "STDPLearner" => StdpCase,
        _ => throw new NotSupportedException(kind),
    };

    static Tensor In(JsonObject c, string k) => GoldenSet.ToTensor(c["inputs"]![k] ?? throw new KeyNotFoundException($"input '{k}'"));

    /// <summary>y = m(x) with parameters from the inputs; compares y and, when stored, the gradients of Σ y·g for x and every parameter.</summary>
    static string? OneModule(JsonObject c, Module m, string xKey, string yKey, Func<Module, JsonObject, string?>? extra = null)
    {
        GoldenModules.LoadParameters(m, c["inputs"]!.AsObject());
        var x = In(c, xKey).RequiresGrad_();
        var y = m.Forward(x);
        var outputs = c["outputs"]!.AsObject();
        return GoldenSet.Compare(yKey, y, outputs[yKey]!) ?? extra?.Invoke(m, outputs) ?? CompareGrads(c, y, (xKey, x), m);
    }

    /// <summary>Back-propagates Σ y·g and compares every stored gradient: the named input or a parameter of m by its dotted name.</summary>
    static string? CompareGrads(JsonObject c, Tensor y, (string Name, Tensor Tensor) input, Module? m = null)
    {
        var grads = c["grads"]?.AsObject() ?? [];
        if (grads.Count == 0) return null;
        (y * In(c, "g")).Sum().Backward();
        var parameters = m?.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor) ?? [];
        foreach (var (k, expected) in grads)
        {
            var t = k == input.Name ? input.Tensor
                : parameters.TryGetValue(k, out var prm) ? prm
                : parameters.Where(kv => kv.Key.EndsWith("." + k, StringComparison.Ordinal)).Select(kv => kv.Value).SingleOrDefault()
                ?? throw new NotSupportedException($"grad '{k}' names no input or parameter");
            if (GoldenSet.Compare("grad " + k, t.Grad ?? throw new InvalidOperationException($"no gradient reached '{k}'"), expected!) is { } msg) return msg;
        }
        return null;
    }

    static List<Tensor> Steps(Module m, Tensor seq) => Enumerable.Range(0, seq.Size(0)).Select(t => m.Forward(seq.Select(0, t))).ToList();

    static JsonNode Scalar(double v) => new JsonObject { ["shape"] = new JsonArray(), ["data"] = new JsonArray(v) };

    static string? NeuNormCase(JsonObject c)
    {
        var p = c["params"]!;
        var nn = new NeuNorm((int)p["in_channels"]!, (int)p["height"]!, (int)p["width"]!, (double)p["k"]!, (bool)p["shared_across_channels"]!);
        if (Math.Abs(nn.K1 - (double)p["k1"]!) > 1e-12) return $"k1 {nn.K1}";
        GoldenModules.LoadParameters(nn, c["inputs"]!.AsObject());
        var s = In(c, "in_spikes").RequiresGrad_();
        if ((int)p["steps"]! != s.Size(0)) return "steps differs from the input length";
        var xs = new List<Tensor>();
        var o = SeqOps.Stack(Enumerable.Range(0, s.Size(0)).Select(t => { var y = nn.Forward(s.Select(0, t)); xs.Add(nn.X); return y; }).ToList(), "test");
        var loss = (o * In(c, "g")).Sum();
        var outputs = c["outputs"]!;
        return GoldenSet.Compare("out", o, outputs["out"]!) ?? GoldenSet.Compare("x_seq", SeqOps.Stack(xs, "test"), outputs["x_seq"]!)
            ?? GoldenSet.Compare("loss", [loss.Item()], [], Scalar((double)outputs["loss"]!))
            ?? CompareGrads(c, o, ("in_spikes", s), nn);
    }

    static string? SynapseFilterCase(JsonObject c)
    {
        var p = c["params"]!;
        // One multi-step call: the same numbers as SpikingJelly's loop of single steps.
        var f = new SynapseFilter((double)p["tau"]!, (bool)p["learnable"]!, StepMode.Multi);
        if (p["w_init"] is { } w0 && Math.Abs(f.W!.Item() - (double)w0) > 1e-6) return $"w_init {f.W!.Item()}";
        var s = In(c, "in_spikes").RequiresGrad_();
        var o = f.Forward(s);
        var loss = (o * In(c, "g")).Sum();
        return GoldenSet.Compare("out_i_seq", o, c["outputs"]!["out_i_seq"]!)
            ?? GoldenSet.Compare("loss", [loss.Item()], [], Scalar((double)c["outputs"]!["loss"]!))
            ?? CompareGrads(c, o, ("in_spikes", s), f);
    }

    static string? ChannelsPoolCase(JsonObject c)
    {
        var p = c["params"]!;
        int k = (int)p["kernel_size"]!, stride = (int?)p["stride"] ?? k;
        Module pool = (string)p["pool"]! switch
        {
            "MaxPool1d" => new MaxPool1d(k, stride),
            "AvgPool1d" => new AvgPool1d(k, stride),
            var s => throw new NotSupportedException($"pool '{s}'"),
        };
        return OneModule(c, new ChannelsPool(pool), "x", "y");
    }

    static Func<Tensor, Tensor, Tensor> ElementWise(string name) => name switch
    {
        "add" => (a, b) => a + b,
        "mul" => (a, b) => a * b,
        "sub" => (a, b) => a - b,
        _ => throw new NotSupportedException($"element-wise function '{name}'"),
    };

    /// <summary>A recurrent container around the case's sub_module, run as one multi-step call over x [T, N, ...].</summary>
    static string? RecurrentCase(JsonObject c, Func<Module, MemoryModule> make)
    {
        var m = make(GoldenModules.Build((string)c["params"]!["sub_module"]!));
        m.StepMode = StepMode.Multi;
        GoldenModules.LoadParameters(m, c["inputs"]!.AsObject());
        var x = In(c, "x").RequiresGrad_();
        var y = m.Forward(x);
        return GoldenSet.CompareExact("y", y, c["outputs"]!["y"]!) ?? CompareGrads(c, y, ("x", x), m);
    }

    static string? BatchNormCase(JsonObject c)
    {
        var p = c["params"]!;
        var x = In(c, "x_seq").RequiresGrad_();
        double alpha = (double)p["alpha"]!, vth = (double)p["v_th"]!, eps = (double)p["eps"]!, momentum = (double)p["momentum"]!;
        int features = (int)p["num_features"]!;
        BatchNormBase bn = x.Rank switch
        {
            3 or 4 => new ThresholdDependentBatchNorm1d(alpha, vth, features, eps, momentum),
            5 => new ThresholdDependentBatchNorm2d(alpha, vth, features, eps, momentum),
            6 => new ThresholdDependentBatchNorm3d(alpha, vth, features, eps, momentum),
            _ => throw new NotSupportedException($"x_seq of rank {x.Rank}"),
        };
        bn.Train((bool)p["training"]!);
        var y = bn.Forward(x);
        var o = c["outputs"]!;
        return GoldenSet.Compare("y_seq", y, o["y_seq"]!) ?? GoldenSet.Compare("weight", bn.Weight!, o["weight"]!) ?? GoldenSet.Compare("bias", bn.Bias!, o["bias"]!)
            ?? GoldenSet.Compare("running_mean", bn.RunningMean, o["running_mean"]!) ?? GoldenSet.Compare("running_var", bn.RunningVar, o["running_var"]!)
            ?? CompareGrads(c, y, ("x_seq", x), bn);
    }
}
