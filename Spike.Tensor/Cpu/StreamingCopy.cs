using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Spike.Cpu;

/// <summary>
/// Copies with non-temporal stores: the destination's cache lines are written without being read for ownership first
/// (a plain store reads each line before writing it, 50 % more memory traffic for a copy) and without evicting what the
/// caches hold. Only worth it for data far larger than the last-level cache: measured on two Zen 4 cores, a 256 MiB copy
/// runs at 36–41 GB/s this way against 23–26 GB/s through <c>memmove</c>.
/// </summary>
public static class StreamingCopy
{
    /// <summary>Copies of at least this many bytes in total stream past the caches (callers decide on the whole copy,
    /// not on the share one thread gets).</summary>
    public const long MinBytes = 32L << 20;

    /// <summary>dst = src. Overlapping spans are copied by <see cref="Span{T}.CopyTo"/> instead.</summary>
    public static unsafe void Copy<T>(ReadOnlySpan<T> src, Span<T> dst) where T : unmanaged
    {
        if (src.Overlaps(dst) || !Avx512F.IsSupported && !Avx.IsSupported)
        {
            src.CopyTo(dst);
            return;
        }
        var s8 = MemoryMarshal.AsBytes(src);
        var d8 = MemoryMarshal.AsBytes(dst);
        if (s8.Length > d8.Length) throw new ArgumentException($"streaming copy: source of {src.Length} elements does not fit a destination of {dst.Length}");
        fixed (byte* s = s8, d = d8)
        {
            nint n = s8.Length, i = 0;
            nuint width = Avx512F.IsSupported ? 64u : 32u;
            nint head = Math.Min(n, (nint)((width - ((nuint)d & (width - 1))) & (width - 1)));   // bytes up to alignment
            new ReadOnlySpan<byte>(s, (int)head).CopyTo(new Span<byte>(d, (int)head));
            i = head;
            if (Avx512F.IsSupported)
                for (; i <= n - 64; i += 64) Avx512F.StoreAlignedNonTemporal(d + i, Vector512.Load(s + i));
            else
                for (; i <= n - 32; i += 32) Avx.StoreAlignedNonTemporal(d + i, Vector256.Load(s + i));
            new ReadOnlySpan<byte>(s + i, (int)(n - i)).CopyTo(new Span<byte>(d + i, (int)(n - i)));
            Sse.StoreFence();   // the streamed lines are visible before the caller moves on
        }
    }
}
