using System.Collections;

namespace Spike.Datasets;

/// <summary>A collated batch: inputs and Int64 labels <c>[N]</c>.</summary>
public readonly record struct Batch(Tensor X, Tensor Y);

/// <summary>Options of <see cref="DataLoader{TBatch}"/>.</summary>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="Shuffle">Draw a new permutation every epoch from (Seed, epoch).</param>
/// <param name="Seed">Shuffle seed: the same seed gives the same order of batches.</param>
/// <param name="DropLast">Drop the last batch when it is smaller than BatchSize.</param>
/// <param name="Workers">Background workers decoding batches; 0 decodes on the caller's thread.</param>
/// <param name="Prefetch">How many batches the workers may run ahead of the consumer (bounded queue).</param>
public sealed record DataLoaderOptions(int BatchSize = 1, bool Shuffle = false, int Seed = 0, bool DropLast = false, int Workers = 0, int Prefetch = 2);

/// <summary>
/// Iterates a dataset in batches (torch.utils.data.DataLoader). Batches come out in order whatever the number of
/// workers; with workers, at most <c>Prefetch</c> batches are decoded ahead. An exception in a worker is rethrown
/// to the consumer at that batch. Each enumeration is one epoch (<see cref="Epoch"/> advances).
/// </summary>
public sealed class DataLoader<TBatch>(IDataset dataset, Func<IReadOnlyList<Sample>, TBatch> collate, DataLoaderOptions options) : IEnumerable<TBatch>
{
    public IDataset Dataset { get; } = dataset;
    public DataLoaderOptions Options { get; } = Validate(options);
    /// <summary>The epoch the next enumeration uses (set it to replay an epoch's order).</summary>
    public int Epoch { get; set; }

    public int BatchCount => Options.DropLast ? Dataset.Count / Options.BatchSize : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    private static DataLoaderOptions Validate(DataLoaderOptions o)
    {
        if (o.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"DataLoader: batch size must be positive, got {o.BatchSize}");
        if (o.Workers < 0) throw new ArgumentOutOfRangeException(nameof(options), $"DataLoader: workers must be ≥ 0, got {o.Workers}");
        if (o.Prefetch <= 0) throw new ArgumentOutOfRangeException(nameof(options), $"DataLoader: prefetch must be positive, got {o.Prefetch}");
        return o;
    }

    /// <summary>The sample order of an epoch: identity, or a Fisher–Yates permutation seeded by (Seed, epoch).</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (Options.Shuffle) DatasetSplit.Shuffle(order, new Random(unchecked(Options.Seed * 1_000_003 + epoch)));
        return order;
    }

    public IEnumerator<TBatch> GetEnumerator()
    {
        var order = Order(Epoch++);
        int nb = BatchCount, bs = Options.BatchSize;
        TBatch Make(int b)
        {
            int start = b * bs, len = Math.Min(bs, order.Length - start);
            var samples = new Sample[len];
            for (int i = 0; i < len; i++) samples[i] = Dataset.Get(order[start + i]);
            return collate(samples);
        }
        return Options.Workers == 0 ? Sequential(nb, Make) : Prefetched(nb, Make);
    }

    private static IEnumerator<TBatch> Sequential(int nb, Func<int, TBatch> make)
    {
        for (int b = 0; b < nb; b++) yield return make(b);
    }

    private IEnumerator<TBatch> Prefetched(int nb, Func<int, TBatch> make)
    {
        var results = new TaskCompletionSource<TBatch>[nb];
        for (int b = 0; b < nb; b++) results[b] = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // slots bounds how far the workers run ahead: a worker takes a slot before claiming a batch, the consumer returns it after taking one.
        using var slots = new SemaphoreSlim(Options.Prefetch);
        using var cts = new CancellationTokenSource();
        int next = -1;
        void Work()
        {
            while (true)
            {
                try { slots.Wait(cts.Token); } catch (OperationCanceledException) { return; }
                int b = Interlocked.Increment(ref next);
                if (b >= nb) return;
                try { results[b].SetResult(make(b)); }
                catch (Exception e) { results[b].SetException(e); }
            }
        }
        var workers = new Task[Math.Min(Options.Workers, Math.Max(nb, 1))];
        for (int w = 0; w < workers.Length; w++) workers[w] = Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning);
        try
        {
            for (int b = 0; b < nb; b++)
            {
                var batch = results[b].Task.GetAwaiter().GetResult();
                results[b] = null!;
                slots.Release();
                yield return batch;
            }
        }
        finally
        {
            cts.Cancel();
            Task.WaitAll(workers);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Factory for the common loaders.</summary>
public static class DataLoader
{
    /// <summary>
    /// Batches by stacking samples: <c>[N, ...]</c>, or time-first <c>[T, N, ...]</c> when <paramref name="timeFirst"/>
    /// (samples <c>[T, ...]</c>, e.g. event frames <c>[T, 2, H, W]</c> → <c>[T, N, 2, H, W]</c>).
    /// </summary>
    public static DataLoader<Batch> Create(IDataset dataset, int batchSize, bool shuffle = false, int seed = 0, bool dropLast = false,
        int workers = 0, int prefetch = 2, bool timeFirst = false) =>
        new(dataset, s => Collate.Stack(s, timeFirst), new DataLoaderOptions(batchSize, shuffle, seed, dropLast, workers, prefetch));
}

/// <summary>Batch collation functions.</summary>
public static class Collate
{
    /// <summary>Stacks equal-shape samples to <c>[N, ...]</c> (or <c>[T, N, ...]</c> when timeFirst) with labels <c>[N]</c>.</summary>
    public static Batch Stack(IReadOnlyList<Sample> samples, bool timeFirst = false)
    {
        if (samples.Count == 0) throw new ArgumentException("Collate.Stack: empty batch");
        var first = samples[0].X;
        if (timeFirst && first.Rank == 0) throw new ArgumentException("Collate.Stack: time-first batches need samples [T, ...], got a 0-d tensor");
        // Time-first batches are written in place ([T, N, ...], sample i at [:, i]) rather than stacked and transposed.
        int[] shape = timeFirst ? [first.Shape[0], samples.Count, .. first.Shape[1..]] : [samples.Count, .. first.Shape];
        var x = Raw.Empty(shape, first.DType, first.Device);
        var y = new long[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i].X;
            if (s.DType != first.DType || !s.Shape.SequenceEqual(first.Shape))
                throw new ArgumentException($"Collate.Stack: sample {i} is {s.DType} [{string.Join(", ", s.Shape)}], sample 0 is {first.DType} [{string.Join(", ", first.Shape)}]");
            Raw.CopyInto(s, Raw.Select(x, timeFirst ? 1 : 0, i));
            y[i] = samples[i].Label;
        }
        return new Batch(x, Tensor.FromArray(y));
    }
}
