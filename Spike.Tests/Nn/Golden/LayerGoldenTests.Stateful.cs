using System.Text.Json.Nodes;
using Spike.Nn;

namespace Spike.Tests.Nn.Golden;

// Containers, the random layers (checked as the properties the cases record) and STDP.
public sealed partial class LayerGoldenTests
{
    /// <summary>
    /// A container around the listed modules over x_seq [T, N, ...]. With a neuron among them the modules are stateful and
    /// the container is MultiStepContainer (one step per t); without, SeqToANNContainer and MultiStepContainer compute
    /// the same function, so both are run and both must match.
    /// </summary>
    static string? ContainerCase(JsonObject c)
    {
        var specs = c["params"]!["modules"]!.AsArray();
        bool stateful = specs.Any(s => ((string)s!).Contains("Node(", StringComparison.Ordinal));
        var outputs = c["outputs"]!.AsObject();
        var kinds = stateful ? new[] { false } : [true, false];
        foreach (bool seqToAnn in kinds)
        {
            var layers = GoldenModules.BuildAll(specs);
            Module m = seqToAnn ? new SeqToANNContainer(layers) : new MultiStepContainer(layers);
            GoldenModules.LoadParameters(m, c["inputs"]!.AsObject());
            var x = In(c, "x_seq").RequiresGrad_();
            var y = m.Forward(x);
            string label = seqToAnn ? "SeqToANNContainer" : "MultiStepContainer";
            foreach (var (k, expected) in outputs)
            {
                var msg = k switch
                {
                    "y_seq" => GoldenSet.Compare(k, y, expected!),
                    "spikes" => GoldenSet.CompareExact(k, y, expected!),
                    "y_shape" => y.Shape.SequenceEqual(expected!.AsArray().Select(n => (int)n!)) ? null : $"y shape {Layout.Fmt(y.Layout.Shape)}",
                    "v_final" => GoldenSet.Compare(k, layers.OfType<BaseNode>().Single().V, expected!),
                    _ => throw new NotSupportedException($"output '{k}'"),
                };
                if (msg is not null) return $"{label}: {msg}";
            }
            if (CompareGrads(c, y, ("x_seq", x), m) is { } gm) return $"{label}: {gm}";
        }
        return null;
    }

