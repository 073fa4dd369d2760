namespace Spike.Nn;

/// <summary>Whether a step-aware module takes one time step <c>[N, ...]</c> or a whole sequence <c>[T, N, ...]</c>.</summary>
public enum StepMode
{
    /// <summary>One step per call: input <c>[N, ...]</c>.</summary>
    Single,
    /// <summary>A whole sequence per call: input <c>[T, N, ...]</c>, time outermost.</summary>
    Multi,
}

/// <summary>A module that has a <see cref="StepMode"/> (SpikingJelly's <c>step_mode</c>).</summary>
public interface IStepModule
{
    StepMode StepMode { get; set; }
}

/// <summary>
/// A module that runs its children in the step mode they need (one step at a time, or one folded batch), so
/// <see cref="Functional.SetStepMode"/> leaves its descendants alone (as SpikingJelly's set_step_mode does for its
/// recurrent and step-mode containers).
/// </summary>
public interface IStepModeContainer;

/// <summary>
/// Base of every layer, neuron and container: a tree of named parameters (leaf tensors that require grad),
/// buffers (tensors saved with the module but not trained), child modules and state "memories" with the value
/// <see cref="Reset"/> restores (SpikingJelly's <c>MemoryModule.register_memory</c>). <see cref="Forward"/> runs
/// <see cref="OnForward"/> and then the forward hooks.
/// </summary>
public abstract class Module
{
    readonly OrderedDictionary<string, Tensor> _parameters = new();
    readonly OrderedDictionary<string, Tensor> _buffers = new();
    readonly OrderedDictionary<string, Module> _children = new();
    readonly OrderedDictionary<string, Memory> _memories = new();
    readonly List<Action<Module, Tensor, Tensor>> _hooks = [];

    sealed class Memory(Tensor reset)
    {
        public Tensor ResetValue = reset;
        public Tensor Value = reset;
    }

    /// <summary>Training mode (the default) or evaluation mode; see <see cref="Train"/> and <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The module's computation for one call; users call <see cref="Forward"/>, which also runs the hooks.</summary>
    protected abstract Tensor OnForward(Tensor x);

    /// <summary>y = module(x), then every forward hook sees (module, x, y).</summary>
    public Tensor Forward(Tensor x)
    {
        var y = OnForward(x);
        foreach (var h in _hooks.ToArray()) h(this, x, y);
        return y;
    }

    /// <summary>Registers hook(module, input, output), called after each forward; dispose the handle to remove it.</summary>
    public IDisposable RegisterForwardHook(Action<Module, Tensor, Tensor> hook)
    {
        _hooks.Add(hook);
        return new HookHandle(() => _hooks.Remove(hook));
    }

    sealed class HookHandle(Action remove) : IDisposable
    {
        Action? _remove = remove;
        public void Dispose() { _remove?.Invoke(); _remove = null; }
    }

    // ---- registration ---------------------------------------------------------------------------

