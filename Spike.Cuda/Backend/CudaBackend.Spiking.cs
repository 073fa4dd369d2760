namespace Spike.Cuda;

/// <summary>The spiking contract on CUDA (kernels/neurons.cu, one variant per surrogate; Poisson in kernels/random.cu).</summary>
public sealed partial class CudaBackend : ISpikingBackend
{
    public void NeuronForward(NeuronSpec spec, NeuronForwardArgs a)
    {
        bool izh = spec.Model == NeuronModel.Izhikevich;
        long n = a.VInit.Numel;
        string sfx = Suffix("neuron forward", n, pairs: true, [a.XSeq, a.VInit, a.WInit, a.Spikes, a.HSeq, a.VSeq, a.VLast, a.WLast], [a.Threshold, a.Decay]);
        var args = new KernelArgs().Add(a.XSeq.Size(0)).Add(n).Add(At(a.XSeq)).Add(At(a.VInit));
        if (izh) args.Add(At(Need(a.WInit, "WInit")));
        args.Add(AtOrNull(a.Threshold));
        if (!izh) args.Add(AtOrNull(a.Decay));
        args.Add(At(a.Spikes)).Add(At(a.HSeq)).Add(AtOrNull(a.VSeq)).Add(At(a.VLast));
        if (izh) args.Add(At(Need(a.WLast, "WLast")));
        Run(NeuronKernels.For(spec.Surrogate), $"{NeuronKernels.Prefix(spec.Model)}_fwd_{sfx}", Units(n, sfx), args.Add(NeuronParams.From(spec)));
    }

