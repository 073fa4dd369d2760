using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Spike.Cpu;

/// <summary>
/// The CPU kernels' parallel loops: the calling thread plus <c>ProcessorCount − 1</c> long-lived workers that spin
/// for <see cref="SpinMilliseconds"/> after each loop before they block. A training step runs hundreds of short
/// parallel kernels back to back; with <see cref="Parallel.For(int, int, Action{int})"/> every one of them had to wake
/// a sleeping pool thread, and on a virtual machine a halted virtual CPU can take milliseconds to be scheduled again
/// (measured: the second half of a 1024³ SGEMM started 0.5–10 ms late, median wall time 25 ms against 14.5 ms with
/// spinning workers). Indices are claimed one at a time from a shared counter, so a worker that joins late simply
/// finds less to do, and the caller never waits for a worker that has not started.
/// Loops started from inside a loop body, or while another thread holds the team, run on the calling thread alone.
/// A participant stops claiming indices at its first exception; once the loop has finished, the first exception is
/// rethrown as itself.
/// </summary>
public static class WorkerTeam
{
    /// <summary>How long a worker keeps polling for the next loop before it blocks.</summary>
    public const int SpinMilliseconds = 2;

    const long Closed = 1L << 31;

    static readonly int Workers = Math.Max(0, Environment.ProcessorCount - 1);
    static readonly object Gate = new();
    static readonly long SpinTicks = Stopwatch.Frequency * SpinMilliseconds / 1000;

    static Action? _job;
    static ExceptionDispatchInfo? _error;
    /// <summary>Bumped once per loop; workers watch it.</summary>
    static long _generation;
    /// <summary>The current loop's generation (its low 32 bits, in the high half), whether it has closed to new workers (bit 31) and how
    /// many workers joined it (low bits).</summary>
    static long _entry;
    static int _finished;
    static int _sleepers;
    static int _busy;
    [ThreadStatic] static bool _inside;
    static bool _started;

    /// <summary>Threads a loop can use: the caller and the workers.</summary>
    public static int Size => Workers + 1;

    /// <summary>Calls <paramref name="body"/>(i) for every i in [from, to), in parallel.</summary>
    public static void For(int from, int to, Action<int> body)
    {
        if (to - from <= 1 || !TryEnter())
        {
            for (int i = from; i < to; i++) body(i);
            return;
        }
        int next = from;
        Run(() =>
        {
            for (int i = Interlocked.Increment(ref next) - 1; i < to; i = Interlocked.Increment(ref next) - 1) body(i);
        });
    }

    /// <summary>
    /// Calls <paramref name="body"/>(i, local) for every i in [from, to), in parallel. Each participating thread makes
    /// its own local with <paramref name="init"/> before its first index and hands the last one to
    /// <paramref name="done"/>. With <paramref name="parallel"/> false everything runs on the calling thread.
    /// </summary>
    public static void For<TLocal>(int from, int to, Func<TLocal> init, Func<int, TLocal, TLocal> body, Action<TLocal> done,
        bool parallel = true)
    {
        if (to <= from) return;
        int next = from;
        void Participate()
        {
            int i = Interlocked.Increment(ref next) - 1;
            if (i >= to) return;
            var local = init();
            for (; i < to; i = Interlocked.Increment(ref next) - 1) local = body(i, local);
            done(local);
        }
        if (parallel && to - from > 1 && TryEnter()) Run(Participate);
        else Participate();
    }

    /// <summary>Takes the team for one loop, unless this thread is already inside a loop body or another thread
    /// holds it (then the caller runs the loop alone), or there are no workers.</summary>
    static bool TryEnter()
    {
        if (Workers == 0 || _inside) return false;
        return Interlocked.CompareExchange(ref _busy, 1, 0) == 0;
    }

    /// <summary>Runs <paramref name="participant"/> on the caller and on every worker that joins before the caller
    /// finishes its share; returns once all who joined have finished.</summary>
    static void Run(Action participant)
    {
        try
        {
            EnsureStarted();
            _job = participant;
            _error = null;
            _finished = 0;
            long generation = _generation + 1;
            Volatile.Write(ref _entry, Tag(generation));
            Interlocked.Exchange(ref _generation, generation);   // a full fence: pairs with the sleepers' increment
            if (Volatile.Read(ref _sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);

            Participate(participant);

            long entry = Interlocked.Or(ref _entry, Closed);
            int joined = (int)(entry & (Closed - 1));
            var spin = new SpinWait();
            while (Volatile.Read(ref _finished) < joined) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            _error?.Throw();
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    static void Participate(Action participant)
    {
        _inside = true;
        try { participant(); }
        catch (Exception e) { Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null); }
        finally { _inside = false; }
    }

    static void EnsureStarted()
    {
        if (_started) return;
        _started = true;   // only ever reached by the thread holding the team
        long current = _generation;
        for (int w = 0; w < Workers; w++)
            new Thread(() => WorkerLoop(current)) { IsBackground = true, Name = $"Spike worker {w + 1}" }.Start();
    }

    static void WorkerLoop(long seen)
    {
        while (true)
        {
            seen = AwaitLoop(seen);
            if (!TryJoin(seen)) continue;
            Participate(_job!);
            Interlocked.Increment(ref _finished);
        }
    }

    /// <summary>Waits for a loop newer than <paramref name="seen"/>: polling for a while, then blocked.</summary>
    static long AwaitLoop(long seen)
    {
        long start = Stopwatch.GetTimestamp();
        long g;
        while ((g = Volatile.Read(ref _generation)) == seen)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks) { Thread.SpinWait(32); continue; }
            lock (Gate)
            {
                Interlocked.Increment(ref _sleepers);   // a full fence: pairs with the caller's generation bump
                while ((g = Volatile.Read(ref _generation)) == seen) Monitor.Wait(Gate);
                Interlocked.Decrement(ref _sleepers);
            }
            break;
        }
        return g;
    }

    /// <summary>A generation's low 32 bits in the high half of an entry (the count wraps after 2³² loops, not the tag).</summary>
    static long Tag(long generation) => (generation & 0xFFFF_FFFFL) << 32;

    /// <summary>The high half of an entry, where <see cref="Tag"/> puts the generation.</summary>
    const long TagBits = ~0xFFFF_FFFFL;

    /// <summary>Joins loop <paramref name="generation"/> if it is still the current one and open.</summary>
    static bool TryJoin(long generation)
    {
        while (true)
        {
            long entry = Volatile.Read(ref _entry);
            if ((entry & TagBits) != Tag(generation) || (entry & Closed) != 0) return false;
            if (Interlocked.CompareExchange(ref _entry, entry + 1, entry) == entry) return true;
        }
    }
}