    /// <summary>Registers a trainable tensor (made a leaf that requires grad) under <paramref name="name"/>.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        var p = value.IsLeaf ? value : value.Detach();
        if (!p.RequiresGrad) p.RequiresGrad = true;
        _parameters[name] = p;
        return p;
    }

    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        _buffers[name] = value;
        return value;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children[name] = module;
        return module;
    }

    /// <summary>Registers a state tensor whose value <see cref="Reset"/> restores (a 0-d scalar broadcasts on first use).</summary>
    protected void RegisterMemory(string name, Tensor resetValue)
    {
        CheckName(name);
        _memories[name] = new Memory(resetValue);
    }

    protected void RegisterMemory(string name, double resetValue) => RegisterMemory(name, Tensor.Scalar(resetValue));

    void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: name '{name}' must be non-empty and contain no '.'");
        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _children.ContainsKey(name) || _memories.ContainsKey(name))
            throw new ArgumentException($"{GetType().Name}: '{name}' is already registered");
    }

    protected Tensor Parameter(string name) => _parameters[name];
    protected Tensor Buffer(string name) => _buffers[name];
    protected void SetBuffer(string name, Tensor value) => _buffers[name] = value;

    /// <summary>Current value of a memory (the reset value until the first write).</summary>
    public Tensor GetMemory(string name) => _memories.TryGetValue(name, out var m) ? m.Value
        : throw new KeyNotFoundException($"{GetType().Name}: no memory named '{name}'");

    public void SetMemory(string name, Tensor value)
    {
        if (!_memories.TryGetValue(name, out var m)) throw new KeyNotFoundException($"{GetType().Name}: no memory named '{name}'");
        m.Value = value;
    }

    /// <summary>Changes the value a memory is reset to (and resets it).</summary>
    protected void SetMemoryResetValue(string name, Tensor resetValue)
    {
        var m = _memories[name];
        m.ResetValue = resetValue;
        m.Value = resetValue;
    }

    /// <summary>Names of this module's own memories.</summary>
    public IEnumerable<string> MemoryNames => _memories.Keys;

    /// <summary>Restores every memory of this module (not its children) to its reset value; see Functional.ResetNet.</summary>
    public virtual void Reset()
    {
        foreach (var m in _memories.Values) m.Value = m.ResetValue;
    }

    /// <summary>Cuts this module's memories from the autograd graph (truncated BPTT); values are kept.</summary>
    public virtual void DetachState()
    {
        foreach (var m in _memories.Values) m.Value = m.Value.Detach();
    }

    // ---- traversal ----------------------------------------------------------------------------------

    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(kv => (kv.Key, kv.Value));

    public IEnumerable<Module> Children() => _children.Values;

    /// <summary>This module and all descendants, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (n, c) in _children)
            foreach (var x in c.NamedModules(prefix.Length == 0 ? n : prefix + "." + n)) yield return x;
    }

    public IEnumerable<Module> Modules() => NamedModules().Select(x => x.Module);

    /// <summary>All parameters of the tree with dotted names ("0.weight"), in registration order.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (n, p) in m._parameters) yield return (prefix.Length == 0 ? n : prefix + "." + n, p);
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(x => x.Tensor);

    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (n, b) in m._buffers) yield return (prefix.Length == 0 ? n : prefix + "." + n, b);
    }

    /// <summary>Clears the gradients of all parameters.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.Grad = null;
    }

    // ---- modes ----------------------------------------------------------------------------------------

    /// <summary>Sets training mode on this module and all descendants.</summary>
    public Module Train(bool mode = true)
    {
        foreach (var m in Modules()) m.Training = mode;
        return this;
    }

    public Module Eval() => Train(false);

    /// <summary>Moves parameters, buffers and memories of the whole tree to <paramref name="device"/> (parameters stay leaves).</summary>
    public Module To(Device device)
    {
        foreach (var m in Modules())
        {
            foreach (var k in m._parameters.Keys.ToArray())
            {
                var p = m._parameters[k];
                if (p.Device != device) m._parameters[k] = Raw.ToDevice(p, device).RequiresGrad_(p.RequiresGrad);
            }
            foreach (var k in m._buffers.Keys.ToArray()) m._buffers[k] = Raw.ToDevice(m._buffers[k], device);
            foreach (var mem in m._memories.Values)
            {
                mem.ResetValue = Raw.ToDevice(mem.ResetValue, device);
                mem.Value = Raw.ToDevice(mem.Value.Detach(), device);
            }
        }
        return this;
    }

    /// <summary>Converts the floating-point parameters, buffers and memories of the whole tree to a floating
    /// <paramref name="dtype"/> (parameters stay leaves), as torch's <c>module.double()</c> / <c>module.float()</c>.</summary>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloating()) throw new ArgumentException($"{GetType().Name}.To: modules convert to a floating dtype, not {dtype}");
        Tensor Conv(Tensor t) => t.DType.IsFloating() && t.DType != dtype ? Raw.ToDType(t, dtype) : t;
        foreach (var m in Modules())
        {
            foreach (var (k, p) in m._parameters.ToArray())
                if (Conv(p) is var q && q != p) m._parameters[k] = q.RequiresGrad_(p.RequiresGrad);
            foreach (var k in m._buffers.Keys.ToArray()) m._buffers[k] = Conv(m._buffers[k]);
            foreach (var mem in m._memories.Values)
            {
                mem.ResetValue = Conv(mem.ResetValue);
                mem.Value = Conv(mem.Value.Detach());
            }
        }
        return this;
    }

    /// <summary>A one-line description used by <see cref="ToString"/>.</summary>
    protected virtual string ExtraRepr() => "";

    public override string ToString()
    {
        var head = $"{GetType().Name}({ExtraRepr()})";
        if (_children.Count == 0) return head;
        var lines = _children.Select(kv => $"  ({kv.Key}): " + kv.Value.ToString().Replace("\n", "\n  "));
        return $"{GetType().Name}(\n{string.Join("\n", lines)}\n)";
    }
}
