namespace Spike.Nn;

/// <summary>
/// Base of the optimizers (torch.optim): holds the parameters, the learning rate a scheduler may change, and
/// per-parameter state tensors (momentum buffers, moments) that a checkpoint saves with <see cref="StateTensors"/>.
/// Updates happen in place on each parameter's storage, outside the autograd graph.
/// </summary>
public abstract class Optimizer
{
    protected Optimizer(IEnumerable<Tensor> parameters, double lr)
    {
        Parameters = parameters.ToArray();
        if (Parameters.Length == 0) throw new ArgumentException($"{GetType().Name}: got an empty parameter list");
        foreach (var p in Parameters)
            if (!p.IsLeaf || !p.DType.IsFloating())
                throw new ArgumentException($"{GetType().Name}: parameters must be floating-point leaf tensors, got {p}");
        if (lr < 0) throw new ArgumentOutOfRangeException(nameof(lr), $"{GetType().Name}: learning rate {lr} is negative");
        Lr = lr;
        InitialLr = lr;
    }

    public Tensor[] Parameters { get; }

    /// <summary>The current learning rate (schedulers write it).</summary>
    public double Lr { get; set; }

    /// <summary>The learning rate the optimizer was created with (schedulers start from it).</summary>
    public double InitialLr { get; }

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long StepCount { get; set; }

    /// <summary>Per-parameter state by name ("momentum_buffer", "exp_avg", ...), index-aligned with <see cref="Parameters"/>.</summary>
    protected Dictionary<string, Tensor?[]> State { get; } = [];

    /// <summary>Every state tensor under a stable name "{index}.{key}", for checkpoints.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors() =>
        from kv in State
        from i in Enumerable.Range(0, Parameters.Length)
        where kv.Value[i] is not null
        select new KeyValuePair<string, Tensor>($"{i}.{kv.Key}", kv.Value[i]!);

    /// <summary>Restores state saved by <see cref="StateTensors"/>.</summary>
    public void LoadStateTensors(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        foreach (var (name, t) in tensors)
        {
            int dot = name.IndexOf('.');
            if (dot < 0 || !int.TryParse(name[..dot], out int i) || i < 0 || i >= Parameters.Length)
                throw new ArgumentException($"{GetType().Name}: state entry '{name}' does not name a parameter index");
            Buffer(name[(dot + 1)..])[i] = Raw.Clone(Raw.ToDevice(t, Parameters[i].Device)); // a checkpoint is read on the CPU
        }
    }

    protected Tensor?[] Buffer(string key)
    {
        if (!State.TryGetValue(key, out var b)) State[key] = b = new Tensor?[Parameters.Length];
        return b;
    }

    /// <summary>Clears every parameter's gradient (sets it to null, as set_to_none=True).</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.Grad = null;
    }

    /// <summary>Applies one update from the current gradients; parameters without a gradient are skipped.</summary>
    public void Step()
    {
        using (Autograd.NoGrad())
        {
            for (int i = 0; i < Parameters.Length; i++)
            {
                var p = Parameters[i];
                if (p.Grad is null) continue;
                if (Update(i, p.Detach(), p.Grad) is { } updated) Raw.CopyInto(updated, p);
            }
        }
        StepCount++;
    }

    /// <summary>The new value of parameter i (its current value p and gradient g), or null when the update was written
    /// into p in place; recording is off.</summary>
    protected abstract Tensor? Update(int i, Tensor p, Tensor g);
}
