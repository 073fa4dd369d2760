using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Nn.Golden;

/// <summary>
/// rnn.json: the spiking RNN cells run over x [T, N, input] from zero state (loss = Σ h_seq·g_h [+ Σ c_seq·g_c]) and
/// the multi-layer modules in eval mode (loss = Σ y·g_y). Every module is built from the case's params, loaded with
/// its <c>param.*</c> inputs under SpikingJelly's parameter names, and compared on every output and gradient.
/// </summary>
[TestFixture, Category("Golden")]
public sealed partial class RnnGoldenTests
{
    [Test]
    public void EveryRnnCaseMatchesSpikingJelly() => GoldenSet.RunAll("rnn", Check, Exclusion);

    /// <summary>Upstream bugs Spike fixes on purpose (docs/compat.md, "Spiking RNNs").</summary>
    static string? Exclusion(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        if (p["module"] is { } m && (string)m! is "SpikingGRU" or "SpikingVanillaRNN" && !Flag(p, "bidirectional", false) && (int)p["num_layers"]! > 1)
            return "upstream feeds layer i > 0 of a single-state RNN with states_list[0, i-1], i.e. batch row i-1 of layer 0's h " +
                "(the GRU raises); Spike feeds the previous step's h of layer i-1, as upstream does for the LSTM";
        return null;
    }

    static string? Check(JsonObject c)
    {
        var p = c["params"]!.AsObject();
        Func<bool, string?> run = p.ContainsKey("cell") ? compare => CellCase(c, compare)
            : p.ContainsKey("module") ? compare => ModuleCase(c, compare)
            : throw new NotSupportedException("neither a cell nor a module case");
        // A case that records an upstream exception is a specification too: Spike must refuse the same input with
        // its own argument check (any other exception means the case could not be interpreted).
        if (c["error"] is { } error)
        {
            try { run(false); }
            catch (ArgumentException) { return null; }
            return $"upstream raised '{error}', Spike ran";
        }
        return run(true);
    }

    static string? CellCase(JsonObject c, bool compare)
    {
        var p = c["params"]!.AsObject();
        GoldenSet.RequireKnown(p, "cell parameter", "cell", "input_size", "hidden_size", "bias", "surrogate_function",
            "surrogate_function1", "surrogate_function2", "param_order");
        int input = (int)p["input_size"]!, hidden = (int)p["hidden_size"]!;
        bool bias = Flag(p, "bias", true);
        SpikingRnnCellBase cell = (string)p["cell"]! switch
        {
            "SpikingLSTMCell" => new SpikingLstmCell(input, hidden, bias, SurrogateOrNull(p, "surrogate_function1"), SurrogateOrNull(p, "surrogate_function2")),
            "SpikingGRUCell" => new SpikingGruCell(input, hidden, bias, SurrogateOrNull(p, "surrogate_function1"), SurrogateOrNull(p, "surrogate_function2")),
            "SpikingVanillaRNNCell" => new SpikingVanillaRnnCell(input, hidden, bias, SurrogateOrNull(p, "surrogate_function")),
            var name => throw new NotSupportedException($"cell '{name}'"),
        };
        var x = LoadInputs(c, cell, "x", "g_h", "g_c").RequiresGrad_();
        RnnState? state = null;
        var hs = new List<Tensor>();
        var cs = new List<Tensor>();
        for (int t = 0; t < x.Size(0); t++)
        {
            state = cell.Forward(x.Select(0, t), state);
            hs.Add(state.H);
            if (state.C is not null) cs.Add(state.C);
        }
        var hSeq = Tensor.Stack(hs.ToArray());
        var cSeq = cs.Count > 0 ? Tensor.Stack(cs.ToArray()) : null;
        if (!compare) return null;

        var inputs = c["inputs"]!.AsObject();
        var loss = (hSeq * In(c, "g_h")).Sum();
        if (inputs.ContainsKey("g_c")) loss += ((cSeq ?? throw new NotSupportedException("g_c for a cell without c")) * In(c, "g_c")).Sum();
        loss.Backward();
        var outputs = c["outputs"]!.AsObject();
        GoldenSet.RequireKnown(outputs, "output", "h_seq", "c_seq", "loss");
        return GoldenSet.Compare("h_seq", hSeq, outputs["h_seq"]!)
            ?? (outputs["c_seq"] is { } ec ? GoldenSet.Compare("c_seq", cSeq ?? throw new NotSupportedException("c_seq of a cell without c"), ec) : null)
            ?? GoldenSet.CompareNumber("loss", loss.Item(), (double)outputs["loss"]!)
            ?? CompareGrads(c, x, cell);
    }

