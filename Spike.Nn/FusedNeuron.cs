namespace Spike.Nn;

/// <summary>
/// Fused multi-step neuron on the CPU (Float32). Neurons are cut into tiles; each tile streams over T once forward
/// (x[t] in; H[t] and S[t] out; V stays in a cache-resident row) and once backward (∂L/∂S[t] and H[t] in, ∂L/∂X[t] out),
/// tiles in parallel. Saved for backward: H only, 4 bytes per neuron-step (V_init and Vth add one row each only when
/// they are per-neuron tensors rather than scalars); V[t−1] and S[t] are recomputed from H. No buffer is allocated per
/// step or per tile: outputs are allocated once per call without zero-filling, scratch rows live on the stack. Outputs
/// larger than the last-level cache are written with streaming stores. On AVX-512, IF and LIF (decay_input, Vr = 0)
/// run each forward step in one pass (<see cref="OnePassRows"/>), and with the ATan surrogate each backward step too (IF, LIF
/// without a parameter gradient); other neurons compute a step in stages over L1 rows (streaming the finished rows
/// out, <see cref="Spike.Cpu.StreamingCopy"/>, when the outputs are that large).
/// The result is one packed tensor <c>[T + 1, N, ...]</c> (spikes, then V_final) or <c>[2T, N, ...]</c> (spikes, then
/// V_seq) whose views are the spikes, V and V_seq.
/// </summary>
internal static class FusedNeuron
{
    /// <summary>Neurons per tile: V and the scratch rows (16 KiB each) stay in L2 while each x[t] row segment is long
    /// enough for the hardware prefetcher, which stops at every 4 KiB page (LIF T = 32, N = 10⁶: 61–62 ms with 2048,
    /// 53–62 with 4096 and 8192, 66 with 1024; 4096 keeps three tiles for two threads at N = 10⁴).</summary>
    const int Tile = 4096;

    /// <summary>Neurons per tile of the one-pass steps, which keep only V (and Vth, and ∂L/∂V backward) per tile:
    /// longer rows give the prefetchers longer streams (LIF T = 32, N = 10⁶, alternating in one process, forward /
    /// backward medians: 12.0–12.5 / 17.0–18.0 ms with 4096, 10.6–11.1 / 14.7–15.9 with 16384, no better beyond).</summary>
    const int OnePassTile = 16384;

    // x_seq: [T, N, ...]; v_init broadcastable to [N, ...]; param: optional 0-d/1-element tensor θ whose gradient
    // is Σ gh·∂h/∂θ (from the kernel).
    public static Tensor Run(BaseNode node, NeuronKernel kernel, Tensor xSeq, Tensor? param = null) =>
        Run(node, kernel, xSeq, param, node.StoreVSeq);

    /// <summary>One step, x [N, ...] → spikes [N, ...]: the kernel with T = 1, so a single-step network gets the same
    /// one-pass forward and backward (and 4 saved bytes per neuron) as a multi-step one. H_last is [N, ...]; V_seq is
    /// left as it was.</summary>
    public static Tensor Step(BaseNode node, NeuronKernel kernel, Tensor x)
    {
        var vSeq = node.VSeqInternal;
        var spikes = Run(node, kernel, x.Unsqueeze(0), null, storeV: false);
        node.HLastInternal = Raw.Select(node.HLastInternal!, 0, 0);
        node.VSeqInternal = vSeq;
        return spikes.Squeeze(0);
    }

