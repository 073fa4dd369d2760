namespace Spike.Cuda;

/// <summary>
/// One compilation of one program: the .cu file plus its -D defines (a null value means a bare -DNAME).
/// Defines are kept sorted by name so equal variants print, hash and cache identically.
/// </summary>
public sealed class KernelVariant : IEquatable<KernelVariant>
{
    public string Program { get; }
    public IReadOnlyList<KeyValuePair<string, string?>> Defines { get; }

    public KernelVariant(string program, params (string Name, string? Value)[] defines)
    {
        Program = program;
        Defines = defines.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => KeyValuePair.Create(d.Name, d.Value)).ToArray();
    }

    /// <summary>NVRTC/g++ options for the defines: -DNAME or -DNAME=VALUE.</summary>
    public IReadOnlyList<string> DefineOptions => Defines.Select(d => d.Value is null ? $"-D{d.Key}" : $"-D{d.Key}={d.Value}").ToArray();

    public override string ToString() => Defines.Count == 0 ? Program : $"{Program} {string.Join(" ", DefineOptions)}";
    public bool Equals(KernelVariant? other) => other is not null && ToString() == other.ToString();
    public override bool Equals(object? obj) => Equals(obj as KernelVariant);
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

public enum NeuronKind { If, Lif }

/// <summary>Surrogate gradients with a CUDA device function (kernels/surrogate.cuh).</summary>
public enum SurrogateKind { ATan, Sigmoid }

/// <summary>
/// The compile-time choices of a fused neuron kernel (kernels/neuron.cuh). <see cref="DecayInput"/> applies to LIF only.
/// </summary>
public sealed record NeuronKernelOptions(NeuronKind Kind, SurrogateKind Surrogate, bool SoftReset, bool DetachReset, bool DecayInput = true)
{
    public string Program => Kind == NeuronKind.If ? "if_neuron.cu" : "lif_neuron.cu";

    /// <summary>Kernel name prefix: "if" or "lif" (kernels are &lt;prefix&gt;_fwd_f32, &lt;prefix&gt;_bwd_f32, ...).</summary>
    public string Prefix => Kind == NeuronKind.If ? "if" : "lif";

    public KernelVariant Variant
    {
        get
        {
            var defines = new List<(string, string?)>
            {
                (Surrogate == SurrogateKind.ATan ? "SPK_SG_ATAN" : "SPK_SG_SIGMOID", null),
                ("SPK_SOFT_RESET", SoftReset ? "1" : "0"),
                ("SPK_DETACH_RESET", DetachReset ? "1" : "0"),
            };
            if (Kind == NeuronKind.Lif) defines.Add(("SPK_DECAY_INPUT", DecayInput ? "1" : "0"));
            return new KernelVariant(Program, [.. defines]);
        }
    }

    /// <summary>Every combination: IF 2 surrogates × 2 resets × 2 detach = 8; LIF × 2 decay_input = 16.</summary>
    public static IReadOnlyList<NeuronKernelOptions> All { get; } =
        (from kind in new[] { NeuronKind.If, NeuronKind.Lif }
         from sg in new[] { SurrogateKind.ATan, SurrogateKind.Sigmoid }
         from soft in new[] { false, true }
         from detach in new[] { false, true }
         from decay in kind == NeuronKind.Lif ? new[] { true, false } : new[] { true }
         select new NeuronKernelOptions(kind, sg, soft, detach, decay)).ToArray();
}

/// <summary>Every variant Spike compiles: programs without variants once, the neuron programs once per option set.</summary>
public static class KernelCatalog
{
    public static IReadOnlyList<KernelVariant> All { get; } = Build();

    static KernelVariant[] Build()
    {
        var neuronPrograms = NeuronKernelOptions.All.Select(o => o.Program).ToHashSet();
        return KernelSources.Programs.Where(p => !neuronPrograms.Contains(p)).Select(p => new KernelVariant(p))
            .Concat(NeuronKernelOptions.All.Select(o => o.Variant)).ToArray();
    }
}
