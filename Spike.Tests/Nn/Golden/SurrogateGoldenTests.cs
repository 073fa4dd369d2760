using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Spike.Tests.Nn.Golden;

/// <summary>surrogate.json: Θ forward, primitive forward, surrogate gradient and autograd-of-primitive gradient.</summary>
[TestFixture, Category("Golden")]
public sealed class SurrogateGoldenTests
{
    static readonly HashSet<string> Outputs = ["spiking", "primitive"];
    static readonly HashSet<string> Grads = ["spiking_x", "primitive_x"];

    [Test]
    public void EverySurrogateCaseMatchesSpikingJelly() => GoldenSet.RunAll("surrogate", Check);

    static string? Check(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        var outputs = c["outputs"]!.AsObject();
        var grads = c["grads"]?.AsObject() ?? [];
        foreach (var k in outputs.Select(kv => kv.Key)) if (!Outputs.Contains(k)) throw new NotSupportedException($"output '{k}'");
        foreach (var k in grads.Select(kv => kv.Key)) if (!Grads.Contains(k)) throw new NotSupportedException($"grad '{k}'");
        var sg = GoldenFactory.Surrogate((string)p["surrogate"]!, p);
        var w = GoldenSet.ToTensor(c["inputs"]!["w"]!);
        int ran = 0;
        foreach (bool spiking in new[] { true, false })
        {
            string o = spiking ? "spiking" : "primitive", gname = spiking ? "spiking_x" : "primitive_x";
            if (!outputs.ContainsKey(o) && !grads.ContainsKey(gname)) continue;
            sg.Spiking = spiking;
            var x = GoldenSet.ToTensor(c["inputs"]!["x"]!).RequiresGrad_();
            var y = sg.Forward(x);
            if (outputs[o] is { } expected)
            {
                var msg = spiking ? GoldenSet.CompareExact(o, y, expected) : GoldenSet.Compare(o, y, expected);
                if (msg is not null) return msg;
                ran++;
            }
            (y * w).Sum().Backward();
            if (grads[gname] is { } eg)
            {
                var msg = GoldenSet.Compare(gname, x.Grad!, eg);
                if (msg is not null) return msg;
                ran++;
            }
        }
        return ran == 0 ? "nothing to check" : null;
    }
}
