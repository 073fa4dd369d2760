using System.Runtime.CompilerServices;

namespace Spike.Cpu;

/// <summary>
/// A caching allocator for large arrays: an array comes back for reuse once the garbage collector has proved that
/// nothing reaches it any more, and the next request of the same element type and length gets it, on pages that are
/// already mapped. Without it every training step's tensors landed on fresh pages the OS had to fault in and zero
/// (18–27 % of an EN5 training step).
/// <para>
/// Safety comes from the collector, not from ownership rules: each array handed out is watched by a
/// <see cref="Reclaimer"/> that lives exactly as long as the array is reachable (an ephemeron entry keyed by the array).
/// Once the array is unreachable from everything else — tensors, backward closures, kernels' locals and spans — the
/// reclaimer's finalizer runs, and finalization keeps the array alive for it, so it can go back on the free list. A raw
/// array that some code still holds is by definition reachable, so it is never handed out twice.
/// </para>
/// <para>
/// Freed arrays come back only at full collections. When a request finds no free array and enough bytes have been
/// handed out since the last collection, the request collects and waits for the finalizers first: by then the previous
/// step's tensors have died. Arrays that stay free for <see cref="StaleAfter"/> such collections are dropped, and the
/// free list never holds more than an eighth of the memory available to the GC.
/// </para>
/// </summary>
static class ArrayRecycler
{
    /// <summary>Bytes handed out between two collections a request may trigger (at least; a quarter of the heap in use
    /// when larger). Collecting more often costs more collections than the freed memory saves.</summary>
    const long CollectAfterBytes = 128L << 20;

    /// <summary>A free array that finds no taker over this many collections is dropped. A training step can span a
    /// few collections, and an array it needs once per step sits free in between.</summary>
    const int StaleAfter = 8;

    sealed class Reclaimer(Array array, long bytes)
    {
        public readonly Array Array = array;
        public readonly long Bytes = bytes;
        /// <summary>The collection interval (<see cref="_epoch"/>) in which the array was freed.</summary>
        public long FreedAt;

        ~Reclaimer() => Free(this);
    }

    static readonly ConditionalWeakTable<Array, Reclaimer> Watched = new();
    static readonly Dictionary<(Type Element, int Length), List<Reclaimer>> FreeLists = new();
    static readonly object Gate = new();
    static readonly long FreeCapBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8;
    static long _freeBytes, _sinceCollection, _epoch, _reusedBytes;

    /// <summary>Bytes of free arrays waiting for reuse.</summary>
    public static long FreeBytes => Volatile.Read(ref _freeBytes);

    /// <summary>Bytes handed out again since the process started.</summary>
    public static long ReusedBytes => Volatile.Read(ref _reusedBytes);

    /// <summary>An array of <paramref name="length"/> elements, recycled when one is free (its contents are whatever
    /// its previous user left), otherwise made by <paramref name="allocate"/>. Returns whether it was recycled.</summary>
    public static T[] Rent<T>(int length, Func<int, T[]> allocate, out bool recycled) where T : unmanaged
    {
        long bytes = (long)length * Unsafe.SizeOf<T>();
        var reclaimer = TakeFree(typeof(T), length);
        if (reclaimer is null && Interlocked.Add(ref _sinceCollection, bytes) > CollectAfterBytes && CollectionPays())
        {
            Collect();
            reclaimer = TakeFree(typeof(T), length);
        }
        recycled = reclaimer is not null;
        if (reclaimer is null)
        {
            var fresh = allocate(length);
            Watched.Add(fresh, new Reclaimer(fresh, bytes));
            return fresh;
        }
        Interlocked.Add(ref _sinceCollection, bytes);
        Interlocked.Add(ref _reusedBytes, bytes);
        GC.ReRegisterForFinalize(reclaimer);   // its finalizer ran when the array was freed
        Watched.AddOrUpdate(reclaimer.Array, reclaimer);   // the entry may have been cleared with the dead key
        return (T[])reclaimer.Array;
    }

    /// <summary>Drops every free array (their memory goes back to the GC).</summary>
    public static void Trim()
    {
        lock (Gate)
        {
            FreeLists.Clear();
            _freeBytes = 0;
        }
    }

    static bool CollectionPays() =>
        Volatile.Read(ref _sinceCollection) > (GC.GetGCMemoryInfo().HeapSizeBytes - FreeBytes) / 4;

    /// <summary>Collects, lets the finalizers bring the dead arrays back, and drops the arrays that have been free
    /// for <see cref="StaleAfter"/> collections without finding a taker (all of them when the machine runs short of
    /// memory).</summary>
    static void Collect()
    {
        Interlocked.Exchange(ref _sinceCollection, 0);
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        GC.WaitForPendingFinalizers();
        lock (Gate)
        {
            foreach (var list in FreeLists.Values)
            {
                // Pushed in freeing order, so the stale ones are at the bottom.
                int stale = 0;
                while (stale < list.Count && list[stale].FreedAt <= _epoch - StaleAfter) _freeBytes -= list[stale++].Bytes;
                list.RemoveRange(0, stale);
            }
            _epoch++;
        }
        var memory = GC.GetGCMemoryInfo();
        if (memory.MemoryLoadBytes >= memory.HighMemoryLoadThresholdBytes) Trim();   // the machine needs it more
    }

    static Reclaimer? TakeFree(Type element, int length)
    {
        lock (Gate)
        {
            if (!FreeLists.TryGetValue((element, length), out var list) || list.Count == 0) return null;
            var r = list[^1];
            list.RemoveAt(list.Count - 1);
            _freeBytes -= r.Bytes;
            return r;
        }
    }

    /// <summary>Called by a finalizer: the array is unreachable from everywhere else.</summary>
    static void Free(Reclaimer r)
    {
        lock (Gate)
        {
            if (_freeBytes + r.Bytes > FreeCapBytes) return;   // dropped: collected at a later collection
            var key = (r.Array.GetType().GetElementType()!, r.Array.Length);
            if (!FreeLists.TryGetValue(key, out var list)) FreeLists[key] = list = [];
            r.FreedAt = _epoch;
            list.Add(r);
            _freeBytes += r.Bytes;
        }
    }
}
