using Spike.Cpu;
using Spike.Nn;

namespace Spike.Bench;

/// <summary>
/// Fused multi-step neurons, forward + backward through time: x [T, N] (a leaf that requires grad) → spikes, then
/// backward from a dense upstream gradient. IF, LIF (τ = 2) and PLIF (τ₀ = 2), hard reset, ATan surrogate, at
/// T ∈ {8, 32, 128} × N ∈ {10⁴, 10⁵, 10⁶}. The rate counts the bytes the work must move per neuron-step:
/// forward reads x and writes S and the saved H, backward reads ∂L/∂S and H and writes ∂L/∂X: 6 floats = 24 B.
/// </summary>
public static class NeuronWorkloads
{
    /// <summary>Bytes a fused forward + backward must move per neuron-step (see the class comment).</summary>
    public const double BytesPerNeuronStep = 24;

    public static IEnumerable<Workload> All()
    {
        foreach (var kind in new[] { "if", "lif", "plif" })
            foreach (int t in new[] { 8, 32, 128 })
                foreach (int n in new[] { 10_000, 100_000, 1_000_000 })
                {
                    string name = $"{kind}_fwd_bwd_T{t}_N1e{(int)Math.Log10(n)}";
                    yield return new Workload(name, "neuron", "GB/s", () =>
                    {
                        var (node, x, gy) = Inputs(kind, t, n);
                        return (() =>
                        {
                            x.Grad = null;
                            Functional.ResetNet(node);
                            node.Forward(x).Backward(gy);
                        }, BytesPerNeuronStep * t * n);
                    }, kind == "lif" && t == 32 && n == 1_000_000 ? () => Memory(kind, t, n) : null);
                }
    }

    static (BaseNode Node, Tensor X, Tensor Gy) Inputs(string kind, int t, int n)
    {
        BaseNode node = kind switch
        {
            "if" => new IFNode(surrogate: new ATan(), stepMode: StepMode.Multi),
            "lif" => new LifNode(tau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi),
            _ => new ParametricLifNode(initTau: 2.0, surrogate: new ATan(), stepMode: StepMode.Multi),
        };
        // Inputs around the threshold so a good share of neurons fire.
        var x = Tensor.Rand([t, n], new Generator(1), 0, kind == "if" ? 1.0 : 2.0);
        x.RequiresGrad = true;
        return (node, x, Tensor.Randn([t, n], new Generator(2)));
    }

    /// <summary>
    /// saved_bytes_per_neuron_step: managed heap kept alive by one forward, less its output tensor, per neuron-step
    /// (measured with the cache of free arrays emptied): what the graph holds for backward. allocated_bytes_per_neuron_step: everything one
    /// forward + backward allocates or takes from the array cache (including the outputs and gradients it must produce)
    /// per neuron-step.
    /// </summary>
    static IReadOnlyDictionary<string, double> Memory(string kind, int t, int n)
    {
        var (node, x, gy) = Inputs(kind, t, n);
        node.Forward(x).Backward(gy);
        Functional.ResetNet(node);
        x.Grad = null;
        long before = LiveBytes();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true) + LargeArrays.ReusedBytes;
        var spikes = node.Forward(x);
        long after = LiveBytes();
        // The output: spikes [T, N] plus V_final [N], one packed float32 tensor.
        long output = (long)(t + 1) * n * sizeof(float);
        spikes.Backward(gy);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) + LargeArrays.ReusedBytes - alloc0;
        GC.KeepAlive(spikes);
        double steps = (double)t * n;
        return new Dictionary<string, double>
        {
            ["saved_bytes_per_neuron_step"] = Math.Round((after - before - output) / steps, 3),
            ["allocated_bytes_per_neuron_step"] = Math.Round(allocated / steps, 3),
        };
    }

    /// <summary>Reachable managed heap, with no free array waiting in the cache.</summary>
    static long LiveBytes()
    {
        Harness.SettleHeap();
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
