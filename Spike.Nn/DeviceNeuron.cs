namespace Spike.Nn;

/// <summary>
/// Neurons on a device whose backend implements <see cref="ISpikingBackend"/> (CUDA): multi-step forward and
/// backward-through-time as one fused kernel each, and single steps without autograd (inference) as one kernel.
/// Float32 and Float16 input (half storage, float arithmetic). Everything else falls back to the ordinary path: CPU
/// tensors (which use <see cref="FusedNeuron"/>), other dtypes, a non-spiking surrogate, one with no device derivative,
/// or a neuron class the kernels do not know (a subclass may change the charge). The graph node mirrors the CPU's: one
/// packed output [spikes; V], H saved.
/// </summary>
internal static class DeviceNeuron
{
    /// <summary>The node's forward on the device, or null for the ordinary path.</summary>
    public static Tensor? TryForward(BaseNode node, Tensor x)
    {
        if (x.Device.Kind == DeviceKind.Cpu || x.DType is not (DType.Float32 or DType.Float16) || !node.SurrogateFunction.Spiking) return null;
        if (node.VThresholdTensor is { RequiresGrad: true }) return null; // a learnable threshold needs the autograd graph
        if (Raw.Backend(x) is not ISpikingBackend backend || Spec(node) is not { } spec) return null;
        var decay = node is ParametricLifNode plif ? plif.W.To(x.DType).Sigmoid() : null;
        if (node.StepMode == StepMode.Multi)
        {
            SeqOps.CheckSeq(x, node.GetType().Name);
            return Multi(node, backend, spec, x, decay);
        }
        bool needsGraph = Autograd.IsEnabled && (x.RequiresGrad || node.V.RequiresGrad || decay is { RequiresGrad: true }
            || (node is IzhikevichNode izh && izh.WState.RequiresGrad));
        return needsGraph ? null : Step(node, backend, spec, x, decay);
    }

    static NeuronSpec? Spec(BaseNode node)
    {
        if (SurrogateOf(node.SurrogateFunction) is not { } sg) return null;
        var common = new NeuronSpec(NeuronModel.If, sg, node.VThreshold, node.VReset, node.DetachReset);
        var type = node.GetType();
        return node switch
        {
            IFNode when type == typeof(IFNode) => common,
            LifNode n when type == typeof(LifNode) => common with { Model = NeuronModel.Lif, Tau = n.Tau, DecayInput = n.DecayInput },
            ParametricLifNode n when type == typeof(ParametricLifNode) => common with { Model = NeuronModel.ParametricLif, DecayInput = n.DecayInput },
            QifNode n when type == typeof(QifNode) => common with { Model = NeuronModel.Qif, Tau = n.Tau, A0 = n.A0, VRest = n.VRest, VC = n.VC },
            EifNode n when type == typeof(EifNode) => common with { Model = NeuronModel.Eif, Tau = n.Tau, DeltaT = n.DeltaT, ThetaRh = n.ThetaRh, VRest = n.VRest },
            IzhikevichNode n => common with
            {
                Model = NeuronModel.Izhikevich, Tau = n.Tau, A0 = n.A0, VRest = n.VRest, VC = n.VC, TauW = n.TauW, A = n.A, B = n.B,
            },
            _ => null,
        };
    }

    /// <summary>The device form of a surrogate: a <see cref="Surrogate.CudaDerivative"/> expression when it has one, else
    /// the built-in (sealed) surrogates by type with their parameters; null when there is none.</summary>
    internal static SurrogateSpec? SurrogateOf(Surrogate s)
    {
        if (s.CudaDerivative is { } expr) return new SurrogateSpec(SurrogateKind.Expression, 0, 0, expr);
        return s switch
        {
            Sigmoid a => new(SurrogateKind.Sigmoid, a.Alpha),
            ATan a => new(SurrogateKind.ATan, a.Alpha),
            Erf a => new(SurrogateKind.Erf, a.Alpha),
            SoftSign a => new(SurrogateKind.SoftSign, a.Alpha),
            PiecewiseQuadratic a => new(SurrogateKind.PiecewiseQuadratic, a.Alpha),
            PiecewiseExp a => new(SurrogateKind.PiecewiseExp, a.Alpha),
            NonzeroSignLogAbs a => new(SurrogateKind.NonzeroSignLogAbs, a.Alpha),
            PiecewiseLeakyReLU a => new(SurrogateKind.PiecewiseLeakyReLU, a.W, a.C),
            SquarewaveFourierSeries a => new(SurrogateKind.SquarewaveFourierSeries, a.N, a.TPeriod),
            S2NN a => new(SurrogateKind.S2NN, a.Alpha, a.Beta),
            QPseudoSpike a => new(SurrogateKind.QPseudoSpike, a.Alpha),
            _ => null,
        };
    }

