using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Spike;

/// <summary>
/// An n-dimensional array: storage + layout (shape, strides, offset) + dtype + device, plus the autograd
/// slots (<see cref="RequiresGrad"/>, <see cref="Grad"/>, <see cref="GradFn"/>) that Spike.Autograd fills.
/// Views (View, Permute, Narrow, Expand, ...) share storage.
/// Differentiable math lives in Spike.Autograd as extension members of this type.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    bool _requiresGrad;

    public Storage Storage { get; private set; }
    public Layout Layout { get; }
    public DType DType => Storage.DType;
    public Device Device => Storage.Device;

    public ImmutableArray<int> Shape => ImmutableCollectionsMarshal.AsImmutableArray(Layout.Shape);
    public int Rank => Layout.Rank;
    public int Numel => Layout.Numel;
    public bool IsContiguous => Layout.IsContiguous;

    public Tensor(Storage storage, Layout layout)
    {
        Storage = storage;
        Layout = layout;
    }

    /// <summary>Size of one axis (negative axes count from the end).</summary>
    public int Size(int axis) => Layout.Shape[Layout.ExistingAxis(axis, Rank, "size")];

    // ---- autograd slots -------------------------------------------------------------------------

    /// <summary>The node that produced this tensor, or null for a leaf.</summary>
    public GradFn? GradFn { get; internal set; }

    public bool IsLeaf => GradFn is null;

    /// <summary>Accumulated gradient (leaves, and non-leaves that called <see cref="RetainGrad"/>).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Whether the graph keeps <see cref="Grad"/> for this non-leaf tensor.</summary>
    public bool RetainsGrad { get; private set; }

    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (!IsLeaf)
                throw new InvalidOperationException("RequiresGrad can only be changed on leaf tensors; use Detach() for a non-leaf");
            if (value && !DType.IsFloating())
                throw new InvalidOperationException($"only floating-point tensors can require gradients, this one is {DType}");
            _requiresGrad = value;
        }
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent construction.</summary>
    public Tensor RequiresGrad_(bool value = true) { RequiresGrad = value; return this; }

    public void RetainGrad()
    {
        if (!RequiresGrad) throw new InvalidOperationException("RetainGrad on a tensor that does not require grad");
        RetainsGrad = true;
    }

    /// <summary>Attaches the node that produced this tensor (used by ops and custom functions).</summary>
    public Tensor WithGradFn(GradFn fn) { GradFn = fn; return this; }

    /// <summary>A tensor sharing storage but cut from the graph.</summary>
    public Tensor Detach() => new(Storage, Layout);

    // ---- views (no autograd here; the differentiable versions in Spike.Autograd wrap these) --------

    internal Tensor WithLayout(Layout layout) => new(Storage, layout);

    /// <summary>Releases device memory early; CPU storage is left to the GC.</summary>
    public void Dispose()
    {
        if (Storage is IDisposable d) d.Dispose();
    }

    // ---- element access -----------------------------------------------------------------------------

    /// <summary>The elements of a contiguous CPU tensor, in row-major order (writes go to the storage).</summary>
    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (Device.Kind != DeviceKind.Cpu) throw new InvalidOperationException($"AsSpan: tensor is on {Device}; move it to the CPU first");
        if (!IsContiguous) throw new InvalidOperationException($"AsSpan: tensor with {Layout} is not contiguous; call Contiguous() first");
        if (DTypes.Of<T>() != DType) throw new InvalidCastException($"AsSpan<{typeof(T).Name}>: tensor is {DType}");
        return ((CpuStorage)Storage).As<T>().AsSpan(Layout.Offset, Numel);
    }

    /// <summary>A copy of the elements in row-major order.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (DTypes.Of<T>() != DType) throw new InvalidCastException($"ToArray<{typeof(T).Name}>: tensor is {DType}; convert with To(DType.{DTypes.Of<T>()}) first");
        return Raw.Contiguous(Raw.ToCpu(this)).AsSpan<T>().ToArray();
    }

    /// <summary>The single element of a one-element tensor, as a double.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item: tensor of shape {Layout.Fmt(Layout.Shape)} has {Numel} elements, not 1");
        return Raw.ToCpu(Raw.ToDType(this, DType.Float64)).ToArray<double>()[0];
    }

    public T Item<T>() where T : unmanaged
    {
        if (Numel != 1) throw new InvalidOperationException($"Item: tensor of shape {Layout.Fmt(Layout.Shape)} has {Numel} elements, not 1");
        return Raw.ToDType(this, DTypes.Of<T>()).ToArray<T>()[0];
    }

    public override string ToString()
    {
        const int shown = 8;
        var flat = Raw.Flatten(Raw.ToCpu(this));
        var head = Numel == 0 ? [] : Raw.ToDType(Raw.Narrow(flat, 0, 0, Math.Min(shown, Numel)), DType.Float64).ToArray<double>();
        var values = string.Join(", ", head.Select(v => DType.IsFloating() ? v.ToString("G6") : v.ToString("0")));
        var more = Numel > shown ? ", ..." : "";
        var grad = GradFn is not null ? $", grad_fn={GradFn.Name}" : RequiresGrad ? ", requires_grad" : "";
        return $"tensor({Layout.Fmt(Layout.Shape)}, {DType}, {Device}, [{values}{more}]{grad})";
    }
}
