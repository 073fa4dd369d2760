using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Spike.Cuda;

/// <summary>
/// Kernel parameters in the form cuLaunchKernel takes: an array whose element i points at the value of parameter i.
/// Values are copied into one native block (each at a 16-byte aligned slot), so the pointers stay valid until
/// disposal. The host execution of kernels (kernels/host_shim.h) reads the same array, so a launch is described
/// once for both. Add parameters in the kernel's order with the kernel's exact C types.
/// </summary>
public sealed unsafe class KernelArgs : IDisposable
{
    const int Slot = 16;
    byte* _values;
    nint* _pointers;
    int _capacity, _used, _count;

    public KernelArgs(int capacityBytes = 1024)
    {
        _capacity = capacityBytes;
        _values = (byte*)NativeMemory.AlignedAlloc((nuint)_capacity, Slot);
        _pointers = (nint*)NativeMemory.Alloc(32, (nuint)sizeof(nint));
    }

    public int Count => _count;

    /// <summary>The kernelParams array (valid until disposal; do not Add after taking it).</summary>
    public nint Pointers => (nint)_pointers;

    /// <summary>Appends a value of an unmanaged C type: int, long (long long), float, double, a device or host
    /// pointer (nint, or ulong for a CUdeviceptr) or a struct mirroring the kernel's.</summary>
    public KernelArgs Add<T>(T value) where T : unmanaged
    {
        if (_count == 32) throw new InvalidOperationException("KernelArgs: more than 32 kernel parameters");
        int size = (sizeof(T) + Slot - 1) / Slot * Slot;
        if (_used + size > _capacity)
            throw new InvalidOperationException($"KernelArgs: {_used + size} bytes of parameters exceed the {_capacity}-byte block");
        Unsafe.WriteUnaligned(_values + _used, value);
        _pointers[_count++] = (nint)(_values + _used);
        _used += size;
        return this;
    }

    public void Dispose()
    {
        if (_values is null) return;
        NativeMemory.AlignedFree(_values);
        NativeMemory.Free(_pointers);
        _values = null;
        _pointers = null;
    }
}

/// <summary>Dims of a kernel layout (kernels/common.cuh SPK_MAX_DIMS = 8).</summary>
[InlineArray(KernelLayout.MaxDims)]
public struct KernelDims
{
    long _element;
}

/// <summary>
/// Mirror of <c>spk_layout</c> (kernels/common.cuh): rank, offset, shape and strides in elements, passed to kernels by
/// value. <see cref="From(Layout)"/> coalesces dims, so contiguous operands become rank 1. Coalescing one operand
/// alone is sound: the kernel maps the same row-major linear index through each operand's own layout.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct KernelLayout
{
    public const int MaxDims = 8;
    public int Rank;
    int _pad;
    public long Offset;
    public KernelDims Shape;
    public KernelDims Stride;

    public static KernelLayout Create(long offset, ReadOnlySpan<long> shape, ReadOnlySpan<long> strides)
    {
        if (shape.Length > MaxDims || shape.Length != strides.Length)
            throw new ArgumentException($"kernel layout: rank {shape.Length} with {strides.Length} strides (at most {MaxDims} dims)");
        var l = new KernelLayout { Rank = shape.Length, Offset = offset };
        for (int d = 0; d < shape.Length; d++) { l.Shape[d] = shape[d]; l.Stride[d] = strides[d]; }
        return l;
    }

    /// <summary>A tensor layout as a kernel layout: size-1 dims dropped, dim d merged into d−1 when
    /// stride[d−1] = stride[d]·shape[d] (the same offsets for every linear index); rank 0 becomes [1].</summary>
    public static KernelLayout From(Layout layout)
    {
        var shape = new List<long>();
        var strides = new List<long>();
        for (int d = 0; d < layout.Rank; d++)
        {
            long n = layout.Shape[d], s = layout.Strides[d];
            if (n == 1) continue;
            if (shape.Count > 0 && strides[^1] == s * n) { shape[^1] *= n; strides[^1] = s; continue; }
            shape.Add(n);
            strides.Add(s);
        }
        if (shape.Count == 0) { shape.Add(1); strides.Add(0); }
        return Create(layout.Offset, shape.ToArray(), strides.ToArray());
    }
}

/// <summary>Mirror of <c>spk_neuron_params</c> (kernels/neuron.cuh): 14 floats, 4 ints.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct NeuronParams(float VThreshold, float VReset, float Tau, float Decay, float Alpha, float Beta,
    float A0, float VRest, float VC, float DeltaT, float ThetaRh, float TauW, float A, float B,
    int SoftReset, int DetachReset, int DecayInput, int Pad = 0)
{
    /// <summary>The kernel parameters of a neuron. Decay = 1 − 1/τ is computed in double and rounded once, the float32
    /// factor SpikingJelly multiplies by (1 − 1/3 rounds differently when computed in float32).</summary>
    public static NeuronParams From(NeuronSpec s) => new(
        (float)s.VThreshold, (float)(s.VReset ?? 0), (float)s.Tau, (float)(1.0 - 1.0 / s.Tau), (float)s.Surrogate.Alpha, (float)s.Surrogate.Beta,
        (float)s.A0, (float)s.VRest, (float)s.VC, (float)s.DeltaT, (float)s.ThetaRh, (float)s.TauW, (float)s.A, (float)s.B,
        s.VReset is null ? 1 : 0, s.DetachReset ? 1 : 0, s.DecayInput ? 1 : 0);
}
