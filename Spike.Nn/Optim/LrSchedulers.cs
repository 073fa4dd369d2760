namespace Spike.Nn;

/// <summary>Sets an optimizer's learning rate once per epoch, as torch.optim.lr_scheduler (call <see cref="Step"/> after each epoch).</summary>
public abstract class LrScheduler
{
    protected LrScheduler(Optimizer optimizer) { Optimizer = optimizer; }

    public Optimizer Optimizer { get; }

    /// <summary>Epochs completed so far.</summary>
    public int Epoch { get; private set; }

    public void Step() { Epoch++; Optimizer.Lr = LrAt(Epoch); }

    /// <summary>Jumps to an epoch (used when resuming from a checkpoint).</summary>
    public void SetEpoch(int epoch) { Epoch = epoch; Optimizer.Lr = LrAt(epoch); }

    /// <summary>The learning rate after <paramref name="epoch"/> completed epochs.</summary>
    public abstract double LrAt(int epoch);
}

/// <summary>lr = lr₀·γ^⌊epoch / stepSize⌋.</summary>
public sealed class StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : LrScheduler(optimizer)
{
    public override double LrAt(int epoch) => Optimizer.InitialLr * Math.Pow(gamma, epoch / Math.Max(stepSize, 1));
}

/// <summary>lr = η_min + (lr₀ − η_min)·(1 + cos(π·epoch / T_max)) / 2 (the closed form of torch's CosineAnnealingLR).</summary>
public sealed class CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : LrScheduler(optimizer)
{
    public override double LrAt(int epoch) =>
        etaMin + (Optimizer.InitialLr - etaMin) * (1 + Math.Cos(Math.PI * epoch / tMax)) / 2;
}
