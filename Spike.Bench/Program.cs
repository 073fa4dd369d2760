using System.Text.Json;
using System.Text.Json.Nodes;
using Spike.Bench;

// Usage: dotnet run --project Spike.Bench -c Release -- [filter]
// Runs every workload whose name contains the filter and prints one JSON document on stdout.
string filter = args.Length > 0 ? args[0] : "";
var results = new List<Result>();
foreach (var w in Workloads.All())
{
    if (!w.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
    var r = Harness.Measure(w);
    Console.Error.WriteLine($"{r.Name,-24} {r.Rate,10:F2} {r.Unit,-8} median {r.MedianS * 1e3,9:F3} ms ({r.Runs} runs, cpu {r.CpuS * 1e3:F3} ms/run)");
    results.Add(r);
}
var doc = new Dictionary<string, object>
{
    ["machine"] = Harness.Machine(),
    ["results"] = results.Select(r => new Dictionary<string, object>
    {
        ["name"] = r.Name,
        ["runs"] = r.Runs,
        ["median_s"] = r.MedianS,
        ["min_s"] = r.MinS,
        ["max_s"] = r.MaxS,
        ["rate"] = Math.Round(r.Rate, 3),
        ["unit"] = r.Unit,
        ["work"] = r.Work,
        ["cpu_s_per_run"] = r.CpuS,
    }).ToList(),
};
Console.WriteLine(ToJson(doc)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

// Built as JSON nodes rather than by reflection-based serialisation, so a trimmed publish keeps working.
static JsonNode? ToJson(object? value) => value switch
{
    null => null,
    IDictionary<string, object> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
    IDictionary<string, bool> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
    System.Collections.IEnumerable list and not string => new JsonArray(list.Cast<object?>().Select(ToJson).ToArray()),
    string v => JsonValue.Create(v),
    int v => JsonValue.Create(v),
    double v => JsonValue.Create(v),
    bool v => JsonValue.Create(v),
    _ => JsonValue.Create(value.ToString()),
};
