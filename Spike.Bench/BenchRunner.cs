using System.Text.Json;
using System.Text.Json.Nodes;

namespace Spike.Bench;

/// <summary>Runs the selected workloads and writes one JSON document: the machine (before and after, with its load)
/// and one record per workload. A human-readable line per workload goes to the log as it finishes.</summary>
public static class BenchRunner
{
    /// <summary>The workloads a filter selects: the one named exactly so, else those of the group so named, else those
    /// whose name contains it. No filters select everything.</summary>
    public static IReadOnlyList<Workload> Select(IReadOnlyList<string> filters)
    {
        var all = Workloads.All().ToList();
        if (filters.Count == 0) return all;
        bool Matches(Workload w, string f) =>
            all.Any(x => x.Name.Equals(f, StringComparison.OrdinalIgnoreCase)) ? w.Name.Equals(f, StringComparison.OrdinalIgnoreCase)
            : all.Any(x => x.Group.Equals(f, StringComparison.OrdinalIgnoreCase)) ? w.Group.Equals(f, StringComparison.OrdinalIgnoreCase)
            : w.Name.Contains(f, StringComparison.OrdinalIgnoreCase);
        return all.Where(w => filters.Any(f => Matches(w, f))).ToList();
    }

    public static int Run(IReadOnlyList<string> filters, bool listOnly, TextWriter json, TextWriter log)
    {
        var selected = Select(filters);
        if (selected.Count == 0)
        {
            log.WriteLine($"bench: no workload matches {string.Join(", ", filters)}; try --list");
            return 1;
        }
        if (listOnly)
        {
            foreach (var w in selected) json.WriteLine($"{w.Group,-10} {w.Name}");
            return 0;
        }
        var machine = Harness.Machine();
        var results = new List<Result>();
        foreach (var w in selected)
        {
            var r = Harness.Measure(w);
            string metrics = string.Concat(r.Metrics.Select(kv => $", {kv.Key} {kv.Value:G4}"));
            log.WriteLine($"{r.Name,-30} {r.Rate,10:G4} {r.Unit,-8} median {r.MedianS * 1e3,10:F3} ms ({r.Runs} runs, cpu {r.CpuS * 1e3:F1} ms/run{metrics})");
            results.Add(r);
        }
        machine["load_average_end"] = Harness.LoadAverage();
        var doc = new Dictionary<string, object>
        {
            ["machine"] = machine,
            ["results"] = results.Select(r => new Dictionary<string, object>
            {
                ["name"] = r.Name,
                ["group"] = r.Group,
                ["runs"] = r.Runs,
                ["median_s"] = r.MedianS,
                ["min_s"] = r.MinS,
                ["max_s"] = r.MaxS,
                ["rate"] = Math.Round(r.Rate, 6),
                ["unit"] = r.Unit,
                ["work"] = r.Work,
                ["cpu_s_per_run"] = r.CpuS,
                ["metrics"] = r.Metrics,
            }).ToList(),
        };
        json.WriteLine(ToJson(doc)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    // Built as JSON nodes rather than by reflection-based serialisation, so a trimmed publish keeps working.
    static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<string, object> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        IReadOnlyDictionary<string, double> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        IDictionary<string, bool> d => new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        System.Collections.IEnumerable list and not string => new JsonArray(list.Cast<object?>().Select(ToJson).ToArray()),
        string v => JsonValue.Create(v),
        int v => JsonValue.Create(v),
        double v => JsonValue.Create(v),
        bool v => JsonValue.Create(v),
        _ => JsonValue.Create(value.ToString()),
    };
}
