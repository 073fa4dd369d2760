using System.Runtime.InteropServices;

namespace Spike.Cpu;

/// <summary>
/// Large float arrays for kernel outputs. Every element is written by the kernel, so the array is not zero-filled,
/// and on Linux its interior is advised for transparent huge pages before first touch: the .NET GC returns freed
/// large-object memory to the OS over time and hands out fresh pages, and first-touching them one 4 KiB page at a
/// time is expensive (tens of µs per fault in a virtual machine under load); a 2 MiB page is one fault instead of 512.
/// </summary>
public static unsafe partial class LargeArrays
{
    /// <summary>Arrays of at least this many bytes are advised (they span whole huge pages).</summary>
    const long AdviseBytes = 4L << 20;
    /// <summary>Arrays of at least this many bytes go to the large-object heap, whose memory comes back for reuse only
    /// after a full collection: they are paced. Below it the small-object heap reuses memory by itself.</summary>
    const long LargeObjectBytes = 85_000;
    const int MadvHugePage = 14;
    const nuint HugePage = 2 << 20;

    static bool _adviseWorks = OperatingSystem.IsLinux();

    /// <summary>An array of <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] Uninitialized(int length)
    {
        PaceBefore((long)length * sizeof(float));
        return Advised(GC.AllocateUninitializedArray<float>(length));
    }

    /// <summary>A zero-filled array of <paramref name="length"/> elements (tensor storage).</summary>
    public static T[] Zeroed<T>(int length) where T : unmanaged
    {
        PaceBefore((long)length * sizeof(T));
        return Advised(new T[length]);
    }

    /// <summary>Paces large requests before they are allocated, so that a collection it triggers frees memory the
    /// request itself can reuse.</summary>
    static void PaceBefore(long bytes)
    {
        if (bytes >= LargeObjectBytes) Pace(bytes);
    }

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

    static long _sinceCollection;
    static int _gen2Seen;

    /// <summary>Large-array bytes allocated between two full collections (at least; a quarter of the heap when larger).</summary>
    const long PaceBytes = 128L << 20;

    /// <summary>
    /// Collects once the large arrays allocated since the last full collection pass <see cref="PaceBytes"/> (or a
    /// quarter of the heap): a training step frees hundreds of MiB of tensors, and collecting then lets the next
    /// allocations reuse that memory while it is still mapped. Left alone, the GC lets the heap grow by fresh regions
    /// between its (rarer) full collections and returns freed ones to the OS later, so most large tensors landed on
    /// pages the OS had to fault in and zero (measured: 2–30× slower fused-neuron steps on a loaded VM). With few, large
    /// objects a full collection costs about a millisecond.
    /// </summary>
    static void Pace(long bytes)
    {
        int gen2 = GC.CollectionCount(2);
        if (gen2 != Volatile.Read(ref _gen2Seen))
        {
            Volatile.Write(ref _gen2Seen, gen2);
            Interlocked.Exchange(ref _sinceCollection, 0);
        }
        long since = Interlocked.Add(ref _sinceCollection, bytes);
        if (since > PaceBytes && since > GC.GetGCMemoryInfo().HeapSizeBytes / 4) // the heap query only past PaceBytes
        {
            Interlocked.Exchange(ref _sinceCollection, 0);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(void* addr, nuint length, int advice);
}