    static string? ModuleCase(JsonObject c, bool compare)
    {
        var p = c["params"]!.AsObject();
        GoldenSet.RequireKnown(p, "module parameter", "module", "input_size", "hidden_size", "num_layers", "bias", "dropout_p",
            "invariant_dropout_mask", "bidirectional", "surrogate", "surrogate_function", "surrogate_function1", "surrogate_function2", "param_order");
        int input = (int)p["input_size"]!, hidden = (int)p["hidden_size"]!, layers = (int)p["num_layers"]!;
        bool bias = Flag(p, "bias", true), bidirectional = Flag(p, "bidirectional", false), invariant = Flag(p, "invariant_dropout_mask", false);
        double dropout = p["dropout_p"] is { } d ? (double)d : 0;
        // "surrogate" names σ (σ1 for the LSTM and GRU); "… (default)" means the module was built without one.
        var (sf1, isDefault) = p["surrogate"] is { } s ? ParseSurrogate((string)s!) : (SurrogateOrNull(p, "surrogate_function1") ?? SurrogateOrNull(p, "surrogate_function"), false);
        var sf2 = SurrogateOrNull(p, "surrogate_function2");
        var given = isDefault ? null : sf1;
        SpikingRnnBase rnn = (string)p["module"]! switch
        {
            "SpikingLSTM" => new SpikingLstm(input, hidden, layers, bias, dropout, invariant, bidirectional, given, sf2),
            "SpikingGRU" => new SpikingGru(input, hidden, layers, bias, dropout, invariant, bidirectional, given, sf2),
            "SpikingVanillaRNN" => new SpikingVanillaRnn(input, hidden, layers, bias, dropout, invariant, bidirectional, given),
            var name => throw new NotSupportedException($"module '{name}'"),
        };
        rnn.Eval();
        if (isDefault && sf1 is not null && FirstSurrogate(rnn.Cells[0]).ToString() != sf1.ToString())
            return $"default surrogate is {FirstSurrogate(rnn.Cells[0])}, upstream's is {sf1}";
        var x = LoadInputs(c, rnn, "x", "g_y").RequiresGrad_();
        var (y, states) = rnn.Forward(x, null);
        if (!compare) return null;

        (y * In(c, "g_y")).Sum().Backward();
        var outputs = c["outputs"]!.AsObject();
        GoldenSet.RequireKnown(outputs, "output", "y", "h_n", "c_n");
        return GoldenSet.Compare("y", y, outputs["y"]!)
            ?? CompareStates("h_n", states.H, outputs["h_n"]!, layers, bidirectional)
            ?? (outputs["c_n"] is { } ec ? CompareStates("c_n", states.C ?? throw new NotSupportedException("c_n of a module without c"), ec, layers, bidirectional) : null)
            ?? CompareGrads(c, x, rnn);
    }

    /// <summary>
    /// Spike's states are [L·D, N, H]. Upstream's multi-state RNNs return torch.split(states, 1), which keeps a
    /// leading axis of 1 ([1, L·D, N, H]); and its bidirectional loop rebuilds the state tensor from zeros at every
    /// layer, so only the last layer's slots survive: the others must be zero in the file and are not compared.
    /// </summary>
    static string? CompareStates(string what, Tensor actual, JsonNode expected, int layers, bool bidirectional)
    {
        var shape = GoldenSet.ShapeOf(expected);
        if (shape.Length == actual.Rank + 1 && shape[0] == 1) actual = actual.Unsqueeze(0);
        if (!bidirectional || layers == 1) return GoldenSet.Compare(what, actual, expected);
        if (!shape.SequenceEqual(actual.Shape)) return $"{what}: shape {Layout.Fmt(actual.Layout.Shape)}, expected {Layout.Fmt(shape)}";
        var a = Raw.ToDType(actual, DType.Float64).ToArray<double>();
        var e = GoldenSet.Values(expected);
        int slot = a.Length / (2 * layers);
        for (int i = 0; i < a.Length; i++)
        {
            bool lastLayer = i / slot % layers == layers - 1;
            if (lastLayer ? !(Math.Abs(a[i] - e[i]) <= 1e-5 + 1e-4 * Math.Abs(e[i])) : e[i] != 0)
                return $"{what}[{i}] = {a[i]:G9}, expected {e[i]:G9}{(lastLayer ? "" : " (upstream leaves lower layers at zero)")}";
        }
        return null;
    }

