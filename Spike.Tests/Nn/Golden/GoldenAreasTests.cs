using System.Text.Json.Nodes;
using NUnit.Framework;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// Accounts for every area file in the golden directory: an area is covered when this assembly has a runner for it, a
/// test class named after the area with "Golden" in its name (SurrogateGoldenTests, GoldenDatasetsTests,
/// EventDrivenGoldenTests for event_driven, …); any other area is printed as skipped with its case count, until its
/// runner exists. The five areas of Spike.Nn must have runners.
/// </summary>
[TestFixture, Category("Golden")]
public sealed class GoldenAreasTests
{
    static readonly string[] NnAreas = ["surrogate", "neuron", "layer", "encoding", "functional"];

    [Test]
    public void EveryAreaIsRunOrReportedAsSkipped()
    {
        var runners = typeof(GoldenAreasTests).Assembly.GetTypes()
            .Where(t => t.Name.Contains("Golden", StringComparison.Ordinal) && t.Name.EndsWith("Tests", StringComparison.Ordinal) && t != typeof(GoldenAreasTests))
            .GroupBy(t => t.Name.Replace("Golden", "", StringComparison.Ordinal)[..^"Tests".Length].ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.First().Name);
        var files = System.IO.Directory.GetFiles(GoldenSet.Directory(), "*.json").OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.That(files, Is.Not.Empty, "golden: no area files");
        var covered = new List<string>();
        foreach (var file in files)
        {
            string area = Path.GetFileNameWithoutExtension(file);
            if (runners.TryGetValue(area.Replace("_", "", StringComparison.Ordinal), out var runner)) { covered.Add($"{area} ({runner})"); continue; }
            var cases = JsonNode.Parse(File.ReadAllText(file))!["cases"]!.AsArray();
            int count = cases.Count(c => !GoldenSet.IsUpstreamRecord((string)c!["name"]!));
            TestContext.Out.WriteLine($"golden {area}: skipped area, {count} cases (no runner in Spike.Tests yet)");
        }
        TestContext.Out.WriteLine($"golden areas with runners: {string.Join(", ", covered)}");
        foreach (var area in NnAreas)
            Assert.That(covered.Any(c => c.StartsWith(area + " ", StringComparison.Ordinal)), $"golden {area}: the area has no runner");
    }
}
