namespace Spike.Nn;

/// <summary>
/// SpikingJelly's <c>monitor.Monitor</c> (renamed: <c>Monitor</c> clashes with System.Threading.Monitor under implicit usings).
/// Watches every spiking neuron layer (<see cref="BaseNode"/>) of a network through forward hooks: firing rates
/// (all layers or per layer), the ratio of neurons that never fired, and optional per-call records of spikes and
/// membrane potentials. A "neuron" is one unit of the layer: its output position without the batch axis
/// (and without the time axis in multi-step mode). <see cref="Reset"/> clears the statistics; dispose to remove the hooks.
/// </summary>
public sealed class SpikeMonitor : IDisposable
{
    sealed class LayerStats
    {
        public double SpikeSum;
        public long Elements;
        public bool[]? EverFired;
        public readonly List<Tensor> Spikes = [];
        public readonly List<Tensor> V = [];
    }

    readonly Dictionary<string, LayerStats> _stats = [];
    readonly List<IDisposable> _hooks = [];

    /// <summary>Hooks every BaseNode of <paramref name="net"/>; <paramref name="recordSpikes"/> / <paramref name="recordV"/> keep copies per call.</summary>
    public SpikeMonitor(Module net, bool recordSpikes = false, bool recordV = false)
    {
        RecordSpikes = recordSpikes;
        RecordV = recordV;
        foreach (var (name, m) in net.NamedModules())
        {
            if (m is not BaseNode node) continue;
            string layer = name.Length == 0 ? node.GetType().Name : name;
            _stats[layer] = new LayerStats();
            _hooks.Add(node.RegisterForwardHook((mod, _, output) => Observe(layer, (BaseNode)mod, output)));
        }
    }

    public bool Enabled { get; private set; } = true;
    public bool RecordSpikes { get; set; }
    public bool RecordV { get; set; }

    /// <summary>Names of the monitored layers (dotted module names).</summary>
    public IReadOnlyCollection<string> Layers => _stats.Keys;

    public void Enable() => Enabled = true;
    public void Disable() => Enabled = false;

    /// <summary>Clears all statistics and records.</summary>
    public void Reset()
    {
        foreach (var k in _stats.Keys.ToArray()) _stats[k] = new LayerStats();
    }

    void Observe(string layer, BaseNode node, Tensor output)
    {
        if (!Enabled) return;
        var st = _stats[layer];
        var s = Raw.ToDType(Raw.Contiguous(Raw.ToCpu(output.Detach())), DType.Float64).ToArray<double>();
        st.SpikeSum += s.Sum();
        st.Elements += s.Length;
        int lead = node.StepMode == StepMode.Multi ? 2 : 1;
        int units = output.Rank <= lead ? 1 : Layout.NumelOf(output.Layout.Shape[lead..]);
        if (st.EverFired is not null && st.EverFired.Length != units)
            throw new InvalidOperationException($"SpikeMonitor: layer '{layer}' changed from {st.EverFired.Length} to {units} neurons; call Reset()");
        st.EverFired ??= new bool[units];
        for (int i = 0; i < s.Length; i++) if (s[i] != 0) st.EverFired[i % units] = true;
        if (RecordSpikes) st.Spikes.Add(Raw.Clone(output.Detach()));
        if (RecordV) st.V.Add(Raw.Clone(node.V.Detach()));
    }

    /// <summary>Mean of the outputs (spikes per neuron-step) over one layer, or over all layers weighted by their sizes.</summary>
    public double AverageFiringRate(string? layer = null)
    {
        var sel = Select(layer);
        long n = sel.Sum(s => s.Elements);
        return n == 0 ? double.NaN : sel.Sum(s => s.SpikeSum) / n;
    }

    /// <summary>Fraction of neurons that have not fired since the last reset (one layer, or all layers together).</summary>
    public double NonFiringRatio(string? layer = null)
    {
        var sel = Select(layer).Where(s => s.EverFired is not null).ToList();
        long units = sel.Sum(s => (long)s.EverFired!.Length);
        return units == 0 ? double.NaN : sel.Sum(s => s.EverFired!.Count(f => !f)) / (double)units;
    }

    /// <summary>The recorded outputs of a layer, one tensor per call (when <see cref="RecordSpikes"/>).</summary>
    public IReadOnlyList<Tensor> Spikes(string layer) => Get(layer).Spikes;

    /// <summary>The recorded membrane potentials after each call (when <see cref="RecordV"/>).</summary>
    public IReadOnlyList<Tensor> V(string layer) => Get(layer).V;

    IEnumerable<LayerStats> Select(string? layer) => layer is null ? _stats.Values : [Get(layer)];

    LayerStats Get(string layer) => _stats.TryGetValue(layer, out var s) ? s
        : throw new KeyNotFoundException($"SpikeMonitor: no neuron layer '{layer}'; layers: {string.Join(", ", _stats.Keys)}");

    public void Dispose()
    {
        foreach (var h in _hooks) h.Dispose();
        _hooks.Clear();
    }
}
