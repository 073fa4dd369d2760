using System.Text.Json;
using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;

namespace Spike.Tests.Datasets;

/// <summary>
/// Runs every case of <c>datasets.json</c> (values computed by SpikingJelly). Each case is recognised by the keys of
/// its params/inputs and run from their values, never from its name; a case that fits no runner fails the test.
/// The directory is <c>$SPIKE_GOLDEN_DIR</c> when set, else <c>shared/golden</c> found by walking up from the tests.
/// </summary>
public class GoldenDatasetsTests
{
    internal static string GoldenDir()
    {
        var env = Environment.GetEnvironmentVariable("SPIKE_GOLDEN_DIR");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "golden");
            if (File.Exists(Path.Combine(candidate, "datasets.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("shared/golden with datasets.json not found above " + TestContext.CurrentContext.TestDirectory + "; set SPIKE_GOLDEN_DIR");
    }

    [Test]
    public void AllCasesMatchSpikingJelly()
    {
        var path = Path.Combine(GoldenDir(), "datasets.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var superseded = new HashSet<string>();
        if (root.TryGetProperty("meta", out var meta) && meta.TryGetProperty("discrepancies_between_commits", out var disc))
            foreach (var d in disc.EnumerateArray())
                if (d.ValueKind == JsonValueKind.String) superseded.Add(d.GetString()!);
        int checkedCases = 0, skipped = 0;
        var failures = new List<string>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            // The secondary commit's divergent copy of a case ("<name>@73664c7c") is not the specification.
            int at = name.LastIndexOf('@');
            if (at > 0 && superseded.Contains(name[..at])) { skipped++; continue; }
            try
            {
                RunCase(c);
                checkedCases++;
            }
            catch (Exception e)
            {
                failures.Add($"{name}: {e.Message}");
            }
        }
        TestContext.Out.WriteLine($"datasets golden: {checkedCases} cases checked, {skipped} superseded cases skipped, {failures.Count} failed");
        failures.Should().BeEmpty();
        checkedCases.Should().BeGreaterThan(0);
    }

    internal static void RunCase(JsonElement c)
    {
        var p = c.GetProperty("params");
        var inputs = c.GetProperty("inputs");
        var outputs = c.GetProperty("outputs");
        bool Has(JsonElement e, string k) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(k, out _);
        if (Has(p, "j_l") && Has(p, "j_r")) Segment(p, inputs, outputs);
        else if (Has(p, "split_by") && Has(p, "frames_num")) FixedFramesNumber(p, inputs, outputs);
        else if (Has(p, "duration")) FixedDuration(p, inputs, outputs);
        else if (Has(inputs, "sequence_len") && Has(p, "T")) Mask(p, inputs, outputs);
        else if (Has(p, "labels") && Has(outputs, "x_padded")) PadCollate(p, inputs, outputs);
        else if (Has(p, "T_remain")) TemporalDelete(p, outputs);
        else throw new InvalidOperationException("no runner understands params " + p.GetRawText());
    }

    private static EventStream Events(JsonElement inputs) => new(
        Longs(inputs.GetProperty("t")),
        Longs(inputs.GetProperty("x")).Select(v => (int)v).ToArray(),
        Longs(inputs.GetProperty("y")).Select(v => (int)v).ToArray(),
        Longs(inputs.GetProperty("p")).Select(v => (byte)v).ToArray());

    private static void Segment(JsonElement p, JsonElement inputs, JsonElement outputs)
    {
        var f = EventFrames.Segment(Events(inputs), p.GetProperty("H").GetInt32(), p.GetProperty("W").GetInt32(),
            p.GetProperty("j_l").GetInt32(), p.GetProperty("j_r").GetInt32());
        ExpectTensor(f, outputs.GetProperty("frame"), "frame");
    }

    private static void FixedFramesNumber(JsonElement p, JsonElement inputs, JsonElement outputs)
    {
        var ev = Events(inputs);
        var split = p.GetProperty("split_by").GetString() switch
        {
            "number" => SplitBy.Number,
            "time" => SplitBy.Time,
            var s => throw new InvalidOperationException($"unknown split_by {s}"),
        };
        int m = p.GetProperty("frames_num").GetInt32();
        var (jl, jr) = EventFrames.FixedFramesNumberIndex(ev.T, split, m);
        if (outputs.TryGetProperty("j_l", out var ejl)) jl.Select(v => (long)v).Should().Equal(Longs(ejl), "j_l");
        if (outputs.TryGetProperty("j_r", out var ejr)) jr.Select(v => (long)v).Should().Equal(Longs(ejr), "j_r");
        var f = EventFrames.ByFixedFramesNumber(ev, split, m, p.GetProperty("H").GetInt32(), p.GetProperty("W").GetInt32());
        ExpectTensor(f, outputs.GetProperty("frames"), "frames");
    }

    private static void FixedDuration(JsonElement p, JsonElement inputs, JsonElement outputs)
    {
        var f = EventFrames.ByFixedDuration(Events(inputs), p.GetProperty("duration").GetInt64(), p.GetProperty("H").GetInt32(), p.GetProperty("W").GetInt32());
        if (outputs.TryGetProperty("frames_number", out var n)) f.Shape[0].Should().Be(n.GetInt32(), "frames_number");
        ExpectTensor(f, outputs.GetProperty("frames"), "frames");
    }

    private static void Mask(JsonElement p, JsonElement inputs, JsonElement outputs)
    {
        var t = p.GetProperty("T");
        var m = Sequences.PaddedSequenceMask(Longs(inputs.GetProperty("sequence_len")), t.ValueKind == JsonValueKind.Null ? null : t.GetInt32());
        var e = outputs.GetProperty("mask");
        m.Shape.Should().Equal(Shape(e), "mask shape");
        m.ToArray<bool>().Should().Equal(Doubles(e).Select(v => v != 0), "mask");
    }

    private static void PadCollate(JsonElement p, JsonElement inputs, JsonElement outputs)
    {
        var labels = p.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        // Inputs x0, x1, ... in numeric order.
        var samples = Enumerable.Range(0, labels.Length).Select(i =>
        {
            var e = inputs.GetProperty("x" + i);
            return new Sample(Tensor.FromArray(Doubles(e).Select(v => (float)v).ToArray(), Shape(e)), labels[i]);
        }).ToList();
        var (x, y, len) = Sequences.PadSequenceCollate(samples);
        ExpectTensor(x, outputs.GetProperty("x_padded"), "x_padded");
        y.ToArray<long>().Should().Equal(Longs(outputs.GetProperty("y")), "y");
        len.ToArray<long>().Should().Equal(Longs(outputs.GetProperty("x_len")), "x_len");
    }

    private static void TemporalDelete(JsonElement p, JsonElement outputs)
    {
        int t = p.GetProperty("T").GetInt32(), keep = p.GetProperty("T_remain").GetInt32();
        bool batchFirst = p.GetProperty("batch_first").GetBoolean();
        var expectedShape = outputs.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        int n = expectedShape[batchFirst ? 0 : 1];
        // x[n, t] = 100·n + t (or x[t, n]), so the kept time indices can be read back from the values.
        var data = new float[n * t];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < t; j++)
                data[batchFirst ? i * t + j : j * n + i] = 100 * i + j;
        var x = batchFirst ? Tensor.FromArray(data, n, t) : Tensor.FromArray(data, t, n);
        var y = new RandomTemporalDelete(keep, batchFirst, seed: 3).Apply(x);
        y.Shape.Should().Equal(expectedShape);
        var v = y.ToArray<float>();
        var kept = new int[n][];
        for (int i = 0; i < n; i++)
        {
            kept[i] = new int[keep];
            for (int j = 0; j < keep; j++)
            {
                float e = batchFirst ? v[i * keep + j] : v[j * n + i];
                ((int)e / 100).Should().Be(i);
                kept[i][j] = (int)e % 100;
            }
        }
        if (outputs.GetProperty("kept_indices_sorted").GetBoolean())
            foreach (var k in kept) k.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        if (outputs.GetProperty("same_time_indices_for_every_sample").GetBoolean())
            foreach (var k in kept) k.Should().Equal(kept[0]);
    }

    internal static long[] Longs(JsonElement e) => Data(e).Select(v => v.GetInt64()).ToArray();
    internal static double[] Doubles(JsonElement e) => Data(e).Select(v => v.ValueKind == JsonValueKind.True ? 1 : v.ValueKind == JsonValueKind.False ? 0 : v.GetDouble()).ToArray();
    internal static int[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
    private static IEnumerable<JsonElement> Data(JsonElement e) => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : e.GetProperty("data").EnumerateArray();

    private static void ExpectTensor(Tensor actual, JsonElement expected, string what)
    {
        actual.Shape.Should().Equal(Shape(expected), $"{what} shape");
        var a = Raw.ToDType(actual, DType.Float64).ToArray<double>();
        a.ShouldBeClose(Doubles(expected), 1e-6);
    }
}

public class GoldenRunnerSelfTests
{
    private const string Events = """{"t":{"shape":[3],"dtype":"int64","data":[0,1,2]},"x":{"shape":[3],"dtype":"int64","data":[0,1,1]},"y":{"shape":[3],"dtype":"int64","data":[0,0,1]},"p":{"shape":[3],"dtype":"int64","data":[0,1,1]}}""";

    [Test]
    public void RejectsUnknownCasesAndWrongValues()
    {
        using var unknown = System.Text.Json.JsonDocument.Parse("""{"name":"integrate_events_segment_to_frame","params":{"foo":1},"inputs":{},"outputs":{}}""");
        FluentActions.Invoking(() => GoldenDatasetsTests.RunCase(unknown.RootElement)).Should().Throw<InvalidOperationException>().WithMessage("*no runner*");
        // Right frame is [1,0,0,0, 0,1,0,1]; one wrong count must fail.
        using var wrong = System.Text.Json.JsonDocument.Parse("""{"name":"x","params":{"H":2,"W":2,"j_l":0,"j_r":3},"inputs":""" + Events +
            ""","outputs":{"frame":{"shape":[2,2,2],"dtype":"float64","data":[1,0,0,0,0,1,0,2]}}}""");
        FluentActions.Invoking(() => GoldenDatasetsTests.RunCase(wrong.RootElement)).Should().Throw<Exception>();
        using var right = System.Text.Json.JsonDocument.Parse("""{"name":"x","params":{"H":2,"W":2,"j_l":0,"j_r":3},"inputs":""" + Events +
            ""","outputs":{"frame":{"shape":[2,2,2],"dtype":"float64","data":[1,0,0,0,0,1,0,1]}}}""");
        GoldenDatasetsTests.RunCase(right.RootElement);
    }
}
