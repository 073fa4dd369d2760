namespace Spike.Cuda;

/// <summary>
/// Frees, when disposed, the device memory of every CUDA tensor created on this thread while it was open, except the
/// tensors passed to <see cref="Keep(Tensor)"/> (which move to the enclosing scope, if any). One scope around a training
/// step releases all its intermediates deterministically instead of waiting for the GC:
/// <code>
/// using (var scope = new CudaScope())
/// {
///     var loss = net.Forward(x).MseLoss(y);
///     optimizer.ZeroGrad(); loss.Backward(); optimizer.Step();
///     scope.Keep(net.StateDict().Select(kv => kv.Value));   // parameters, buffers and optimizer state replaced in the step
///     scope.Keep(optimizer.StateTensors().Select(kv => kv.Value));
/// }
/// </code>
/// Scopes nest and must be disposed in reverse order of creation, on the thread that created them.
/// </summary>
public sealed class CudaScope : IDisposable
{
    [ThreadStatic] static CudaScope? _current;
    readonly CudaScope? _parent;
    readonly HashSet<CudaStorage> _owned = [];
    bool _disposed;

    public CudaScope()
    {
        _parent = _current;
        _current = this;
    }

    /// <summary>Storages this scope will free.</summary>
    public int Count => _owned.Count;

    internal static void Track(CudaStorage storage) => _current?._owned.Add(storage);

    /// <summary>Excludes the tensor's storage (shared by all its views) from this scope and hands it to the enclosing one.</summary>
    public Tensor Keep(Tensor tensor)
    {
        if (tensor.Storage is CudaStorage s && _owned.Remove(s)) _parent?._owned.Add(s);
        return tensor;
    }

    /// <summary><see cref="Keep(Tensor)"/> for each tensor.</summary>
    public void Keep(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors) Keep(t);
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (_current != this)
            throw new InvalidOperationException("CudaScope: scopes must be disposed in reverse order of creation, on the thread that created them");
        _disposed = true;
        _current = _parent;
        foreach (var s in _owned) s.Dispose();
        _owned.Clear();
    }
}