    // x_seq [T, N, ...] → spikes [T, N, ...]; the graph node's output is packed [spikes; V_seq or V_last; W_last].
    static Tensor Multi(BaseNode node, ISpikingBackend backend, NeuronSpec spec, Tensor xSeq, Tensor? decay)
    {
        int T = xSeq.Size(0);
        var shape = xSeq.Layout.Shape[1..];
        int m = Layout.NumelOf(shape);
        bool storeV = node.StoreVSeq, izh = spec.Model == NeuronModel.Izhikevich;
        var vInit = State(node, node.V, xSeq, shape);
        var wInit = izh ? State(node, ((IzhikevichNode)node).WState, xSeq, shape) : null;
        var v0 = Flat(vInit, shape, m);
        var w0 = wInit is null ? null : Flat(wInit, shape, m);
        var threshold = Threshold(node, xSeq, shape, m);
        var k = decay is null ? null : Raw.Contiguous(Raw.ToDType(decay.Detach(), DType.Float32));  // the kernels read k as float
        int vRows = storeV ? T : 1, rows = T + vRows + (izh ? 1 : 0);
        var dtype = xSeq.DType;  // Float32, or Float16 (half storage, float arithmetic in the kernels)
        var packed = Raw.Empty([rows, m], dtype, xSeq.Device);
        var h = Raw.Empty([T, m], dtype, xSeq.Device);
        backend.NeuronForward(spec, new NeuronForwardArgs(Raw.Reshape(Raw.Contiguous(xSeq), T, m), v0, w0, threshold, k,
            Raw.Narrow(packed, 0, 0, T), h, storeV ? Raw.Narrow(packed, 0, T, T) : null, Raw.Select(packed, 0, T + vRows - 1),
            izh ? Raw.Select(packed, 0, rows - 1) : null));

        Tensor[] inputs = [xSeq, vInit, .. wInit is null ? Array.Empty<Tensor>() : [wInit], .. decay is null ? Array.Empty<Tensor>() : [decay]];
        var output = Graph.Record(Raw.Reshape(packed, [rows, .. shape]), node.GetType().Name + "Fused", inputs, g =>
        {
            var gc = Raw.Reshape(Raw.Contiguous(Raw.ToDType(g, dtype)), rows, m);
            var gx = Raw.Empty([T, m], dtype, xSeq.Device);
            var gv = vInit.RequiresGrad ? Raw.Empty([m], dtype, xSeq.Device) : null;
            var gw = wInit is { RequiresGrad: true } ? Raw.Empty([m], dtype, xSeq.Device) : null;
            var gk = decay is { RequiresGrad: true } ? Raw.Empty([1], DType.Float32, xSeq.Device) : null;
            backend.NeuronBackward(spec, new NeuronBackwardArgs(Raw.Narrow(gc, 0, 0, T), storeV ? Raw.Narrow(gc, 0, T, T) : null,
                storeV ? null : Raw.Select(gc, 0, T), izh ? Raw.Select(gc, 0, rows - 1) : null, h, v0, threshold, k, gx, gv, gw, gk));
            var grads = new List<Tensor?> { Raw.Reshape(gx, [T, .. shape]), gv is null ? null : Broadcasting.SumTo(Raw.Reshape(gv, shape), vInit.Layout.Shape) };
            if (wInit is not null) grads.Add(gw is null ? null : Broadcasting.SumTo(Raw.Reshape(gw, shape), wInit.Layout.Shape));
            if (decay is not null) grads.Add(gk is null ? null : Raw.ToDType(Raw.Reshape(gk, decay.Layout.Shape), decay.DType));
            return [.. grads];
        });

        node.HLastInternal = Raw.Reshape(h, [T, .. shape]);
        node.VSeqInternal = storeV ? output.Narrow(0, T, T) : null;
        node.V = output.Select(0, T + vRows - 1);
        if (izh) ((IzhikevichNode)node).WState = output.Select(0, rows - 1);
        return output.Narrow(0, 0, T);
    }

    // x [N, ...] → spikes [N, ...], V (and W) replaced by fresh tensors updated in place by the kernel.
    static Tensor Step(BaseNode node, ISpikingBackend backend, NeuronSpec spec, Tensor x, Tensor? decay)
    {
        var shape = x.Layout.Shape;
        int m = Layout.NumelOf(shape);
        var v = Raw.Clone(Raw.Expand(State(node, node.V, x, shape), shape));
        var w = node is IzhikevichNode izh ? Raw.Clone(Raw.Expand(State(node, izh.WState, x, shape), shape)) : null;
        var s = Raw.Empty([m], x.DType, x.Device);
        var h = Raw.Empty([m], x.DType, x.Device);
        backend.NeuronStep(spec, new NeuronStepArgs(Raw.Reshape(Raw.Contiguous(x), m), Raw.Reshape(v, m), w is null ? null : Raw.Reshape(w, m),
            Threshold(node, x, shape, m), decay is null ? null : Raw.Contiguous(Raw.ToDType(decay.Detach(), DType.Float32)), s, h));
        node.V = v;
        if (w is not null) ((IzhikevichNode)node).WState = w;
        node.HLastInternal = Raw.Reshape(h, shape);
        return Raw.Reshape(s, shape);
    }

    static Tensor State(BaseNode node, Tensor state, Tensor x, int[] shape)
    {
        string op = node.GetType().Name;
        if (state.DType != x.DType || state.Device != x.Device)
            throw new ArgumentException($"{op}: state is {state.DType} on {state.Device}, input is {x.DType} on {x.Device}; call Functional.ResetNet between inputs of different dtype or device");
        Layout.Broadcast(state.Layout.Shape, shape, op);
        return state;
    }

    static Tensor Flat(Tensor state, int[] shape, int m) => Raw.Reshape(Raw.Contiguous(Raw.Expand(state.Detach(), shape)), m);

    static Tensor? Threshold(BaseNode node, Tensor x, int[] shape, int m) => node.VThresholdTensor is { } t
        ? Raw.Reshape(Raw.Contiguous(Raw.Expand(Raw.ToDevice(Raw.ToDType(t.Detach(), DType.Float32), x.Device), shape)), m)
        : null;
}