    static string? DropoutCase(JsonObject c)
    {
        var p = c["params"]!;
        double prob = (double)p["p"]!;
        var gen = new Generator(2024);
        Dropout d = (string)p["module"]! switch
        {
            "Dropout" => new Dropout(prob, StepMode.Single, gen),
            "Dropout2d" => new Dropout2d(prob, StepMode.Single, gen),
            "MultiStepDropout" => new MultiStepDropout(prob, gen),
            "MultiStepDropout2d" => new MultiStepDropout2d(prob, gen),
            var s => throw new NotSupportedException($"dropout module '{s}'"),
        };
        bool multi = (bool)p["multi_step"]!;
        if (multi != (d.StepMode == StepMode.Multi)) return "multi_step does not match the module's step mode";
        var shape = p["input_shape"]!.AsArray().Select(n => (int)n!).ToArray();
        var x = Tensor.Ones(shape);
        // Each step's output on ones is that step's mask.
        Tensor[] Run() => multi ? SplitSteps(d.Forward(x)) : Enumerable.Range(0, shape[0]).Select(t => d.Forward(x.Select(0, t))).ToArray();
        var first = Run();
        var mask = first[0].ToArray<float>();
        double keep = 1 / (1 - prob);
        bool twoD = d is Dropout2d;
        int units = twoD ? shape[1] * shape[2] : mask.Length;
        double zeros = mask.Count(v => v == 0) / (double)mask.Length;
        var checks = new Dictionary<string, Func<JsonNode?, string?>>
        {
            ["mask_values"] = e => mask.Distinct().OrderBy(v => v).Select(v => (double)v).SequenceEqual(e!.AsArray().Select(n => (double)n!).Select(v => (double)(float)v)) ? null : "mask values",
            ["expected_nonzero_value"] = e => Math.Abs(keep - (double)e!) < 1e-6 ? null : $"kept value {keep}",
            ["mask_values_ok"] = e => mask.All(v => v == 0 || v == (float)keep) == (bool)e! ? null : "mask values are not 0 or 1/(1 − p)",
            ["same_mask_every_step"] = e => first.All(s => s.ToArray<float>().SequenceEqual(mask)) == (bool)e! ? null : "masks differ between steps",
            ["same_mask_on_second_multistep_call"] = e => e is null || (SplitSteps(d.Forward(x))[0].ToArray<float>().SequenceEqual(mask) == (bool)e) ? null : "second call",
            ["mask_constant_over_HW_per_channel"] = e => e is null || ConstantOverPlanes(mask, shape[^2] * shape[^1]) == (bool)e ? null : "2-D mask varies inside a channel",
            // The recorded fraction is torch's draw; Spike's own must be within 5 standard errors of p.
            ["zero_fraction_observed"] = _ => Math.Abs(zeros - prob) <= 5 * Math.Sqrt(prob * (1 - prob) / units) ? null : $"zero fraction {zeros} for p = {prob}",
            ["mask_is_none_after_reset"] = e => { Functional.ResetNet(d); return (d.Mask is null) == (bool)e! ? null : "mask survives reset"; },
            ["new_mask_after_reset_differs"] = e =>
            {
                Functional.ResetNet(d);
                return Run()[0].ToArray<float>().SequenceEqual(mask) != (bool)e! ? null : "no new mask after reset";
            },
            ["eval_mode_is_identity"] = e =>
            {
                d.Eval();
                var y = multi ? d.Forward(x) : d.Forward(x.Select(0, 0));
                d.Train();
                return y.ToArray<float>().All(v => v == 1) == (bool)e! ? null : "eval is not the identity";
            },
        };
        return RunChecks(c, checks);
    }

    static Tensor[] SplitSteps(Tensor seq) => Enumerable.Range(0, seq.Size(0)).Select(t => seq.Select(0, t)).ToArray();

    static bool ConstantOverPlanes(float[] mask, int plane) =>
        Enumerable.Range(0, mask.Length / plane).All(i => mask.Skip(i * plane).Take(plane).Distinct().Count() == 1);

    /// <summary>Runs one property check per recorded output (in the file's order); an output without a check fails the case.</summary>
    static string? RunChecks(JsonObject c, Dictionary<string, Func<JsonNode?, string?>> checks)
    {
        foreach (var (k, expected) in c["outputs"]!.AsObject())
        {
            var check = checks.GetValueOrDefault(k) ?? throw new NotSupportedException($"output '{k}'");
            if (check(expected) is { } msg) return $"{k}: {msg}";
        }
        return null;
    }

    static string? DropConnectEvalCase(JsonObject c)
    {
        var p = c["params"]!;
        if (p["activation"] is not null) throw new NotSupportedException($"activation {p["activation"]}");
        int samples = (int)p["samples_num"]!;
        var m = new DropConnectLinear((int)p["in_features"]!, (int)p["out_features"]!, c["inputs"]!["bias"] is not null, (double)p["p"]!, samples,
            generator: new Generator(7));
        GoldenModules.LoadParameters(m, c["inputs"]!.AsObject());
        m.Eval();
        var x = In(c, "x");
        var (mu, sigma2) = m.Moments(x);
        var o = c["outputs"]!;
        if ((GoldenSet.Compare("mu", mu, o["mu"]!) ?? GoldenSet.Compare("sigma2", sigma2, o["sigma2"]!)) is { } msg) return msg;
        // The output averages Spike's own Gaussian draws: within 5 standard errors of μ, as SpikingJelly's were (0.9 recorded).
        var y = m.Forward(x).ToArray<float>();
        var (mus, s2) = (mu.ToArray<float>(), sigma2.ToArray<float>());
        for (int i = 0; i < y.Length; i++)
            if (Math.Abs(y[i] - mus[i]) > 5 * Math.Sqrt(s2[i] / samples)) return $"sample mean {y[i]} vs μ {mus[i]} (σ² {s2[i]})";
        return null;
    }