    /// <summary>Backward through time; PLIF's decay gradient is summed per block by the kernel, then over blocks here.</summary>
    public void NeuronBackward(NeuronSpec spec, NeuronBackwardArgs a)
    {
        bool izh = spec.Model == NeuronModel.Izhikevich;
        long n = a.VInit.Numel;
        string sfx = Suffix("neuron backward", n, pairs: true, [a.GradSpikes, a.GradVSeq, a.GradVLast, a.GradWLast, a.HSeq, a.VInit, a.GradX, a.GradVInit, a.GradWInit],
            [a.Threshold, a.Decay, a.GradDecay]);
        int block = _runtime.BlockSize, grid = CudaModule.GridFor(Units(n, sfx), block, Info);
        var partials = a.GradDecay is null ? null : Temp(DType.Float64, grid);
        var args = new KernelArgs().Add(a.GradSpikes.Size(0)).Add(n).Add(At(a.GradSpikes)).Add(AtOrNull(a.GradVSeq)).Add(AtOrNull(a.GradVLast));
        if (izh) args.Add(AtOrNull(a.GradWLast));
        args.Add(At(a.HSeq)).Add(At(a.VInit)).Add(AtOrNull(a.Threshold));
        if (!izh) args.Add(AtOrNull(a.Decay));
        args.Add(At(a.GradX)).Add(AtOrNull(a.GradVInit)).Add(izh ? AtOrNull(a.GradWInit) : AtOrNull(partials)).Add(NeuronParams.From(spec));
        using (args)
        {
            if (n == 0) return;
            _runtime.Launch(NeuronKernels.For(spec.Surrogate), $"{NeuronKernels.Prefix(spec.Model)}_bwd_{sfx}",
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
        long n = a.V.Numel;
        string sfx = Suffix("neuron step", n, pairs: false, [a.X, a.V, a.W, a.Spikes, a.H], [a.Threshold, a.Decay]);
        var args = new KernelArgs().Add(n).Add(At(a.X)).Add(At(a.V));
        if (izh) args.Add(At(Need(a.W, "W")));
        args.Add(AtOrNull(a.Threshold));
        if (!izh) args.Add(AtOrNull(a.Decay));
        args.Add(At(a.Spikes)).Add(AtOrNull(a.H)).Add(NeuronParams.From(spec));
        Run(NeuronKernels.For(spec.Surrogate), $"{NeuronKernels.Prefix(spec.Model)}_step_{sfx}", n, args);
    }

    public void PoissonEncode(Tensor x, Tensor spikes, ulong seed, ulong offset)
    {
        if (!x.DType.IsFloating() || spikes.DType != x.DType || !x.IsContiguous || !spikes.IsContiguous || (x.Numel == 0 ? spikes.Numel != 0 : spikes.Numel % x.Numel != 0))
            throw new ArgumentException($"poisson_encode: expects contiguous floating x and spikes of one dtype with spikes a whole number of copies of x, got {x.DType} {Layout.Fmt(x.Layout.Shape)} and {spikes.DType} {Layout.Fmt(spikes.Layout.Shape)}");
        long n = spikes.Numel;
        Run(Programs.Random, $"poisson_encode_{Sfx(x.DType)}", n, new KernelArgs().Add(n).Add((long)x.Numel).Add(seed).Add(offset).Add(At(x)).Add(At(spikes)));
    }

    /// <summary>
    /// kernels/sparse.cu: one block per output row, a zero spike skipping a whole row of the dense operand. A transposed
    /// view of a row-major s (the weight gradient's sᵀ) runs the transposed kernel on its storage; other views, and a
    /// destination that is strided or accumulated into, go through contiguous temporaries.
    /// </summary>
    public void SpikeMatmul(Tensor s, Tensor b, Tensor dst, bool accumulate)
    {
        if (Float16Widening.Widen(this, [s, b], [dst], t => SpikeMatmul(t[0], t[1], t[2], accumulate))) return;
        var (ls, lb, ld) = (s.Layout, b.Layout, dst.Layout);
        if (s.Rank != 2 || b.Rank != 2 || dst.Rank != 2 || lb.Shape[0] != ls.Shape[1] || ld.Shape[0] != ls.Shape[0] || ld.Shape[1] != lb.Shape[1]
            || !s.DType.IsFloating() || b.DType != s.DType || dst.DType != s.DType)
            throw new ArgumentException($"spike_matmul: expects s [M, K], b [K, N] and dst [M, N] of one floating dtype, " +
                $"got {s.DType} {Layout.Fmt(ls.Shape)}, {b.DType} {Layout.Fmt(lb.Shape)} and {dst.DType} {Layout.Fmt(ld.Shape)}");
        long m = ls.Shape[0], k = ls.Shape[1], n = lb.Shape[1];
        if (m == 0 || n == 0) return;
        var y = dst.IsContiguous && !accumulate ? dst : Temp(dst.DType, (int)m, (int)n);
        var sT = Raw.Transpose(s, 0, 1);
        var args = new KernelArgs();
        if (m > 1 && k > 1 && sT.IsContiguous) // s = S0ᵀ with S0 [K, M] row-major: y = S0ᵀ·b
            RunRows(Programs.Sparse, $"spike_mm_tn_{Sfx(s.DType)}", m, args.Add(k).Add(m).Add(n).Add(At(sT)).Add(At(Raw.Contiguous(b))).Add(At(y)), blockSync: false);
        else
            RunRows(Programs.Sparse, $"spike_mm_{Sfx(s.DType)}", m, args.Add(m).Add(k).Add(n).Add(At(Raw.Contiguous(s))).Add(At(Raw.Contiguous(b))).Add(At(y)), blockSync: false);
        if (ReferenceEquals(y, dst)) return;
        if (accumulate) Binary(BinaryOp.Add, dst, y, dst);
        else Copy(y, dst);
    }

    /// <summary>
    /// The kernel suffix of a neuron call after checking its operands: every state tensor (inputs, outputs, gradients) is
    /// contiguous on this device and of one dtype, Float32 (<c>f32</c>) or Float16 (<c>f16</c>); thresholds and the PLIF
    /// decay and its gradient are Float32. Float16 multi-step calls take <c>f16x2</c>, two neurons per thread through
    /// 32-bit loads, when N is even and every state tensor starts 4-byte aligned; otherwise (odd N, a view at an odd
    /// offset) the one-neuron <c>f16</c> kernels, which give the same values.
    /// </summary>
    string Suffix(string op, long n, bool pairs, Tensor?[] state, Tensor?[] floats)
    {
        var dtype = state[0]!.DType;
        foreach (var t in state)
            if (t is not null && (t.DType != dtype || dtype is not (DType.Float32 or DType.Float16) || !t.IsContiguous || t.Device != Device))
                throw new ArgumentException($"{op}: expects contiguous Float32 or Float16 tensors of one dtype on {Device}, got {t.DType} {t.Layout} on {t.Device} beside {dtype}");
        foreach (var t in floats)
            if (t is not null && (t.DType != DType.Float32 || !t.IsContiguous || t.Device != Device))
                throw new ArgumentException($"{op}: thresholds and the decay are contiguous Float32 on {Device}, got {t.DType} {t.Layout} on {t.Device}");
        if (dtype == DType.Float32) return "f32";
        return pairs && n % 2 == 0 && state.All(t => t is null || At(t) % 4 == 0) ? "f16x2" : "f16";
    }

    /// <summary>Threads a neuron kernel needs: one per neuron, one per pair for f16x2.</summary>
    static long Units(long n, string suffix) => suffix == "f16x2" ? n / 2 : n;

    static Tensor Need(Tensor? t, string name) => t ?? throw new ArgumentException($"Izhikevich neurons need {name}");
}
