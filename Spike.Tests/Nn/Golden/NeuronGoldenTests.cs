using System.Text.Json.Nodes;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// neuron.json: every neuron case (single and multi step), LIAF, and reset_net. Loss = Σ out·g + Σ v_seq·h.
/// Where diagnostics.min_abs_h_minus_v_threshold is below 1e-6 a rounding difference could flip a spike, so such a
/// case is compared on the potentials (h_seq, v_seq) and not on the spikes, as the README asks.
/// </summary>
[TestFixture, Category("Golden")]
public sealed class NeuronGoldenTests
{
    static readonly HashSet<string> KnownOutputs = ["spikes", "h_seq", "v_seq", "v_final", "loss", "y"];

    [Test]
    public void EveryNeuronCaseMatchesSpikingJelly() => GoldenSet.RunAll("neuron", c => Check(c));

    /// <summary>Checks one case; with <paramref name="device"/> the node and the inputs run there (the CUDA suite).</summary>
    internal static string? Check(JsonObject c, Device? device = null)
    {
        var at = device ?? Device.Cpu;
        var p = c["params"]!.AsObject();
        if (p["neuron"] is null) throw new NotSupportedException("case has no params.neuron");
        var outputs = c["outputs"]!.AsObject();
        if (outputs.ContainsKey("run2_equals_run1")) return CheckResetNet(c);
        foreach (var k in outputs.Select(kv => kv.Key)) if (!KnownOutputs.Contains(k)) throw new NotSupportedException($"output '{k}'");

        var node = GoldenFactory.Neuron(p);
        node.To(at);
        var inputs = c["inputs"]!.AsObject();
        var x = GoldenSet.ToTensor(inputs["x"]!).To(at).RequiresGrad_();
        var g = GoldenSet.ToTensor(inputs["g"]!).To(at);
        var hw = GoldenSet.ToTensor(inputs["h"]!).To(at);
        var (o, vSeq, hSeq) = Run(node, x);

        double margin = c["diagnostics"]?["min_abs_h_minus_v_threshold"] is { } mg ? (double)mg : double.PositiveInfinity;
        bool spikesReliable = margin >= 1e-6;
        var loss = (o * g).Sum() + (vSeq * hw).Sum();
        loss.Backward();

        var checks = new List<string?>();
        foreach (var (k, expected) in outputs)
        {
            checks.Add(k switch
            {
                "spikes" => spikesReliable ? GoldenSet.CompareExact(k, o, expected!) : null,
                "y" => GoldenSet.Compare(k, o, expected!),
                "h_seq" => GoldenSet.Compare(k, hSeq, expected!),
                "v_seq" => GoldenSet.Compare(k, vSeq, expected!),
                "v_final" => GoldenSet.Compare(k, node.V, expected!),
                "loss" => spikesReliable ? GoldenSet.Compare(k, [loss.Item()], [], JsonNode.Parse($"{{\"shape\":[],\"data\":[{(double)expected!}]}}")!) : null,
                _ => throw new NotSupportedException(k),
            });
        }
        var grads = c["grads"]?.AsObject() ?? [];
        foreach (var (k, expected) in grads)
        {
            Tensor actual = k switch
            {
                "x" => x.Grad!,
                "w" => ((ParametricLifNode)node).W.Grad!,
                _ => throw new NotSupportedException($"grad '{k}'"),
            };
            if (spikesReliable) checks.Add(GoldenSet.Compare("grad " + k, actual, expected!));
        }
        return checks.FirstOrDefault(m => m is not null);
    }

    /// <summary>Runs x [T, N, ...] through the node in its step mode; returns (output, v_seq, h_seq).</summary>
    internal static (Tensor Out, Tensor VSeq, Tensor HSeq) Run(BaseNode node, Tensor x)
    {
        if (node.StepMode == StepMode.Multi)
        {
            node.StoreVSeq = true;
            var s = node.Forward(x);
            return (s, node.VSeq!, node.HLast!);
        }
        var outs = new List<Tensor>();
        var vs = new List<Tensor>();
        var hs = new List<Tensor>();
        for (int t = 0; t < x.Size(0); t++)
        {
            outs.Add(node.Forward(x.Select(0, t)).Unsqueeze(0));
            vs.Add(node.V.Unsqueeze(0));
            hs.Add(node.HLast!.Unsqueeze(0));
        }
        return (Cat(outs), Cat(vs), Cat(hs));
    }

    // Stacks [1, ...] steps along axis 0 with gradient, using only views and adds (the test needs no cat op).
    static Tensor Cat(List<Tensor> xs)
    {
        int T = xs.Count;
        Tensor? acc = null;
        for (int t = 0; t < T; t++)
        {
            var oneHot = new float[T];
            oneHot[t] = 1;
            var shape = new int[xs[t].Rank];
            Array.Fill(shape, 1);
            shape[0] = T;
            var e = Tensor.FromArray(oneHot, shape).To(xs[t].DType).To(xs[t].Device);
            var term = e * xs[t];
            acc = acc is null ? term : acc + term;
        }
        return acc!;
    }

    static string? CheckResetNet(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        var outputs = c["outputs"]!.AsObject();
        var node = GoldenFactory.Neuron(p);
        var x = GoldenSet.ToTensor(c["inputs"]!["x"]!);
        double vInitial = node.V.Item();
        if (vInitial != (double)outputs["v_initial"]!) return $"v_initial {vInitial}";
        if (node.V.Rank != 0) return "v_initial is not a scalar";
        var (s1, _, _) = Run(node, x);
        var msg = GoldenSet.Compare("v_before_reset", node.V, outputs["v_before_reset"]!) ?? GoldenSet.CompareExact("spikes_run1", s1, outputs["spikes_run1"]!);
        if (msg is not null) return msg;
        Functional.ResetNet(node);
        if (node.V.Rank != 0 || node.V.Item() != (double)outputs["v_after_reset"]!) return $"v_after_reset {node.V}";
        var (s2, _, _) = Run(node, x);
        msg = GoldenSet.CompareExact("spikes_run2", s2, outputs["spikes_run2"]!);
        if (msg is not null) return msg;
        bool equal = s1.ToArray<float>().SequenceEqual(s2.ToArray<float>());
        return equal == (bool)outputs["run2_equals_run1"]! ? null : "run2_equals_run1";
    }
}
