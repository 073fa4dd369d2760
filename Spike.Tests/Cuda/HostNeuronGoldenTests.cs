using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// SpikingJelly's own IFNode/LIFNode numbers (golden neuron.json, or the set in SPIKE_GOLDEN_DIR) reproduced by the
/// fused kernels run on the host: loss = Σ spikes·g + Σ v_seq·h, so the backward gets dL/dS = g and dL/dV = h.
/// Every IF/LIF case with a step mode is interpreted from its params; one it cannot map fails the test.
/// </summary>
public class HostNeuronGoldenTests
{
    static string? GoldenDir()
    {
        var env = Environment.GetEnvironmentVariable("SPIKE_GOLDEN_DIR");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "golden");
            if (File.Exists(Path.Combine(candidate, "neuron.json"))) return candidate;
        }
        return null;
    }

    static float[] Data(JsonElement tensor) => tensor.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
    static int[] Shape(JsonElement tensor) => tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Test]
    public void IfAndLifCasesMatchSpikingJelly()
    {
        var dir = GoldenDir();
        if (dir is null || !File.Exists(Path.Combine(dir, "neuron.json"))) Assert.Ignore("golden neuron.json not found (set SPIKE_GOLDEN_DIR)");
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "neuron.json")));
        int checkedCases = 0;
        var problems = new List<string>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var name = c.GetProperty("name").GetString()!;
            var ps = c.GetProperty("params");
            if (name.Contains('@')) continue; // the secondary commit's copies; the primary one is the specification
            if (!ps.TryGetProperty("neuron", out var neuron) || neuron.GetString() is not ("IFNode" or "LIFNode")) continue;
            if (!ps.TryGetProperty("mode", out _)) continue; // reset_net cases test module state, not the kernels
            try
            {
                Check(c, ps, neuron.GetString()!);
                checkedCases++;
            }
            catch (Exception e) when (e is not IgnoreException)
            {
                problems.Add($"{name}: {e.Message}");
            }
        }
        TestContext.Out.WriteLine($"golden IF/LIF cases checked against the fused kernels: {checkedCases}");
        problems.Should().BeEmpty();
        checkedCases.Should().BeGreaterThan(0);
    }

    static void Check(JsonElement c, JsonElement ps, string neuron)
    {
        var sgName = ps.GetProperty("surrogate").GetProperty("name").GetString();
        var sg = sgName switch
        {
            "ATan" => SurrogateKind.ATan,
            "Sigmoid" => SurrogateKind.Sigmoid,
            _ => throw new NotSupportedException($"surrogate {sgName} has no fused kernel"),
        };
        var vResetElement = ps.GetProperty("v_reset");
        double? vReset = vResetElement.ValueKind == JsonValueKind.Null ? null : vResetElement.GetDouble();
        var o = new NeuronKernelOptions(neuron == "IFNode" ? NeuronKind.If : NeuronKind.Lif, sg, SoftReset: vReset is null,
            DetachReset: ps.GetProperty("detach_reset").GetBoolean(),
            DecayInput: !ps.TryGetProperty("decay_input", out var di) || di.GetBoolean());
        double tau = ps.TryGetProperty("tau", out var tauElement) ? tauElement.GetDouble() : 2.0;
        var p = NeuronParams.Create(ps.GetProperty("v_threshold").GetDouble(), vReset, tau,
            ps.GetProperty("surrogate").GetProperty("alpha").GetDouble());

        var inputs = c.GetProperty("inputs");
        var shape = Shape(inputs.GetProperty("x"));
        int steps = shape[0], n = shape.Skip(1).Aggregate(1, (a, b) => a * b);
        var x = Data(inputs.GetProperty("x"));
        float[] s = new float[x.Length], h = new float[x.Length], v = new float[x.Length], last = new float[n];
        var lib = HostKernels.For(o.Program);
        lib.Run(o.Variant, $"{o.Prefix}_fwd_f32", (1, 4, false), steps, (long)n, x, null, s, h, v, last, p);
        float[] gx = new float[x.Length];
        lib.Run(o.Variant, $"{o.Prefix}_bwd_f32", (1, 4, false), steps, (long)n, Data(inputs.GetProperty("g")), Data(inputs.GetProperty("h")), h, gx, null, p);

        var outputs = c.GetProperty("outputs");
        double margin = c.TryGetProperty("diagnostics", out var diag) ? diag.GetProperty("min_abs_h_minus_v_threshold").GetDouble() : 1;
        if (margin > 1e-6) s.Should().Equal(Data(outputs.GetProperty("spikes")), "spikes");
        Close(h, Data(outputs.GetProperty("h_seq")), "h_seq");
        Close(v, Data(outputs.GetProperty("v_seq")), "v_seq");
        Close(last, Data(outputs.GetProperty("v_final")), "v_final");
        Close(gx, Data(c.GetProperty("grads").GetProperty("x")), "grad x");
    }

    /// <summary>The golden README's tolerance: |a − b| ≤ 1e-5 + 1e-4·|b|.</summary>
    static void Close(float[] actual, float[] expected, string what)
    {
        actual.Length.Should().Be(expected.Length, what);
        for (int i = 0; i < actual.Length; i++)
            if (!(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i])))
                throw new InvalidOperationException($"{what}[{i}] = {actual[i]:R}, SpikingJelly {expected[i]:R}");
    }
}