    static Tensor Run(BaseNode node, NeuronKernel kernel, Tensor xSeq, Tensor? param, bool storeV)
    {
        int T = xSeq.Size(0);
        var neuronShape = xSeq.Layout.Shape[1..];
        int M = Layout.NumelOf(neuronShape);
        var vInit = node.V;
        string op = node.GetType().Name;
        if (vInit.DType != DType.Float32 || vInit.Device != xSeq.Device)
            throw new ArgumentException($"{op}: state V is {vInit.DType} on {vInit.Device}, input is Float32 on {xSeq.Device}; call Functional.ResetNet between inputs of different dtype or device");
        Layout.Broadcast(vInit.Layout.Shape, neuronShape, op);
        int rows = storeV ? 2 * T : T + 1;
        if ((long)rows * M > Array.MaxLength)
            throw new ArgumentException($"{op}: input {Layout.Fmt(xSeq.Layout.Shape)} needs {(long)rows * M} output elements, more than one array holds");

        var x = Raw.Contiguous(xSeq);
        var xArr = ((CpuStorage)x.Storage).As<float>();
        int xOff = x.Layout.Offset;
        var v0 = NeuronRow.Of(vInit, neuronShape);
        var th = node.VThresholdTensor is { } tt ? NeuronRow.Of(Raw.ToDType(Raw.ToCpu(tt), DType.Float32), neuronShape, op + " threshold")
            : NeuronRow.Scalar((float)node.VThreshold);
        var reset = new ResetRule(node.VReset is not null, node.VReset is double r ? (float)r : 0f, node.DetachReset);
        // Every element of both arrays is written below, so neither needs zero-filling.
        var outArr = Spike.Cpu.LargeArrays.Uninitialized(rows * M);
        bool stream = Streams(T, M), onePass = OnePassRows.Supported && kernel.HasOnePassStep, streamedOnePass = onePass && stream;
        // Streaming, H starts hOff elements into its array, chosen so that its rows and the spike rows are aligned
        // alike: the one-pass step can then stream both.
        var hSeq = Spike.Cpu.LargeArrays.Uninitialized(T * M + (streamedOnePass ? AlignSlack : 0));
        int hOff = streamedOnePass ? MatchingOffset(hSeq, outArr) : 0;

        ForTiles(M, T, streamedOnePass ? OnePassTile : Tile, (b0, n) =>
        {
            Span<float> v = stackalloc float[n];
            Span<float> thRow = stackalloc float[n];
            if (onePass)
            {
                v0.CopyTo(b0, v);
                OnePassSteps(kernel, xArr, xOff, hSeq, hOff, outArr, M, T, b0, v, th.ScalarValue, th.ScalarValue is null ? th.Row(b0, thRow) : default,
                    reset, storeV, stream);
                return;
            }
            // Streaming: H and S are made in L1 rows and then streamed out (see StreamingCopy).
            Span<float> hRow = stream ? stackalloc float[n] : default;
            Span<float> sRow = stream ? stackalloc float[n] : default;
            v0.CopyTo(b0, v);
            var thr = th.Row(b0, thRow);
            for (int t = 0; t < T; t++)
            {
                Span<float> hOut = hSeq.AsSpan(t * M + b0, n), sOut = outArr.AsSpan(t * M + b0, n);
                Span<float> h = stream ? hRow : hOut, s = stream ? sRow : sOut;
                if (stream && t + 1 < T) NeuronRows.Prefetch(xArr.AsSpan(xOff + (t + 1) * M + b0, n));
                kernel.Forward(v, xArr.AsSpan(xOff + t * M + b0, n), h);
                NeuronRows.FireReset(h, thr, s, v, reset);
                if (stream)
                {
                    Spike.Cpu.StreamingCopy.Copy<float>(h, hOut);
                    Spike.Cpu.StreamingCopy.Copy<float>(s, sOut);
                }
                if (storeV) Store(v, outArr.AsSpan((T + t) * M + b0, n), stream);
            }
            if (!storeV) v.CopyTo(outArr.AsSpan(T * M + b0, n));
        });

        var packed = Wrap(outArr, [rows, .. neuronShape]);
        node.HLastInternal = Wrap(hSeq, [T, .. neuronShape], hOff);
        Tensor[] inputs = param is null ? [xSeq, vInit] : [xSeq, vInit, param];
        var pending = new PendingGrads();
        // Only the views below consume the packed tensor, and they hand their gradients to `pending` directly, so the
        // packed [rows, N] gradient is never materialised; g itself is a zero placeholder.
        var packedOut = Graph.Record(packed, op + "Fused", inputs, _ =>
        {
            var (gS, gVSeq, gV) = pending.Take();
            var gx = Spike.Cpu.LargeArrays.Uninitialized(T * M);
            var gv0 = vInit.RequiresGrad ? Spike.Cpu.LargeArrays.Uninitialized(M) : null;   // every element written below
            var surrogate = node.SurrogateFunction;
            var linear = kernel.LinearBackward;
            bool onePassBack = OnePassRows.Supported && linear is not null && surrogate.HasOnePassBackward;
            int tile = onePassBack && stream ? OnePassTile : Tile;
            var tileParam = new double[(M + tile - 1) / tile];   // summed in tile order below: deterministic
            ForTiles(M, T, tile, (b0, n) =>
            {
                Span<float> gvFuture = stackalloc float[n];
                Span<float> gh = onePassBack ? default : stackalloc float[n];
                Span<float> sg = onePassBack ? default : stackalloc float[n];
                Span<float> vPrev = onePassBack ? default : stackalloc float[n];
                Span<float> scratch = onePassBack ? default : stackalloc float[n];
                Span<float> thRow = stackalloc float[n];
                Span<float> gxRow = stream && !onePassBack ? stackalloc float[n] : default;
                var thr = th.Row(b0, thRow);
                gvFuture.Clear();
                double local = 0;
                for (int t = T - 1; t >= 0; t--)
                {
                    var h = hSeq.AsSpan(hOff + t * M + b0, n);
                    if (stream && t > 0 && !onePassBack)
                    {
                        NeuronRows.Prefetch(hSeq.AsSpan(hOff + (t - 1) * M + b0, n));
                        if (gS is not null) NeuronRows.Prefetch(gS.AsSpan((t - 1) * M + b0, n));
                    }
                    // ∂L/∂V[t]: from step t + 1, plus the V_seq / V_final outputs. The row is consumed by ResetBackward
                    // before the kernel overwrites it with ∂L/∂V[t − 1].
                    if (gVSeq is not null) NeuronRows.AddTo(gVSeq.AsSpan(t * M + b0, n), gvFuture);
                    if (gV is not null && t == T - 1) NeuronRows.AddTo(gV.AsSpan(b0, n), gvFuture);
                    if (onePassBack)
                    {
                        OnePassBackward(surrogate, hSeq, hOff + b0, th.ScalarValue, thr, gS, gx, b0, M, t, gvFuture, reset, linear!.Value, stream);
                        continue;
                    }
                    surrogate.DerivativeAt(h, thr, sg);
                    var gSt = gS is null ? default : gS.AsSpan(t * M + b0, n);
                    var gxOut = gx.AsSpan(t * M + b0, n);
                    var gxt = stream ? gxRow : gxOut;
                    if (linear is var (toX, toV))
                        NeuronRows.ResetBackward(h, thr, gSt, gvFuture, sg, reset, gxt, toX, gvFuture, toV);   // kernel folded in
                    else
                    {
                        NeuronRows.ResetBackward(h, thr, gSt, gvFuture, sg, reset, gh, 1f);
                        if (kernel.NeedsVPrev)
                        {
                            if (t > 0) NeuronRows.FireReset(hSeq.AsSpan(hOff + (t - 1) * M + b0, n), thr, scratch, vPrev, reset);
                            else v0.CopyTo(b0, vPrev);
                        }
                        local += kernel.Backward(vPrev, h, gh, gxt, gvFuture);
                    }
                    if (stream) Spike.Cpu.StreamingCopy.Copy<float>(gxRow, gxOut);
                }
                if (gv0 is not null) gvFuture.CopyTo(gv0.AsSpan(b0, n));
                if (onePassBack && stream && System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.StoreFence();
                tileParam[b0 / tile] = local;
            });
            var gxT = Wrap(gx, [T, .. neuronShape]);
            var gvT = gv0 is null ? null : Broadcasting.SumTo(Wrap(gv0, neuronShape), vInit.Layout.Shape);
            if (param is null) return [gxT, gvT];
            double gParam = 0;
            foreach (double part in tileParam) gParam += part;
            var gp = Raw.Reshape(Tensor.FromArray([(float)gParam]), param.Layout.Shape);
            return [gxT, gvT, Raw.ToDType(gp, param.DType)];
        });

        var spikes = View(packedOut, Raw.Narrow(packedOut, 0, 0, T), op + "Spikes", pending, g => pending.Spikes = g);
        if (storeV)
        {
            node.VSeqInternal = View(packedOut, Raw.Narrow(packedOut, 0, T, T), op + "VSeq", pending, g => pending.VSeq = g);
            node.V = View(packedOut, Raw.Select(packedOut, 0, 2 * T - 1), op + "V", pending, g => pending.V = g);
        }
        else
        {
            node.VSeqInternal = null;
            node.V = View(packedOut, Raw.Select(packedOut, 0, T), op + "V", pending, g => pending.V = g);
        }
        return spikes;
    }

    /// <summary>A view of the packed output whose backward deposits its gradient for the fused node. The first view of
    /// a pass to do so returns a stride-0 zero placeholder of the packed shape (no memory), which makes the engine run
    /// the fused backward; later views return none, so the engine never adds placeholders into a dense zero tensor.</summary>
    static Tensor View(Tensor packedOut, Tensor view, string name, PendingGrads pending, Action<Tensor> deposit) =>
        Graph.Record(view, name, [packedOut], g =>
        {
            deposit(g);
            return [pending.TakePlaceholderTurn() ? Raw.Expand(Raw.ScalarFor(0, packedOut), packedOut.Layout.Shape) : null];
        });

    /// <summary>Gradients of the packed output's views, collected during one backward pass and taken by the fused node.</summary>
    sealed class PendingGrads
    {
        public Tensor? Spikes, VSeq, V;
        bool _placeholderSent;

        /// <summary>True for the first view of a backward pass to deposit; false for the rest until <see cref="Take"/>.</summary>
        public bool TakePlaceholderTurn() => !_placeholderSent && (_placeholderSent = true);

        /// <summary>The gradients as contiguous Float32 arrays (null where a view got none); clears them for the next pass.</summary>
        public (float[]? S, float[]? VSeq, float[]? V) Take()
        {
            var result = (AsArray(Spikes), AsArray(VSeq), AsArray(V));
            Spikes = VSeq = V = null;
            _placeholderSent = false;
            return result;
        }

        static float[]? AsArray(Tensor? g)
        {
            if (g is null) return null;
            var c = Raw.Contiguous(Raw.ToDType(Raw.ToCpu(g), DType.Float32));
            return c.Layout.Offset == 0 && c.Storage.Length == c.Numel ? ((CpuStorage)c.Storage).As<float>() : c.ToArray<float>();
        }
    }

    /// <summary>Whether the [T, N] outputs are streamed past the caches: when one of them is larger than a last-level
    /// cache, its lines will not be read again before they are evicted anyway.</summary>
    static bool Streams(int t, int m) => (long)t * m * sizeof(float) >= Spike.Cpu.StreamingCopy.MinBytes;

    static void Store(ReadOnlySpan<float> row, Span<float> dst, bool stream)
    {
        if (stream) Spike.Cpu.StreamingCopy.Copy<float>(row, dst);
        else row.CopyTo(dst);
    }

    /// <summary>A tensor over the array itself (Tensor.FromArray would copy it), from element offset on.</summary>
    static Tensor Wrap(float[] data, int[] shape, int offset = 0) =>
        new(new CpuStorage(data, DType.Float32), new Layout(shape, Layout.ContiguousStrides(shape), offset));

    /// <summary>Room for moving H to any of the 16 float offsets within a 64-byte line.</summary>
    const int AlignSlack = 15;

    /// <summary>The offset into h that puts h's element 0 at the same place within a 64-byte line as s's.</summary>
    static unsafe int MatchingOffset(float[] h, float[] s)
    {
        fixed (float* hp = h, sp = s) return (int)((((nint)sp - (nint)hp) >> 2) & 15);
    }

    /// <summary>Backward step t of a tile in one pass (<see cref="Surrogate.ResetBackwardOnePass"/>): ∂L/∂X[t] into gx
    /// (streamed when stream), ∂L/∂V[t − 1] into gv in place. Row t of H starts at hAt + t·M, of ∂L/∂S and gx at
    /// at + t·M.</summary>
    static unsafe void OnePassBackward(Surrogate surrogate, float[] hSeq, int hAt, float? thScalar, ReadOnlySpan<float> thRow, float[]? gS,
        float[] gx, int at, int M, int t, Span<float> gv, ResetRule reset, (float ToX, float ToV) slopes, bool stream)
    {
        long row = (long)t * M, prev = t > 0 ? row - M : row;
        fixed (float* hp = hSeq, tp = thRow, gsp = gS, gxp = gx, gvp = gv)
            surrogate.ResetBackwardOnePass(hp + hAt + row, hp + hAt + prev, Vth(thScalar, tp), gsp == null ? null : gsp + at + row,
                gsp == null ? null : gsp + at + prev, gvp, reset, gxp + at + row, slopes.ToX, slopes.ToV, gv.Length, stream);
    }

    /// <summary>The forward of one tile, each step in one pass (<see cref="NeuronKernel.ChargeFireReset"/>): x[t] in,
    /// H[t] and S[t] out (streamed when stream), V in the tile's row.</summary>
    static unsafe void OnePassSteps(NeuronKernel kernel, float[] xArr, int xOff, float[] hSeq, int hOff, float[] outArr, int M, int T,
        int b0, Span<float> v, float? thScalar, ReadOnlySpan<float> thRow, ResetRule reset, bool storeV, bool stream)
    {
        int n = v.Length;
        fixed (float* xp = xArr, hp = hSeq, sp = outArr, vp = v, tp = thRow)
            for (int t = 0; t < T; t++)
            {
                long row = (long)t * M + b0, next = t + 1 < T ? row + M : row;
                kernel.ChargeFireReset(vp, xp + xOff + row, xp + xOff + next, Vth(thScalar, tp), reset, hp + hOff + row, sp + row, n, stream);
                if (storeV) Store(v, outArr.AsSpan((T + t) * M + b0, n), stream);
            }
        if (!storeV) v.CopyTo(outArr.AsSpan(T * M + b0, n));
        // The streamed rows are visible before the tile is done.
        if (stream && System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.StoreFence();
    }

    /// <summary>The one-pass steps' threshold: the scalar in a register, or the tile's pinned row.</summary>
    static unsafe Threshold Vth(float? scalar, float* row) => scalar is float value ? Threshold.Scalar(value) : Threshold.PerNeuron(row);

    /// <summary>Runs body(start, count) over tiles of neurons, in parallel when the work is large.</summary>
    static void ForTiles(int m, int t, int tile, Action<int, int> body)
    {
        int tiles = (m + tile - 1) / tile;
        if (tiles > 1 && (long)m * t >= 1 << 16 && Environment.ProcessorCount > 1)
            Spike.Cpu.WorkerTeam.For(0, tiles, b => body(b * tile, Math.Min(tile, m - b * tile)));
        else
            for (int b = 0; b < tiles; b++) body(b * tile, Math.Min(tile, m - b * tile));
    }
}
