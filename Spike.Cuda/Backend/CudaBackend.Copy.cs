namespace Spike.Cuda;

public sealed partial class CudaBackend
{
    /// <summary>dst = src converting dtype (kernels/copy.cu): contiguous same-type copies are one device memcpy.</summary>
    public void Copy(Tensor src, Tensor dst)
    {
        long n = dst.Numel;
        if (n == 0) return;
        bool sameBits = src.DType == dst.DType || (src.DType == DType.Bool && dst.DType == DType.UInt8);
        if (sameBits && src.IsContiguous && dst.IsContiguous)
        {
            _runtime.CopyOnDevice(At(dst), At(src), n * dst.DType.ElementSize());
            return;
        }
        string kernel = sameBits ? $"copy_{Sfx(dst.DType)}"
            : $"cast_{Sfx(src.DType)}_{(dst.DType == DType.Bool ? "b8" : Sfx(dst.DType))}";
        Run(Programs.Copy, kernel, n, new KernelArgs().Add(n).Add(L(src)).Add(Ptr(src)).Add(L(dst)).Add(Ptr(dst)));
    }

    /// <summary>Every element of dst = value converted once on the host, exactly as the CPU backend converts it.</summary>
    public void Fill(Tensor dst, double value)
    {
        long n = dst.Numel;
        var args = new KernelArgs().Add(n);
        _ = dst.DType switch
        {
            DType.Float32 => args.Add((float)value),
            DType.Float64 => args.Add(value),
            DType.Int32 => args.Add((int)value),
            DType.Int64 => args.Add((long)value),
            DType.UInt8 => args.Add((byte)value),
            DType.Float16 => args.Add((Half)value),
            _ => args.Add((byte)(value != 0 ? 1 : 0)),
        };
        Run(Programs.Copy, $"fill_{Sfx(dst.DType)}", n, args.Add(L(dst)).Add(Ptr(dst)));
    }

    /// <summary>dst = x reversed along <paramref name="axes"/>: a strided copy through negative strides.</summary>
    public void Flip(Tensor x, int[] axes, Tensor dst)
    {
        var strides = (int[])x.Layout.Strides.Clone();
        int offset = x.Layout.Offset;
        foreach (var a in axes)
        {
            if (x.Layout.Shape[a] <= 1) continue;
            offset += (x.Layout.Shape[a] - 1) * strides[a];
            strides[a] = -strides[a];
        }
        long n = dst.Numel;
        var flipped = KernelLayout.From(new Layout(x.Layout.Shape, strides, offset));
        Run(Programs.Copy, $"copy_{Sfx(x.DType)}", n, new KernelArgs().Add(n).Add(flipped).Add(Ptr(x)).Add(L(dst)).Add(Ptr(dst)));
    }
}
