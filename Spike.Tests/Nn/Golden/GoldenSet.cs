using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// Reads one area's golden file (schema in shared/golden/README.md). The directory is SPIKE_GOLDEN_DIR when set,
/// else the first <c>shared/golden</c> found walking up from the test directory (e.g. &lt;repo&gt;/../shared/golden).
/// Cases named <c>…@73664c7c</c> or <c>ERROR|…</c> record upstream failures, not specifications: they are skipped.
/// </summary>
internal static class GoldenSet
{
    public static string Directory()
    {
        var env = Environment.GetEnvironmentVariable("SPIKE_GOLDEN_DIR");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "golden");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("golden: no shared/golden above " + TestContext.CurrentContext.TestDirectory + "; set SPIKE_GOLDEN_DIR");
    }

    /// <summary>The specification cases of an area (upstream-failure records removed); null when the file is absent.</summary>
    public static List<JsonObject>? Cases(string area)
    {
        var path = Path.Combine(Directory(), area + ".json");
        if (!File.Exists(path)) return null;
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        return root["cases"]!.AsArray().Select(c => c!.AsObject())
            .Where(c => !IsUpstreamRecord((string)c["name"]!)).ToList();
    }

    public static bool IsUpstreamRecord(string name) => name.Contains("@73664c7c", StringComparison.Ordinal) || name.StartsWith("ERROR|", StringComparison.Ordinal);

    /// <summary>A golden tensor object as a Float32/Float64/Int64/Bool tensor.</summary>
    public static Tensor ToTensor(JsonNode node)
    {
        var shape = node["shape"]!.AsArray().Select(n => (int)n!).ToArray();
        var dtype = (string)node["dtype"]!;
        var data = node["data"]!.AsArray().Select(ParseNumber).ToArray();
        return dtype switch
        {
            "float32" => Tensor.FromArray(data.Select(v => (float)v).ToArray(), shape),
            "float64" => Tensor.FromArray(data, shape),
            "int64" => Tensor.FromArray(data.Select(v => (long)v).ToArray(), shape),
            "bool" => Tensor.FromArray(data.Select(v => v != 0).ToArray(), shape),
            _ => throw new NotSupportedException($"golden: tensor dtype '{dtype}'"),
        };
    }

    public static double[] Values(JsonNode node) => node["data"]!.AsArray().Select(ParseNumber).ToArray();

    public static int[] ShapeOf(JsonNode node) => node["shape"]!.AsArray().Select(n => (int)n!).ToArray();

    static double ParseNumber(JsonNode? n) => n!.GetValueKind() == System.Text.Json.JsonValueKind.String
        ? (string)n! switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, var s => throw new FormatException($"golden: '{s}'") }
        : (double)n;

    /// <summary>Compares with |a − b| ≤ atol + rtol·|b| (README: 1e-5 + 1e-4·|b|); returns a message or null.</summary>
    public static string? Compare(string what, double[] actual, int[] actualShape, JsonNode expected, double atol = 1e-5, double rtol = 1e-4)
    {
        var shape = ShapeOf(expected);
        if (!shape.SequenceEqual(actualShape)) return $"{what}: shape {Layout.Fmt(actualShape)}, expected {Layout.Fmt(shape)}";
        var exp = Values(expected);
        for (int i = 0; i < exp.Length; i++)
            if (!(Math.Abs(actual[i] - exp[i]) <= atol + rtol * Math.Abs(exp[i])) && !(double.IsNaN(exp[i]) && double.IsNaN(actual[i])))
                return $"{what}[{i}] = {actual[i]:G9}, expected {exp[i]:G9}";
        return null;
    }

    public static string? Compare(string what, Tensor actual, JsonNode expected, double atol = 1e-5, double rtol = 1e-4) =>
        Compare(what, Raw.ToDType(actual, DType.Float64).ToArray<double>(), actual.Layout.Shape, expected, atol, rtol);

    /// <summary>A number (e.g. a loss) with the same tolerance as the tensors.</summary>
    public static string? CompareNumber(string what, double actual, double expected, double atol = 1e-5, double rtol = 1e-4) =>
        Math.Abs(actual - expected) <= atol + rtol * Math.Abs(expected) ? null : $"{what} = {actual:G9}, expected {expected:G9}";

    /// <summary>0/1 outputs must match exactly.</summary>
    public static string? CompareExact(string what, Tensor actual, JsonNode expected) => Compare(what, actual, expected, 0, 0);

    public static double Num(JsonObject p, string key) => p[key] is { } v ? (double)v : throw new KeyNotFoundException($"golden: params lack '{key}'");

    public static double? NumOrNull(JsonObject p, string key) => p.ContainsKey(key) ? p[key] is null ? null : (double)p[key]! : throw new KeyNotFoundException($"golden: params lack '{key}'");

    /// <summary>Throws for a key of <paramref name="obj"/> that is not in <paramref name="known"/> (a trailing '*' matches a
    /// prefix), so a runner never silently ignores a field it does not interpret.</summary>
    public static void RequireKnown(JsonObject obj, string what, params string[] known)
    {
        foreach (var key in obj.Select(kv => kv.Key))
            if (!known.Any(k => k.EndsWith('*') ? key.StartsWith(k[..^1], StringComparison.Ordinal) : key == k))
                throw new NotSupportedException($"golden: {what} '{key}' is not interpreted");
    }

    /// <summary>Runs every case, collects failures, prints the count, and fails if any case failed or none ran.</summary>
    public static void RunAll(string area, Func<JsonObject, string?> check) => RunAll(area, check, _ => null);

    /// <summary>As <see cref="RunAll(string, Func{JsonObject, string?})"/>, except the cases for which
    /// <paramref name="exclusion"/> gives a reason (an upstream bug Spike fixes on purpose, see docs/compat.md):
    /// those are not run, and are counted and listed as excluded. With <paramref name="checkExcluded"/> an excluded case
    /// still runs through <paramref name="check"/>, which then compares what the upstream bug leaves valid (e.g. the
    /// traces of a case whose weights record the bug).</summary>
    public static void RunAll(string area, Func<JsonObject, string?> check, Func<JsonObject, string?> exclusion, bool checkExcluded = false)
    {
        var cases = Cases(area) ?? throw new FileNotFoundException($"golden: {area}.json not found in {Directory()}");
        var failures = new List<string>();
        var excluded = new List<string>();
        foreach (var c in cases)
        {
            string name = (string)c["name"]!;
            try
            {
                if (exclusion(c) is { } reason)
                {
                    excluded.Add($"{name}: {reason}");
                    if (!checkExcluded) continue;
                }
                var msg = check(c);
                if (msg is not null) failures.Add($"{name}: {msg}");
            }
            catch (Exception e)
            {
                failures.Add($"{name}: cannot run: {e.GetType().Name}: {e.Message}");
            }
        }
        TestContext.Out.WriteLine($"golden {area}: {cases.Count - excluded.Count} cases checked, {excluded.Count} excluded, {failures.Count} failed ({Directory()})");
        foreach (var e in excluded) TestContext.Out.WriteLine("  excluded " + e);
        Assert.That(cases, Is.Not.Empty, $"golden {area}: no cases");
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)) + (failures.Count > 20 ? $"\n... {failures.Count - 20} more" : ""));
    }
}
