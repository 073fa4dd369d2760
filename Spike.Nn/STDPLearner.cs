namespace Spike.Nn;

/// <summary>
/// Trace-based spike-timing-dependent plasticity for a <see cref="Linear"/>, <see cref="Conv2d"/> or <see cref="Conv1d"/>
/// synapse (SpikingJelly's <c>STDPLearner</c>). One call to <see cref="Stdp"/> per time step, with the pre-synaptic spikes
/// s_pre (the synapse's input) and the post-synaptic spikes s_post (its neurons' output) of that step:
/// <code>
/// tr_pre  ← tr_pre  − tr_pre/τ_pre   + s_pre          (state, reset by ResetNet)
/// tr_post ← tr_post − tr_post/τ_post + s_post
/// ΔW = f_post(W) ⊙ C(s_post, tr_pre) − f_pre(W) ⊙ C(tr_post, s_pre)
/// W  ← W + lr·ΔW
/// </code>
/// C(a, b) correlates a post-side tensor with a pre-side one, summed over the batch: for Linear
/// C[o, i] = Σ_n a[n, o]·b[n, i]; for convolutions C[o, i, kh, kw] = Σ_{n, y, x} a[n, o, y, x]·b[n, i, y·s − p + kh·d, x·s − p + kw·d]
/// (zero outside the input), the correlation the weight gradient of the convolution computes. A post spike thus
/// potentiates by how recently the inputs fired, and a pre spike depresses by how recently the outputs fired.
/// Linear spikes are [N, features] or unbatched [features]. f_pre and f_post default to the identity, as SpikingJelly's.
/// </summary>
public sealed class STDPLearner : Module
{
    readonly Func<Tensor, Tensor> _fPre, _fPost;

    public STDPLearner(double tauPre, double tauPost, Func<Tensor, Tensor>? fPre = null, Func<Tensor, Tensor>? fPost = null)
    {
        if (tauPre <= 0 || tauPost <= 0) throw new ArgumentOutOfRangeException(nameof(tauPre), $"STDPLearner: time constants ({tauPre}, {tauPost}) must be positive");
        (TauPre, TauPost) = (tauPre, tauPost);
        _fPre = fPre ?? (w => w);
        _fPost = fPost ?? (w => w);
        RegisterMemory("trace_pre", 0.0);
        RegisterMemory("trace_post", 0.0);
    }

    public double TauPre { get; }
    public double TauPost { get; }
    public Tensor TracePre => GetMemory("trace_pre");
    public Tensor TracePost => GetMemory("trace_post");

    /// <summary>Updates the traces with one step's spikes and returns ΔW (the synapse's weight is not changed).</summary>
    public Tensor DeltaW(Tensor sPre, Tensor sPost, Module synapse)
    {
        using var _ = Autograd.NoGrad();
        var weight = WeightOf(synapse);
        CheckTrace(TracePre, sPre, "pre");
        CheckTrace(TracePost, sPost, "post");
        var trPre = TracePre + (sPre - TracePre / TauPre);
        var trPost = TracePost + (sPost - TracePost / TauPost);
        var w = weight.Detach();
        var dw = _fPost(w) * Correlate(synapse, sPost, trPre) - _fPre(w) * Correlate(synapse, trPost, sPre);
        SetMemory("trace_pre", trPre);
        SetMemory("trace_post", trPost);
        return dw;
    }

    /// <summary>One step of STDP: updates the traces and adds lr·ΔW to the synapse's weight in place; returns ΔW.</summary>
    public Tensor Stdp(Tensor sPre, Tensor sPost, Module synapse, double learningRate)
    {
        var dw = DeltaW(sPre, sPost, synapse);
        using var _ = Autograd.NoGrad();
        var weight = WeightOf(synapse);
        Raw.CopyInto(weight.Detach() + dw * learningRate, weight);
        return dw;
    }

    static void CheckTrace(Tensor trace, Tensor spikes, string side)
    {
        if (trace.Rank > 0 && !trace.Shape.SequenceEqual(spikes.Shape))
            throw new ArgumentException($"STDPLearner: {side}-synaptic spikes of shape {Layout.Fmt(spikes.Layout.Shape)} after a trace of shape {Layout.Fmt(trace.Layout.Shape)}; call ResetNet between sequences");
    }

