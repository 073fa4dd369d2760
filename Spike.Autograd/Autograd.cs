namespace Spike;

/// <summary>Gradient-recording mode, per thread (and async flow), as torch.no_grad / enable_grad.</summary>
public static class Autograd
{
    static readonly AsyncLocal<bool?> Disabled = new();

    /// <summary>Whether ops on tensors that require grad record a graph.</summary>
    public static bool IsEnabled => Disabled.Value != true;

    /// <summary>Turns recording off until disposed: <c>using (Autograd.NoGrad()) { ... }</c>.</summary>
    public static IDisposable NoGrad() => new Mode(enabled: false);

    /// <summary>Turns recording on until disposed (inside a NoGrad scope).</summary>
    public static IDisposable EnableGrad() => new Mode(enabled: true);

    sealed class Mode : IDisposable
    {
        readonly bool? _previous;
        public Mode(bool enabled) { _previous = Disabled.Value; Disabled.Value = !enabled; }
        public void Dispose() => Disabled.Value = _previous;
    }
}
