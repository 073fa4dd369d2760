namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    // logits / input: [N, C, S] contiguous; per-position tensors [N, S] contiguous (kernels/losses.cu, one thread per
    // position). Class targets are checked on the host first, with the CPU backend's message.

    public void CrossEntropy(Tensor logits, Tensor target, Tensor? weight, Tensor loss, Tensor lse, Tensor? targetWeight,
        double labelSmoothing, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [logits, target, weight], [loss, lse, targetWeight], w => CrossEntropy(w[0], w[1], w[2], w[3], w[4], w[5], labelSmoothing, ignoreIndex))) return;
        CrossEntropyKernel(logits, target, weight, labelSmoothing, ignoreIndex, loss, lse, targetWeight, null, null, null);
    }

    public void CrossEntropyBackward(Tensor logits, Tensor target, Tensor? weight, Tensor lse, Tensor gradLoss, Tensor gradLogits,
        Tensor? gradTarget, double labelSmoothing, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [logits, target, weight, lse, gradLoss], [gradLogits, gradTarget], w => CrossEntropyBackward(w[0], w[1], w[2], w[3], w[4], w[5], w[6], labelSmoothing, ignoreIndex))) return;
        CrossEntropyKernel(logits, target, weight, labelSmoothing, ignoreIndex, null, lse, null, gradLoss, gradLogits, gradTarget);
    }

    void CrossEntropyKernel(Tensor z, Tensor target, Tensor? w, double eps, long ignore, Tensor? loss, Tensor lse, Tensor? tw,
        Tensor? gl, Tensor? gz, Tensor? gt)
    {
        LossType("cross_entropy", z);
        long n = z.Layout.Shape[0], c = z.Layout.Shape[1], s = z.Layout.Shape[2];
        bool classes = target.DType == DType.Int64;
        if (classes) CheckTargets("cross_entropy", target, c, ignore);
        var args = new KernelArgs().Add(n).Add(c).Add(s).Add(At(z)).Add(classes ? At(target) : 0UL).Add(classes ? 0UL : At(target)).Add(AtOrNull(w));
        if (z.DType == DType.Float32) args.Add((float)eps); else args.Add(eps);
        Run(Programs.Losses, $"cross_entropy_{Sfx(z.DType)}", n * s, args.Add(ignore).Add(AtOrNull(loss)).Add(At(lse)).Add(AtOrNull(tw))
            .Add(AtOrNull(gl)).Add(AtOrNull(gz)).Add(AtOrNull(gt)));
    }

    public void NllLoss(Tensor input, Tensor target, Tensor? weight, Tensor loss, Tensor? targetWeight, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [input, target, weight], [loss, targetWeight], w => NllLoss(w[0], w[1], w[2], w[3], w[4], ignoreIndex))) return;
        Nll(false, input, target, weight, loss, targetWeight, ignoreIndex);
    }

    /// <summary>gradInput is zeroed, then each position writes its one entry.</summary>
    public void NllLossBackward(Tensor gradLoss, Tensor target, Tensor? weight, Tensor gradInput, long ignoreIndex)
    {
        if (Float16Widening.Widen(this, [gradLoss, target, weight], [gradInput], w => NllLossBackward(w[0], w[1], w[2], w[3], ignoreIndex))) return;
        LossType("nll_loss", gradInput);
        _runtime.Memset(At(gradInput), 0, (long)gradInput.Numel * gradInput.DType.ElementSize());
        Nll(true, gradInput, target, weight, gradLoss, null, ignoreIndex);
    }

    void Nll(bool backward, Tensor x, Tensor target, Tensor? w, Tensor perPosition, Tensor? tw, long ignore)
    {
        LossType("nll_loss", x);
        long n = x.Layout.Shape[0], c = x.Layout.Shape[1], s = x.Layout.Shape[2];
        CheckTargets("nll_loss", target, c, ignore);
        Run(Programs.Losses, $"nll_{Sfx(x.DType)}", n * s, new KernelArgs().Add(backward ? 1 : 0).Add(n).Add(c).Add(s).Add(At(x))
            .Add(At(target)).Add(AtOrNull(w)).Add(At(perPosition)).Add(AtOrNull(tw)).Add(ignore));
    }

    /// <summary>Elementwise BCE over any strides; an input outside [0, 1] raises after the kernel reports it.</summary>
    public unsafe void BinaryCrossEntropy(Tensor p, Tensor y, Tensor loss)
    {
        if (Float16Widening.Widen(this, [p, y], [loss], w => BinaryCrossEntropy(w[0], w[1], w[2]))) return;
        LossType("binary_cross_entropy", p);
        long n = loss.Numel;
        var flag = Temp(DType.Int32, 1);
        Fill(flag, 0);
        Run(Programs.Losses, $"bce_{Sfx(p.DType)}", n,
            new KernelArgs().Add(n).Add(L(p)).Add(Ptr(p)).Add(L(y)).Add(Ptr(y)).Add(L(loss)).Add(Ptr(loss)).Add(At(flag)));
        int bad = 0;
        _runtime.CopyToHost(&bad, At(flag), sizeof(int));
        if (bad != 0)
            throw new ArgumentOutOfRangeException(nameof(p), $"binary_cross_entropy: all elements of the input of shape {Layout.Fmt(p.Layout.Shape)} must lie in [0, 1]");
    }

    static void LossType(string op, Tensor x)
    {
        if (!x.DType.IsFloating())
            throw new NotSupportedException($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
    }

    /// <summary>Class targets must lie in [0, C) or equal ignoreIndex (read back to the host: a kernel cannot throw).</summary>
    void CheckTargets(string op, Tensor target, long classes, long ignoreIndex)
    {
        var t = ToCpu(target).ToArray<long>();
        for (int q = 0; q < t.Length; q++)
            if (t[q] != ignoreIndex && (t[q] < 0 || t[q] >= classes))
                throw new ArgumentOutOfRangeException(nameof(target), $"{op}: target {t[q]} at position {q} is out of bounds for {classes} classes");
    }
}