    static Tensor WeightOf(Module synapse) => synapse switch
    {
        Linear l => l.Weight,
        Conv2d c => c.Weight,
        Conv1d c => c.Weight,
        _ => throw new NotSupportedException($"STDPLearner: synapse must be a Linear, Conv2d or Conv1d, got {synapse.GetType().Name}"),
    };

    // C(post, pre) for the synapse's connectivity, in the weight's shape and dtype.
    static Tensor Correlate(Module synapse, Tensor post, Tensor pre)
    {
        var weight = WeightOf(synapse);
        var dtype = weight.DType;
        post = Raw.Contiguous(Raw.ToDType(post, dtype));
        pre = Raw.Contiguous(Raw.ToDType(pre, dtype));
        switch (synapse)
        {
            case Linear l:
            {
                if (post.Rank == 1) post = Raw.Unsqueeze(post, 0);
                if (pre.Rank == 1) pre = Raw.Unsqueeze(pre, 0);
                if (pre.Rank != 2 || post.Rank != 2 || pre.Size(1) != l.InFeatures || post.Size(1) != l.OutFeatures || pre.Size(0) != post.Size(0))
                    throw new ArgumentException($"STDPLearner: Linear({l.InFeatures}, {l.OutFeatures}) needs pre [N, {l.InFeatures}] and post [N, {l.OutFeatures}], got {Layout.Fmt(pre.Layout.Shape)} and {Layout.Fmt(post.Layout.Shape)}");
                return Raw.Matmul(Raw.Transpose(post, 0, 1), pre);
            }
            case Conv2d c:
                return ConvCorrelation(post, pre, weight, c.Stride, c.Padding, c.Dilation, c.Groups);
            case Conv1d c:
            {
                if (pre.Rank != 3 || post.Rank != 3)
                    throw new ArgumentException($"STDPLearner: Conv1d needs pre [N, C, L] and post [N, C', L'], got {Layout.Fmt(pre.Layout.Shape)} and {Layout.Fmt(post.Layout.Shape)}");
                var w4 = Raw.Unsqueeze(weight, 2);
                var c4 = ConvCorrelation(Raw.Unsqueeze(post, 2), Raw.Unsqueeze(pre, 2), w4, c.Stride, c.Padding, c.Dilation, c.Groups, padHeight: false);
                return Raw.Squeeze(c4, 2);
            }
            default:
                throw new NotSupportedException(synapse.GetType().Name);
        }
    }

    static Tensor ConvCorrelation(Tensor post, Tensor pre, Tensor weight, int stride, int padding, int dilation, int groups, bool padHeight = true)
    {
        var ws = weight.Layout.Shape;
        if (pre.Rank != 4 || post.Rank != 4 || pre.Size(0) != post.Size(0) || pre.Size(1) != ws[1] * groups || post.Size(1) != ws[0])
            throw new ArgumentException($"STDPLearner: convolution with weight {Layout.Fmt(ws)} needs pre [N, {ws[1] * groups}, ...] and post [N, {ws[0]}, ...], got {Layout.Fmt(pre.Layout.Shape)} and {Layout.Fmt(post.Layout.Shape)}");
        int ph = padHeight ? padding : 0, sh = padHeight ? stride : 1, dh = padHeight ? dilation : 1;
        var g = ConvGeometry.For(ws[1], pre.Size(2), pre.Size(3), ws[2], ws[3], sh, stride, ph, padding, dh, dilation);
        if (g.OH != post.Size(2) || g.OW != post.Size(3))
            throw new ArgumentException($"STDPLearner: post spikes {Layout.Fmt(post.Layout.Shape)} do not match the convolution's output [{g.OH}, {g.OW}] for pre spikes {Layout.Fmt(pre.Layout.Shape)}");
        return Raw.Conv2dWeightGrad(post, pre, g, groups);
    }

    /// <summary>A learner transforms no data; it is a module only so that ResetNet and DetachNet reach its traces.</summary>
    protected override Tensor OnForward(Tensor x) =>
        throw new NotSupportedException("STDPLearner: has no forward; call Stdp(sPre, sPost, synapse, learningRate) once per step");

    protected override string ExtraRepr() => $"tau_pre={TauPre}, tau_post={TauPost}";
}
