namespace Spike.Cpu;

/// <summary>Splits independent work items (pooling planes, batch-norm channels, loss positions) across threads
/// once the total work passes <see cref="Strided.ParallelThreshold"/>; below it everything stays on the caller.</summary>
internal static class NnParallel
{
    /// <summary>Calls body(start, end) over [0, count) in contiguous chunks; workPerItem is a rough element count.</summary>
    public static void For(int count, long workPerItem, Action<int, int> body)
    {
        if (count <= 0) return;
        if (count == 1 || (long)count * Math.Max(workPerItem, 1) < Strided.ParallelThreshold || Environment.ProcessorCount == 1)
        {
            body(0, count);
            return;
        }
        int parts = Math.Min(count, Environment.ProcessorCount * 4);
        WorkerTeam.For(0, parts, p =>
        {
            int a = (int)((long)count * p / parts), b = (int)((long)count * (p + 1) / parts);
            if (a < b) body(a, b);
        });
    }
}
