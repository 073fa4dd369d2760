namespace Spike.Cuda;

/// <summary>The spiking contract on CUDA (kernels/neurons.cu, one variant per surrogate; Poisson in kernels/random.cu).</summary>
public sealed partial class CudaBackend : ISpikingBackend
{
    public void NeuronForward(NeuronSpec spec, NeuronForwardArgs a)
    {
        bool izh = spec.Model == NeuronModel.Izhikevich;
        Check("neuron forward", a.XSeq, a.VInit, a.WInit, a.Threshold, a.Decay, a.Spikes, a.HSeq, a.VSeq, a.VLast, a.WLast);
        long n = a.VInit.Numel;
        var args = new KernelArgs().Add(a.XSeq.Size(0)).Add(n).Add(At(a.XSeq)).Add(At(a.VInit));
        if (izh) args.Add(At(Need(a.WInit, "WInit")));
        args.Add(AtOrNull(a.Threshold));
        if (!izh) args.Add(AtOrNull(a.Decay));
        args.Add(At(a.Spikes)).Add(At(a.HSeq)).Add(AtOrNull(a.VSeq)).Add(At(a.VLast));
        if (izh) args.Add(At(Need(a.WLast, "WLast")));
        Run(NeuronKernels.For(spec.Surrogate), $"{NeuronKernels.Prefix(spec.Model)}_fwd_f32", n, args.Add(NeuronParams.From(spec)));
    }

    /// <summary>Backward through time; PLIF's decay gradient is summed per block by the kernel, then over blocks here.</summary>
    public void NeuronBackward(NeuronSpec spec, NeuronBackwardArgs a)
    {
        bool izh = spec.Model == NeuronModel.Izhikevich;
        Check("neuron backward", a.GradSpikes, a.GradVSeq, a.GradVLast, a.GradWLast, a.HSeq, a.VInit, a.Threshold, a.Decay, a.GradX, a.GradVInit, a.GradWInit, a.GradDecay);
        long n = a.VInit.Numel;
        int block = _runtime.BlockSize, grid = CudaModule.GridFor(n, block, Info);
        var partials = a.GradDecay is null ? null : Temp(DType.Float64, grid);
        var args = new KernelArgs().Add(a.GradSpikes.Size(0)).Add(n).Add(At(a.GradSpikes)).Add(AtOrNull(a.GradVSeq)).Add(AtOrNull(a.GradVLast));
        if (izh) args.Add(AtOrNull(a.GradWLast));
        args.Add(At(a.HSeq)).Add(At(a.VInit)).Add(AtOrNull(a.Threshold));
        if (!izh) args.Add(AtOrNull(a.Decay));
        args.Add(At(a.GradX)).Add(AtOrNull(a.GradVInit)).Add(izh ? AtOrNull(a.GradWInit) : AtOrNull(partials)).Add(NeuronParams.From(spec));
        using (args)
        {
            if (n == 0) return;
            _runtime.Launch(NeuronKernels.For(spec.Surrogate), $"{NeuronKernels.Prefix(spec.Model)}_bwd_f32",
                new LaunchShape(grid, block, BlockSync: spec.Model == NeuronModel.ParametricLif), args);
        }
        if (partials is null) return;
        var total = Temp(DType.Float64, 1);
        Reduce(ReduceOp.Sum, Raw.Reshape(partials, 1, grid), total);
        Copy(total, a.GradDecay!);
    }

    public void NeuronStep(NeuronSpec spec, NeuronStepArgs a)
    {
        bool izh = spec.Model == NeuronModel.Izhikevich;
        Check("neuron step", a.X, a.V, a.W, a.Threshold, a.Decay, a.Spikes, a.H);
        long n = a.V.Numel;
        var args = new KernelArgs().Add(n).Add(At(a.X)).Add(At(a.V));
        if (izh) args.Add(At(Need(a.W, "W")));
        args.Add(AtOrNull(a.Threshold));
        if (!izh) args.Add(AtOrNull(a.Decay));
        args.Add(At(a.Spikes)).Add(AtOrNull(a.H)).Add(NeuronParams.From(spec));
        Run(NeuronKernels.For(spec.Surrogate), $"{NeuronKernels.Prefix(spec.Model)}_step_f32", n, args);
    }

    public void PoissonEncode(Tensor x, Tensor spikes, ulong seed, ulong offset)
    {
        if (!x.DType.IsFloating() || spikes.DType != x.DType || !x.IsContiguous || !spikes.IsContiguous || (x.Numel == 0 ? spikes.Numel != 0 : spikes.Numel % x.Numel != 0))
            throw new ArgumentException($"poisson_encode: expects contiguous floating x and spikes of one dtype with spikes a whole number of copies of x, got {x.DType} {Layout.Fmt(x.Layout.Shape)} and {spikes.DType} {Layout.Fmt(spikes.Layout.Shape)}");
        long n = spikes.Numel;
        Run(Programs.Random, $"poisson_encode_{Sfx(x.DType)}", n, new KernelArgs().Add(n).Add((long)x.Numel).Add(seed).Add(offset).Add(At(x)).Add(At(spikes)));
    }

    /// <summary>kernels/sparse.cu: one block per output row, a zero spike skipping a whole row of the dense operand.</summary>
    public void SpikeMatmul(Tensor s, Tensor w, Tensor y, bool transposeS)
    {
        long m = s.Layout.Shape[0], k = s.Layout.Shape[1], n = w.Layout.Shape[1];
        bool shapes = s.Rank == 2 && w.Rank == 2 && y.Rank == 2 && w.Layout.Shape[0] == (transposeS ? m : k)
            && y.Layout.Shape[0] == (transposeS ? k : m) && y.Layout.Shape[1] == n;
        if (!shapes || !s.DType.IsFloating() || w.DType != s.DType || y.DType != s.DType || !s.IsContiguous || !w.IsContiguous || !y.IsContiguous)
            throw new ArgumentException($"spike_matmul: expects contiguous s [M, K], w [{(transposeS ? "M" : "K")}, N], y [{(transposeS ? "K" : "M")}, N] of one floating dtype, " +
                $"got {s.DType} {Layout.Fmt(s.Layout.Shape)}, {w.DType} {Layout.Fmt(w.Layout.Shape)}, {y.DType} {Layout.Fmt(y.Layout.Shape)}");
        RunRows(Programs.Sparse, $"spike_mm{(transposeS ? "_tn" : "")}_{Sfx(s.DType)}", transposeS ? k : m,
            new KernelArgs().Add(m).Add(k).Add(n).Add(At(s)).Add(At(w)).Add(At(y)), blockSync: false);
    }

    /// <summary>Every tensor of a neuron call is Float32, contiguous and on this device (the kernels index [T, M] flat).</summary>
    void Check(string op, params Tensor?[] tensors)
    {
        foreach (var t in tensors)
            if (t is not null && (t.DType != DType.Float32 || !t.IsContiguous || t.Device != Device))
                throw new ArgumentException($"{op}: expects contiguous Float32 tensors on {Device}, got {t.DType} {t.Layout} on {t.Device}");
    }

    static Tensor Need(Tensor? t, string name) => t ?? throw new ArgumentException($"Izhikevich neurons need {name}");
}
