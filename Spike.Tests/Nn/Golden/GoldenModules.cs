using System.Globalization;
using System.Text.Json.Nodes;
using Spike.Nn;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// A module written as in the golden params, e.g. "Linear(6,2,bias=False)", "Flatten()" or
/// "IFNode(v_threshold=1.0,v_reset=0.0,surrogate=ATan(alpha=2.0))": positional and keyword arguments, where a value is a
/// number, True/False, None or another call.
/// </summary>
internal sealed record ModuleSpec(string Name, List<object?> Positional, Dictionary<string, object?> Args)
{
    public static ModuleSpec Parse(string s)
    {
        int pos = 0;
        var spec = ParseCall(s, ref pos);
        if (pos != s.Length) throw new FormatException($"module spec '{s}': trailing text at {pos}");
        return spec;
    }

    static ModuleSpec ParseCall(string s, ref int pos)
    {
        int open = s.IndexOf('(', pos);
        if (open < 0) throw new FormatException($"module spec '{s}': no '(' after {pos}");
        var spec = new ModuleSpec(s[pos..open].Trim(), [], []);
        pos = open + 1;
        while (pos < s.Length && s[pos] != ')')
        {
            int end = pos;
            while (end < s.Length && s[end] is not (',' or ')' or '(' or '=')) end++;
            string? key = null;
            if (end < s.Length && s[end] == '=') { key = s[pos..end].Trim(); pos = end + 1; end = pos; }
            while (end < s.Length && s[end] is not (',' or ')' or '(')) end++;
            object? value;
            if (end < s.Length && s[end] == '(') value = ParseCall(s, ref pos);
            else
            {
                var text = s[pos..end].Trim();
                value = text == "None" ? null : text is "True" or "False" ? text == "True" : double.Parse(text, CultureInfo.InvariantCulture);
                pos = end;
            }
            if (key is null) spec.Positional.Add(value); else spec.Args[key] = value;
            if (pos < s.Length && s[pos] == ',') pos++;
        }
        if (pos >= s.Length) throw new FormatException($"module spec '{s}': unclosed '('");
        pos++;
        return spec;
    }

    /// <summary>The keyword arguments as golden params (surrogates as {"name": ..., "alpha": ...}).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["name"] = Name };
        foreach (var (k, v) in Args)
            o[k] = v switch { double d => JsonValue.Create(d), bool b => JsonValue.Create(b), ModuleSpec m => m.ToJson(), _ => null };
        return o;
    }
}

/// <summary>Builds Spike modules from <see cref="ModuleSpec"/>s and loads parameter values stored in a case's inputs.</summary>
internal static class GoldenModules
{
    public static Module Build(string text) => Build(ModuleSpec.Parse(text));

    public static Module Build(ModuleSpec spec)
    {
        if (spec.Name.EndsWith("Node", StringComparison.Ordinal))
        {
            var neuronParams = new JsonObject { ["neuron"] = spec.Name };
            foreach (var (k, v) in spec.ToJson()) if (k != "name") neuronParams[k] = v?.DeepClone();
            return GoldenFactory.Neuron(neuronParams);
        }
        int Int(int i) => (int)(double)spec.Positional[i]!;
        bool Flag(string key, bool fallback) => spec.Args.TryGetValue(key, out var v) ? (bool)v! : fallback;
        return spec.Name switch
        {
            "Linear" => new Linear(Int(0), Int(1), Flag("bias", true)),
            "Flatten" => new Flatten(),
            "ReLU" => new ReLU(),
            _ => throw new NotSupportedException($"golden: module '{spec.Name}'"),
        };
    }

    /// <summary>Sequential of the specs (or the single module).</summary>
    public static Module[] BuildAll(JsonArray specs) => specs.Select(s => Build((string)s!)).ToArray();

    /// <summary>
    /// Copies a value from the case's inputs into every parameter of the module: the input named by the parameter's dotted
    /// name, or, failing that, by its last component when that is unambiguous (cases store a lone Linear's "weight").
    /// A parameter without a stored value fails the case.
    /// </summary>
    public static void LoadParameters(Module m, JsonObject inputs)
    {
        var named = m.NamedParameters().ToList();
        foreach (var (name, p) in named)
        {
            string leaf = name[(name.LastIndexOf('.') + 1)..];
            bool leafUnique = named.Count(x => x.Name.EndsWith("." + leaf, StringComparison.Ordinal) || x.Name == leaf) == 1;
            var node = inputs[name] ?? inputs["param." + name] ?? (leafUnique ? inputs[leaf] : null)
                ?? throw new KeyNotFoundException($"golden: no stored value for parameter '{name}'");
            var value = GoldenSet.ToTensor(node);
            if (!value.Shape.SequenceEqual(p.Shape))
                throw new ArgumentException($"golden: parameter '{name}' is {Layout.Fmt(p.Layout.Shape)} in Spike, {Layout.Fmt(value.Layout.Shape)} in the case");
            Raw.CopyInto(Raw.ToDType(value, p.DType), p);
        }
    }
}
