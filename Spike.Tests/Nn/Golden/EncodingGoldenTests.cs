using System.Text.Json.Nodes;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn.Golden;

/// <summary>encoding.json: periodic, latency (linear/log), weighted phase exactly; Poisson statistically.</summary>
[TestFixture, Category("Golden")]
public sealed class EncodingGoldenTests
{
    [Test]
    public void EveryEncodingCaseMatchesSpikingJelly() => GoldenSet.RunAll("encoding", Check);

    static string? Check(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        var inputs = c["inputs"]!.AsObject();
        var outputs = c["outputs"]!.AsObject();
        // The params do not name the encoder, so it is recognised from what the case carries (never from its name).
        string kind = p.ContainsKey("enc_function") ? "LatencyEncoder"
            : p.ContainsKey("K") ? "WeightedPhaseEncoder"
            : inputs.ContainsKey("spike") && p.ContainsKey("steps") ? "PeriodicEncoder"
            : inputs.ContainsKey("x") && p.ContainsKey("steps") && outputs.ContainsKey("observed_rate") ? "PoissonEncoder"
            : throw new NotSupportedException("no encoder recognised from params " + p.ToJsonString());
        switch (kind)
        {
            case "PeriodicEncoder":
            {
                var spike = GoldenSet.ToTensor(inputs["spike"]!);
                var enc = new PeriodicEncoder(spike.Size(0));
                int steps = (int)p["steps"]!;
                if ((int)p["T"]! != spike.Size(0)) return "T differs from the pattern length";
                var outs = Enumerable.Range(0, steps).Select(_ => enc.Forward(spike)).ToList();
                return Expect(outputs, "out_seq", outs);
            }
            case "LatencyEncoder":
            {
                var fn = (string)p["enc_function"]! switch { "linear" => LatencyFunction.Linear, "log" => LatencyFunction.Log, var f => throw new NotSupportedException(f) };
                var enc = new LatencyEncoder((int)p["T"]!, fn);
                if (p["alpha"] is { } a && Math.Abs(enc.Alpha - (double)a) > 1e-9 * (double)a) return $"alpha {enc.Alpha}";
                var x = GoldenSet.ToTensor(inputs["x"]!);
                var first = Enumerable.Range(0, enc.T).Select(_ => enc.Forward(x)).ToList();
                var msg = Expect(outputs, "spike_seq", first);
                if (msg is not null || !outputs.ContainsKey("next_3_steps_wrap")) return msg;
                return Expect(outputs, "next_3_steps_wrap", Enumerable.Range(0, 3).Select(_ => enc.Forward(x)).ToList());
            }
            case "WeightedPhaseEncoder":
            {
                var enc = new WeightedPhaseEncoder((int)p["K"]!);
                var x = GoldenSet.ToTensor(inputs["x"]!);
                return Expect(outputs, "spike_seq", Enumerable.Range(0, enc.T).Select(_ => enc.Forward(x)).ToList());
            }
            case "PoissonEncoder":
                return Poisson(p, inputs, outputs);
            default:
                throw new NotSupportedException($"encoder '{kind}'");
        }
    }

    static string? Expect(JsonObject outputs, string key, List<Tensor> steps)
    {
        var seq = SeqOps.Stack(steps, "test");
        return GoldenSet.CompareExact(key, seq, outputs[key] ?? throw new KeyNotFoundException(key));
    }

    static string? Poisson(JsonObject p, JsonObject inputs, JsonObject outputs)
    {
        int steps = (int)p["steps"]!;
        var x = GoldenSet.ToTensor(inputs["x"]!);
        var enc = new PoissonEncoder(new Generator(1234), steps) { StepMode = StepMode.Multi };
        var s = enc.Forward(x);
        var values = s.ToArray<float>();
        if (values.Any(v => v != 0 && v != 1) == (bool)outputs["output_values_binary"]!) return "output is not binary";
        var rate = s.Mean(0).ToArray<float>();
        var xs = x.ToArray<float>();
        for (int i = 0; i < xs.Length; i++)
        {
            double se = Math.Sqrt(xs[i] * (1 - xs[i]) / steps);
            if (Math.Abs(rate[i] - xs[i]) > 5 * se + 1e-12) return $"rate[{i}] = {rate[i]}, x = {xs[i]} (> 5 standard errors)";
            if (xs[i] == 0 && rate[i] != (double)outputs["rate_at_x0"]!) return "rate at x = 0";
            if (xs[i] == 1 && rate[i] != (double)outputs["rate_at_x1"]!) return "rate at x = 1";
        }
        return GoldenSet.Compare("expected_rate", x, outputs["expected_rate"]!);
    }
}
