using Spike.Nn;

namespace Spike.Cli.Plots;

/// <summary>What the run-based plots show, computed from a trained network and one test sample (no gradients).</summary>
public static class RunPlots
{
    /// <summary>One sample as a batch of one: an image [C, H, W] → [1, C, H, W]; event frames [T, 2, H, W] → [T, 1, 2, H, W].</summary>
    public static Tensor AsBatch(Tensor x) => x.Rank switch
    {
        3 => x.Unsqueeze(0),
        4 => x.Unsqueeze(1),
        _ => throw new ArgumentException($"a test sample must be an image [C, H, W] or frames [T, 2, H, W], got shape {Layout.Fmt(x.Layout.Shape)}"),
    };

    /// <summary>The sample as maps [C, H, W]: the image itself, or the events of each polarity summed over the frames.</summary>
    public static Tensor InputMaps(Tensor x) => x.Rank == 4 ? x.Sum(0) : x;

    /// <summary>
    /// Runs the network's layers up to and including its first spiking neuron (the tutorial's encoder: static
    /// convolution, batch norm, IF) on one sample; returns the spikes [T, C, H, W].
    /// </summary>
    public static Tensor EncoderSpikes(Module net, Tensor sample)
    {
        if (net is not Sequential layers) throw new ArgumentException($"encoder: expected a Sequential network, got {net.GetType().Name}");
        var x = AsBatch(sample);
        using (Autograd.NoGrad())
        {
            Functional.ResetNet(net);
            for (int i = 0; i < layers.Count; i++)
            {
                x = layers[i].Forward(x);
                if (layers[i] is not BaseNode) continue;
                if (x.Rank != 5) throw new ArgumentException($"encoder: the first spiking layer's output is {Layout.Fmt(x.Layout.Shape)}, not feature maps [T, 1, C, H, W]");
                return x.Select(1, 0);
            }
        }
        throw new ArgumentException("encoder: the network has no spiking layer");
    }

    /// <summary>
    /// ∑ S[t] for t = 0..<paramref name="upTo"/> of spikes [T, C, H, W], each channel scaled linearly to [0, 1] when it
    /// is not constant (as the tutorial does to show the maps clearly).
    /// </summary>
    public static float[,,] AccumulatedMaps(Tensor spikes, int upTo)
    {
        int c = spikes.Size(1), h = spikes.Size(2), w = spikes.Size(3);
        var maps = Arrays.Cube(spikes.Narrow(0, 0, upTo + 1).Sum(0));
        for (int ch = 0; ch < c; ch++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) { lo = Math.Min(lo, maps[ch, y, x]); hi = Math.Max(hi, maps[ch, y, x]); }
            if (hi > lo)
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) maps[ch, y, x] = (maps[ch, y, x] - lo) / (hi - lo);
        }
        return maps;
    }

    /// <summary>
    /// Runs one sample through the network and returns its last spiking layer with that layer's membrane potential
    /// after each step (V after reset, as SpikingJelly's monitors record it) and its spikes, both [T, K].
    /// </summary>
    public static (BaseNode Node, float[,] V, float[,] S) OutputLayer(Module net, Tensor sample)
    {
        var node = net.Modules().OfType<BaseNode>().LastOrDefault() ?? throw new ArgumentException("output: the network has no spiking layer");
        Tensor? spikes = null;
        bool store = node.StoreVSeq;
        node.StoreVSeq = true;
        try
        {
            using var hook = node.RegisterForwardHook((_, _, y) => spikes = y);
            using (Autograd.NoGrad())
            {
                Functional.ResetNet(net);
                net.Forward(AsBatch(sample));
            }
            if (spikes is null || spikes.Rank != 3 || node.VSeq is null)
                throw new ArgumentException($"output: the last spiking layer's output is {(spikes is null ? "missing" : Layout.Fmt(spikes.Layout.Shape))}, not [T, 1, K]");
            return (node, Arrays.Matrix(node.VSeq.Select(1, 0)), Arrays.Matrix(spikes.Select(1, 0)));
        }
        finally { node.StoreVSeq = store; }
    }
}
