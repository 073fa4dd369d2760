using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Spike.Nn;

/// <summary>
/// Fused multi-step neuron on the CPU (Float32): one forward pass over T and one backward pass through time per block of
/// neurons, SIMD across neurons. Saved for backward: h_seq only (4 bytes per neuron-step) plus V_init and Vth (one row
/// each); V[t−1] and S[t] are recomputed from h_seq. The result is one packed tensor
/// <c>[T + 1, N, ...]</c> (spikes, then V_final) or <c>[2T, N, ...]</c> (spikes, then V_seq) whose views feed the graph.
/// </summary>
internal static class FusedNeuron
{
    const int Block = 1024;

    // x_seq: [T, N, ...]; v_init broadcastable to [N, ...]; param: optional 0-d/1-element tensor θ whose gradient
    // is Σ gh·∂h/∂θ (from the kernel).
    public static Tensor Run(BaseNode node, NeuronKernel kernel, Tensor xSeq, Tensor? param = null)
    {
        int T = xSeq.Size(0);
        var neuronShape = xSeq.Layout.Shape[1..];
        int M = Layout.NumelOf(neuronShape);
        bool storeV = node.StoreVSeq;
        var vInit = node.V;
        string op = node.GetType().Name;
        if (vInit.DType != DType.Float32 || vInit.Device != xSeq.Device)
            throw new ArgumentException($"{op}: state V is {vInit.DType} on {vInit.Device}, input is Float32 on {xSeq.Device}; call Functional.ResetNet between inputs of different dtype or device");
        Layout.Broadcast(vInit.Layout.Shape, neuronShape, op);

        var x = Raw.Contiguous(xSeq);
        var v0 = Raw.Contiguous(Raw.Expand(vInit, neuronShape)).ToArray<float>();
        var vth = ThresholdRow(node, neuronShape, M);
        float vr = node.VReset is double r ? (float)r : 0f;
        bool hard = node.VReset is not null;
        var hSeq = new float[(long)T * M];
        int rows = storeV ? 2 * T : T + 1;
        var packed = Raw.Empty([rows, .. neuronShape], DType.Float32, Device.Cpu);
        var outArr = ((CpuStorage)packed.Storage).As<float>();
        var xArr = ((CpuStorage)x.Storage).As<float>();
        int xOff = x.Layout.Offset;

        ForBlocks(M, T, (b0, n) =>
        {
            var v = v0.AsSpan(b0, n).ToArray().AsSpan();
            var th = vth.AsSpan(b0, n);
            for (int t = 0; t < T; t++)
            {
                var h = hSeq.AsSpan(t * M + b0, n);
                kernel.Forward(v, xArr.AsSpan(xOff + t * M + b0, n), h);
                FireReset(h, th, outArr.AsSpan(t * M + b0, n), v, hard, vr);
                if (storeV) v.CopyTo(outArr.AsSpan((T + t) * M + b0, n));
            }
            if (!storeV) v.CopyTo(outArr.AsSpan(T * M + b0, n));
        });

        var hTensor = Wrap(hSeq, [T, .. neuronShape]);
        node.HLastInternal = hTensor;
        Tensor[] inputs = param is null ? [xSeq, vInit] : [xSeq, vInit, param];
        var packedOut = Graph.Record(packed, op + "Fused", inputs, g =>
        {
            // g: [rows, N, ...] (spike grads, then V_seq or V_final grads); read in place when contiguous Float32.
            var gc = Raw.Contiguous(Raw.ToDType(g, DType.Float32));
            var gArr = gc.Layout.Offset == 0 ? ((CpuStorage)gc.Storage).As<float>() : gc.ToArray<float>();
            var gx = new float[(long)T * M];
            var gv0 = new float[M];
            double gParam = 0;
            object gate = new();
            ForBlocks(M, T, (b0, n) =>
            {
                var gvFuture = new float[n].AsSpan();
                var gvt = new float[n].AsSpan();
                var gh = new float[n].AsSpan();
                var sg = new float[n].AsSpan();
                var vPrev = new float[n].AsSpan();
                var scratch = new float[n].AsSpan();
                var th = vth.AsSpan(b0, n);
                double local = 0;
                for (int t = T - 1; t >= 0; t--)
                {
                    var h = hSeq.AsSpan(t * M + b0, n);
                    var gS = gArr.AsSpan(t * M + b0, n);
                    // ∂L/∂V[t]: from the future step, plus the V_seq / V_final output.
                    if (storeV) TensorPrimitives.Add(gvFuture, gArr.AsSpan((T + t) * M + b0, n), gvt);
                    else if (t == T - 1) TensorPrimitives.Add(gvFuture, gArr.AsSpan(T * M + b0, n), gvt);
                    else gvFuture.CopyTo(gvt);
                    TensorPrimitives.Subtract(h, th, scratch);
                    node.SurrogateFunction.Derivative(scratch, sg);
                    ResetBackward(h, th, gS, gvt, sg, gh, hard, vr, node.DetachReset);
                    if (t > 0)
                    {
                        hSeq.AsSpan((t - 1) * M + b0, n).CopyTo(vPrev);
                        FireReset(vPrev, th, scratch, vPrev, hard, vr);
                    }
                    else v0.AsSpan(b0, n).CopyTo(vPrev);
                    local += kernel.Backward(vPrev, h, gh, gx.AsSpan(t * M + b0, n), gvFuture);
                }
                gvFuture.CopyTo(gv0.AsSpan(b0, n));
                lock (gate) gParam += local;
            });
            var gxT = Wrap(gx, [T, .. neuronShape]);
            var gvT = vInit.RequiresGrad ? Broadcasting.SumTo(Wrap(gv0, neuronShape), vInit.Layout.Shape) : null;
            if (param is null) return [gxT, gvT];
            var gp = Raw.Reshape(Tensor.FromArray([(float)gParam]), param.Layout.Shape);
            return [gxT, gvT, Raw.ToDType(gp, param.DType)];
        });

        var spikes = packedOut.Narrow(0, 0, T);
        if (storeV)
        {
            node.VSeqInternal = packedOut.Narrow(0, T, T);
            node.V = packedOut.Select(0, 2 * T - 1);
        }
        else
        {
            node.VSeqInternal = null;
            node.V = packedOut.Select(0, T);
        }
        return spikes;
    }

