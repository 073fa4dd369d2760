using System.Runtime.InteropServices;

namespace Spike.Cpu;

/// <summary>
/// Arrays for tensor storage and kernel outputs. Large ones come from the <see cref="ArrayRecycler"/>, so a training
/// loop reuses the previous step's memory instead of faulting in fresh pages. A new large array is advised for
/// transparent huge pages on Linux before first touch: first-touching fresh memory one 4 KiB page at a time is
/// expensive (tens of µs per fault in a virtual machine under load); a 2 MiB page is one fault instead of 512.
/// </summary>
public static unsafe partial class LargeArrays
{
    /// <summary>Arrays of at least this many bytes are advised (they span whole huge pages).</summary>
    const long AdviseBytes = 4L << 20;
    /// <summary>Arrays of at least this many bytes go to the large-object heap, whose memory comes back for reuse only
    /// after a full collection: they are recycled. Below it the small-object heap reuses memory by itself.</summary>
    const long LargeObjectBytes = 85_000;
    const int MadvHugePage = 14;
    const nuint HugePage = 2 << 20;

    static bool _adviseWorks = OperatingSystem.IsLinux();

    /// <summary>An array of <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] Uninitialized(int length)
    {
        if ((long)length * sizeof(float) < LargeObjectBytes) return GC.AllocateUninitializedArray<float>(length);
        return ArrayRecycler.Rent(length, n => Advised(GC.AllocateUninitializedArray<float>(n)), out _);
    }

    /// <summary>A zero-filled array of <paramref name="length"/> elements (tensor storage).</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        if ((long)length * sizeof(T) < LargeObjectBytes) return new T[length];
        var a = ArrayRecycler.Rent(length, n => Advised(new T[n]), out bool recycled);
        if (recycled) Array.Clear(a);
        return a;
    }

    /// <summary>Bytes of large arrays that died and wait in the cache for a request of their type and length.</summary>
    public static long CachedBytes => ArrayRecycler.FreeBytes;

    /// <summary>Bytes of large arrays handed out from the cache since the process started (allocation counters such as
    /// <see cref="GC.GetTotalAllocatedBytes"/> do not see them).</summary>
    public static long ReusedBytes => ArrayRecycler.ReusedBytes;

    /// <summary>Gives the cached free arrays back to the garbage collector, as <c>torch.cuda.empty_cache()</c> does for
    /// PyTorch's caching allocator. Arrays in use are not affected.</summary>
    public static void ReleaseCached() => ArrayRecycler.Trim();

    /// <summary>Advises the whole 2 MiB pages inside a large array for huge pages. Pages the GC has already touched
    /// keep their 4 KiB mapping; fresh ones are faulted in 2 MiB at a time.</summary>
    static T[] Advised<T>(T[] a) where T : unmanaged
    {
        long bytes = (long)a.Length * sizeof(T);
        if (bytes < AdviseBytes || !_adviseWorks) return a;
        fixed (T* p = a)
        {
            nuint start = ((nuint)p + HugePage - 1) & ~(HugePage - 1), end = (nuint)(p + a.Length) & ~(HugePage - 1);
            if (end > start && Madvise((void*)start, end - start, MadvHugePage) != 0) _adviseWorks = false;
        }
        return a;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* addr, nuint length, int advice);
}
