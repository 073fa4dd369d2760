using System.Text.Json.Nodes;
using NUnit.Framework;
using Spike.Nn.EventDriven;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// event_driven.json: Tempotron (v, v_max, signed peak times, mse_loss and its gradient for fc.weight) and
/// GaussianTuning (μ, σ², spike times), each built from the case's params and inputs.
/// </summary>
[TestFixture, Category("Golden")]
public sealed class EventDrivenGoldenTests
{
    [Test]
    public void EveryEventDrivenCaseMatchesSpikingJelly() => GoldenSet.RunAll("event_driven", Check, Exclusion);

    /// <summary>Upstream bugs Spike fixes on purpose (docs/compat.md, "Event-driven").</summary>
    static string? Exclusion(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        if (p.ContainsKey("tau_s") && (int)p["out_features"]! == 1 && GoldenSet.ShapeOf(c["inputs"]!["in_spikes"]!)[0] > 1)
            return "upstream squeezes v_max [B, 1] to [B], so its signed peak times and mse_loss broadcast [B, 1] against [B] " +
                "into [B, B]; Spike keeps v_max [B, out]";
        return null;
    }

    static string? Check(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        return p.ContainsKey("tau_s") ? TempotronCase(c)
            : p.ContainsKey("max_spike_time") ? GaussianTuningCase(c)
            : throw new NotSupportedException("neither a Tempotron nor a GaussianTuning case");
    }

    static string? TempotronCase(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        GoldenSet.RequireKnown(p, "Tempotron parameter", "in_features", "out_features", "T", "tau", "tau_s", "v_threshold", "v0");
        GoldenSet.RequireKnown(c["inputs"]!.AsObject(), "input", "in_spikes", "fc.weight", "label");
        var outputs = c["outputs"]!.AsObject();
        GoldenSet.RequireKnown(outputs, "output", "v", "v_max", "spikes", "mse_loss");
        GoldenSet.RequireKnown(c["grads"]!.AsObject(), "grad", "fc.weight");
        double vth = GoldenSet.Num(p, "v_threshold");
        var tempotron = new Tempotron((int)p["in_features"]!, (int)p["out_features"]!, (int)p["T"]!, GoldenSet.Num(p, "tau"), GoldenSet.Num(p, "tau_s"), vth);
        if (p["v0"] is { } v0 && GoldenSet.CompareNumber("v0", tempotron.V0, (double)v0, 0, 1e-12) is { } bad) return bad;
        Raw.CopyInto(In(c, "fc.weight"), tempotron.Fc.Weight);
        var spikes = In(c, "in_spikes");
        var vMax = tempotron.Forward(spikes, TempotronOutput.VMax);
        var loss = Tempotron.MseLoss(vMax, vth, In(c, "label"), tempotron.Fc.OutFeatures);
        loss.Backward();
        var grads = c["grads"]!;
        return (outputs["v"] is { } v ? GoldenSet.Compare("v", tempotron.Forward(spikes, TempotronOutput.V), v) : null)
            ?? (outputs["v_max"] is { } vm ? GoldenSet.Compare("v_max", Squeezed(vMax, vm), vm) : null)
            ?? (outputs["spikes"] is { } s ? GoldenSet.CompareExact("spikes", tempotron.Forward(spikes, TempotronOutput.Spikes), s) : null)
            ?? (outputs["mse_loss"] is { } l ? GoldenSet.CompareNumber("mse_loss", loss.Item(), (double)l) : null)
            ?? (grads["fc.weight"] is { } gw ? GoldenSet.Compare("grad fc.weight", tempotron.Fc.Weight.Grad!, gw) : null);
    }

    /// <summary>Upstream's max_pool1d(...).squeeze() drops every axis of size 1; Spike keeps [B, out].</summary>
    static Tensor Squeezed(Tensor actual, JsonNode expected) =>
        GoldenSet.ShapeOf(expected).SequenceEqual(actual.Shape.Where(d => d != 1)) ? actual.Squeeze() : actual;

    static string? GaussianTuningCase(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        GoldenSet.RequireKnown(p, "GaussianTuning parameter", "n", "m", "max_spike_time");
        GoldenSet.RequireKnown(c["inputs"]!.AsObject(), "input", "x", "x_min", "x_max");
        var outputs = c["outputs"]!.AsObject();
        GoldenSet.RequireKnown(outputs, "output", "mu", "sigma2", "spike_times");
        var encoder = new GaussianTuning((int)p["n"]!, (int)p["m"]!, In(c, "x_min"), In(c, "x_max"));
        var times = encoder.Encode(In(c, "x"), (int)p["max_spike_time"]!);
        return GoldenSet.Compare("mu", encoder.Mu, outputs["mu"]!)
            ?? GoldenSet.Compare("sigma2", encoder.Sigma2, outputs["sigma2"]!)
            ?? GoldenSet.CompareExact("spike_times", times, outputs["spike_times"]!);
    }

    static Tensor In(JsonObject c, string key) => GoldenSet.ToTensor(c["inputs"]![key] ?? throw new NotSupportedException($"input '{key}' missing"));
}