    /// <summary>A tensor over the array itself (Tensor.FromArray would copy it).</summary>
    static Tensor Wrap(float[] data, int[] shape) => new(new CpuStorage(data, DType.Float32), Layout.Contiguous(shape));

    static float[] ThresholdRow(BaseNode node, int[] neuronShape, int m)
    {
        if (node.VThresholdTensor is { } t)
        {
            var f = Raw.ToDType(Raw.ToCpu(t), DType.Float32);
            Layout.Broadcast(f.Layout.Shape, neuronShape, node.GetType().Name + " threshold");
            return Raw.Contiguous(Raw.Expand(f, neuronShape)).ToArray<float>();
        }
        var row = new float[m];
        Array.Fill(row, (float)node.VThreshold);
        return row;
    }

    /// <summary>Runs body(start, count) over blocks of neurons, in parallel when the work is large.</summary>
    static void ForBlocks(int m, int t, Action<int, int> body)
    {
        int blocks = (m + Block - 1) / Block;
        if (blocks > 1 && (long)m * t >= 1 << 16)
            Parallel.For(0, blocks, b => body(b * Block, Math.Min(Block, m - b * Block)));
        else
            for (int b = 0; b < blocks; b++) body(b * Block, Math.Min(Block, m - b * Block));
    }

    /// <summary>s = Θ(h − vth); v = hard ? (s ? vr : h) : h − s·vth. Exactly SpikingJelly's float32 result, since s ∈ {0, 1}.</summary>
    static void FireReset(ReadOnlySpan<float> h, ReadOnlySpan<float> th, Span<float> s, Span<float> v, bool hard, float vr)
    {
        int i = 0, n = h.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float hr = ref MemoryMarshal.GetReference(h);
            ref float tr = ref MemoryMarshal.GetReference(th);
            ref float sr = ref MemoryMarshal.GetReference(s);
            ref float vref = ref MemoryMarshal.GetReference(v);
            var one = Vector256<float>.One;
            var vrv = Vector256.Create(vr);
            for (; i <= n - 8; i += 8)
            {
                var hv = Vector256.LoadUnsafe(ref hr, (nuint)i);
                var tv = Vector256.LoadUnsafe(ref tr, (nuint)i);
                var mask = Vector256.GreaterThanOrEqual(hv, tv);
                (mask & one).StoreUnsafe(ref sr, (nuint)i);
                var nv = hard ? Vector256.ConditionalSelect(mask, vrv, hv) : hv - (mask & tv);
                nv.StoreUnsafe(ref vref, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            bool spike = h[i] >= th[i];
            s[i] = spike ? 1f : 0f;
            v[i] = spike ? (hard ? vr : h[i] - th[i]) : h[i];
        }
    }

    /// <summary>
    /// gh = ∂L/∂H from gS = ∂L/∂S (output) and gv = ∂L/∂V[t]:
    /// hard: ∂V/∂H = 1 − S, ∂V/∂S = Vr − H; soft: ∂V/∂H = 1, ∂V/∂S = −Vth (∂V/∂S = 0 with DetachReset);
    /// gh = gv·∂V/∂H + (gS + gv·∂V/∂S)·g'(H − Vth).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ResetBackward(ReadOnlySpan<float> h, ReadOnlySpan<float> th, ReadOnlySpan<float> gS, ReadOnlySpan<float> gv,
        ReadOnlySpan<float> sg, Span<float> gh, bool hard, float vr, bool detach)
    {
        for (int i = 0; i < h.Length; i++)
        {
            float s = h[i] >= th[i] ? 1f : 0f;
            float dvdh = hard ? 1f - s : 1f;
            float dvds = detach ? 0f : hard ? vr - h[i] : -th[i];
            gh[i] = gv[i] * dvdh + (gS[i] + gv[i] * dvds) * sg[i];
        }
    }
}
