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

/// <summary>
/// The fused neuron program (kernels/neurons.cu) and its variants: one compilation per surrogate, selected by
/// <c>-DSPK_SG_&lt;NAME&gt;</c>, or by <c>-DSPK_SG_EXPR=&lt;derivative&gt;</c> for a user-defined surrogate. Every model's
/// kernels are in each variant; reset mode, detach_reset and decay_input are run-time flags.
/// </summary>
public static class NeuronKernels
{
    public const string Program = "neurons.cu";

    /// <summary>The user-defined derivative compiled into the catalog, so CI proves the expression path compiles:
    /// the ATan surrogate's g'(x) written as an expression.</summary>
    public const string ExampleExpression = "alpha * 0.5f / (1.0f + (1.5707963f * alpha * x) * (1.5707963f * alpha * x))";

    /// <summary>The define that selects a built-in surrogate, e.g. SPK_SG_PIECEWISE_LEAKY_RELU.</summary>
    public static string Define(SurrogateKind kind) => kind switch
    {
        SurrogateKind.Sigmoid => "SPK_SG_SIGMOID",
        SurrogateKind.ATan => "SPK_SG_ATAN",
        SurrogateKind.Erf => "SPK_SG_ERF",
        SurrogateKind.SoftSign => "SPK_SG_SOFTSIGN",
        SurrogateKind.PiecewiseQuadratic => "SPK_SG_PIECEWISE_QUADRATIC",
        SurrogateKind.PiecewiseExp => "SPK_SG_PIECEWISE_EXP",
        SurrogateKind.NonzeroSignLogAbs => "SPK_SG_NONZERO_SIGN_LOG_ABS",
        SurrogateKind.PiecewiseLeakyReLU => "SPK_SG_PIECEWISE_LEAKY_RELU",
        SurrogateKind.SquarewaveFourierSeries => "SPK_SG_SQUAREWAVE_FOURIER",
        SurrogateKind.S2NN => "SPK_SG_S2NN",
        SurrogateKind.QPseudoSpike => "SPK_SG_Q_PSEUDO_SPIKE",
        _ => "SPK_SG_EXPR",
    };

    /// <summary>The variant that computes this surrogate's derivative.</summary>
    public static KernelVariant For(SurrogateSpec s) => s.Kind == SurrogateKind.Expression
        ? new KernelVariant(Program, ("SPK_SG_EXPR", s.Expression ?? throw new ArgumentException("an Expression surrogate needs its expression")))
        : new KernelVariant(Program, (Define(s.Kind), null));

    /// <summary>Kernel name prefix of a model: if, lif, plif, qif, eif, izh (kernels are &lt;prefix&gt;_fwd_f32, ...).</summary>
    public static string Prefix(NeuronModel model) => model switch
    {
        NeuronModel.If => "if",
        NeuronModel.Lif => "lif",
        NeuronModel.ParametricLif => "plif",
        NeuronModel.Qif => "qif",
        NeuronModel.Eif => "eif",
        _ => "izh",
    };

    /// <summary>Every built-in surrogate's variant, then the example expression's.</summary>
    public static IReadOnlyList<KernelVariant> All { get; } =
        [.. Enum.GetValues<SurrogateKind>().Where(k => k != SurrogateKind.Expression).Select(k => For(new SurrogateSpec(k, 1))),
         For(new SurrogateSpec(SurrogateKind.Expression, 1, Expression: ExampleExpression))];
}

/// <summary>Every variant Spike compiles: programs without variants once, the neuron program once per surrogate.</summary>
public static class KernelCatalog
{
    public static IReadOnlyList<KernelVariant> All { get; } =
        [.. KernelSources.Programs.Where(p => p != NeuronKernels.Program).Select(p => new KernelVariant(p)), .. NeuronKernels.All];
}