    static string? DropConnectTrainCase(JsonObject c)
    {
        var p = c["params"]!;
        var shape = c["outputs"]!["dropped_w_shape"]!.AsArray().Select(n => (int)n!).ToArray();   // [N, out, in]
        var m = new DropConnectLinear(shape[2], shape[1], p: (double)p["p"]!, invariant: (bool)p["invariant"]!, generator: new Generator(8));
        var x = Tensor.Randn([shape[0], shape[2]], new Generator(9));
        var y1 = m.Forward(x).ToArray<float>();
        var dropped = m.DroppedWeight!;
        var w = m.Weight.ToArray<float>();
        var dw = dropped.ToArray<float>();
        var checks = new Dictionary<string, Func<JsonNode?, string?>>
        {
            ["same_output_until_reset"] = e => m.Forward(x).ToArray<float>().SequenceEqual(y1) == (bool)e! ? null : "output changed before reset",
            ["dropped_w_shape"] = _ => dropped.Shape.SequenceEqual(shape) ? null : $"dropped weight {Layout.Fmt(dropped.Layout.Shape)}",
            ["dropped_w_entries_are_0_or_w"] = e => dw.Select((v, i) => v == 0 || v == w[i % w.Length]).All(b => b) == (bool)e! ? null : "dropped entries",
            ["new_mask_after_reset_differs"] = e =>
            {
                Functional.ResetNet(m);
                m.Forward(x);
                return !m.DroppedWeight!.ToArray<float>().SequenceEqual(dw) == (bool)e! ? null : "same mask after reset";
            },
        };
        return RunChecks(c, checks);
    }

    static string? StdpCase(JsonObject c)
    {
        var p = c["params"]!;
        var w0 = In(c, "weight_init");
        var fc = new Linear(w0.Size(1), w0.Size(0), bias: false);
        Raw.CopyInto(w0, fc.Weight);
        var learner = new STDPLearner((double)p["tau_pre"]!, (double)p["tau_post"]!, AffineInW((string)p["f_pre"]!), AffineInW((string)p["f_post"]!));
        var (sPre, sPost) = (In(c, "s_pre"), In(c, "s_post"));
        var pre = new List<Tensor>();
        var post = new List<Tensor>();
        for (int t = 0; t < sPre.Size(0); t++)
        {
            learner.Stdp(sPre.Select(0, t), sPost.Select(0, t), fc, (double)p["learning_rate"]!);
            pre.Add(learner.TracePre);
            post.Add(learner.TracePost);
        }
        var o = c["outputs"]!;
        return GoldenSet.Compare("trace_pre_seq", SeqOps.Stack(pre, "test"), o["trace_pre_seq"]!)
            ?? GoldenSet.Compare("trace_post_seq", SeqOps.Stack(post, "test"), o["trace_post_seq"]!);
    }

    /// <summary>"a + b*w"-style affine functions of w as the case writes them ("1 - w", "-w", "0.5*w", "w").</summary>
    internal static Func<Tensor, Tensor> AffineInW(string text)
    {
        double slope = 0, offset = 0;
        var s = text.Replace(" ", "", StringComparison.Ordinal);
        int pos = 0;
        while (pos < s.Length)
        {
            double sign = 1;
            if (s[pos] is '+' or '-') { sign = s[pos] == '-' ? -1 : 1; pos++; }
            int end = pos;
            while (end < s.Length && s[end] is not ('+' or '-')) end++;
            var term = s[pos..end];
            if (term == "w") slope += sign;
            else if (term.EndsWith("*w", StringComparison.Ordinal)) slope += sign * double.Parse(term[..^2], System.Globalization.CultureInfo.InvariantCulture);
            else offset += sign * double.Parse(term, System.Globalization.CultureInfo.InvariantCulture);
            pos = end;
        }
        return w => w * slope + offset;
    }
}