    /// <summary>Copies every param.* input into the parameter of that name (checking names and order against
    /// param_order) and returns the input named first.</summary>
    static Tensor LoadInputs(JsonObject c, Module m, params string[] dataInputs)
    {
        var inputs = c["inputs"]!.AsObject();
        GoldenSet.RequireKnown(inputs, "input", [.. dataInputs, "param.*"]);
        var named = m.NamedParameters().ToList();
        if (c["params"]!["param_order"] is JsonArray order && !order.Select(n => (string)n!).SequenceEqual(named.Select(n => n.Name)))
            throw new NotSupportedException($"parameter names {string.Join(", ", named.Select(n => n.Name))} differ from param_order {order.ToJsonString()}");
        foreach (var key in inputs.Select(kv => kv.Key).Where(k => k.StartsWith("param.", StringComparison.Ordinal)))
        {
            var target = named.FirstOrDefault(n => n.Name == key["param.".Length..]).Tensor ?? throw new NotSupportedException($"no parameter for '{key}'");
            var value = In(c, key);
            if (!value.Shape.SequenceEqual(target.Shape)) throw new NotSupportedException($"{key}: shape {Layout.Fmt(value.Layout.Shape)}, parameter {Layout.Fmt(target.Layout.Shape)}");
            Raw.CopyInto(value, target);
        }
        return In(c, dataInputs[0]);
    }

    static string? CompareGrads(JsonObject c, Tensor x, Module m)
    {
        var grads = c["grads"]!.AsObject();
        GoldenSet.RequireKnown(grads, "grad", "x", "param.*");
        var named = m.NamedParameters().ToDictionary(n => "param." + n.Name, n => n.Tensor);
        foreach (var (key, expected) in grads)
        {
            var actual = key == "x" ? x.Grad : named.TryGetValue(key, out var t) ? t.Grad : throw new NotSupportedException($"no parameter for grad '{key}'");
            var msg = actual is null ? $"grad {key}: none" : GoldenSet.Compare("grad " + key, actual, expected!);
            if (msg is not null) return msg;
        }
        return null;
    }

    static Surrogate FirstSurrogate(SpikingRnnCellBase cell) => cell switch
    {
        SpikingLstmCell l => l.SurrogateFunction1,
        SpikingGruCell g => g.SurrogateFunction1,
        SpikingVanillaRnnCell v => v.SurrogateFunction,
        _ => throw new NotSupportedException(cell.GetType().Name),
    };

    static Surrogate? SurrogateOrNull(JsonObject p, string key) => p[key] is { } v ? ParseSurrogate((string)v!).Surrogate : null;

    [GeneratedRegex(@"^(\w+)\(([^()]*)\)(\s*\(default\))?$")]
    private static partial Regex SurrogateSpec();

    /// <summary>"Erf(alpha=2.0, spiking=False)" or "Erf(alpha=2.0) (default)" as a surrogate (Spiking from the text).</summary>
    static (Surrogate Surrogate, bool IsDefault) ParseSurrogate(string text)
    {
        var m = SurrogateSpec().Match(text.Trim());
        if (!m.Success) throw new NotSupportedException($"surrogate spec '{text}'");
        var args = new JsonObject();
        foreach (var pair in m.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            args[kv[0]] = kv[1] is "True" or "False" ? JsonValue.Create(kv[1] == "True") : JsonValue.Create(double.Parse(kv[1], CultureInfo.InvariantCulture));
        }
        var sg = GoldenFactory.Surrogate(m.Groups[1].Value, args);
        if (args["spiking"] is { } spiking) sg.Spiking = (bool)spiking;
        return (sg, m.Groups[3].Success);
    }

    static bool Flag(JsonObject p, string key, bool fallback) => p[key] is { } v ? (bool)v : fallback;

    static Tensor In(JsonObject c, string key) => GoldenSet.ToTensor(c["inputs"]![key] ?? throw new NotSupportedException($"input '{key}' missing"));
}
