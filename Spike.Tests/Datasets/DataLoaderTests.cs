using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;

namespace Spike.Tests.Datasets;

public class DataLoaderTests
{
    // Sample i: X = [T=2, 3], x[t, c] = 10·t + i; label i % 3. Batches [N, T, 3]; time-first [T, N, 3].
    private static ListDataset Numbers(int n) => new(Enumerable.Range(0, n).Select(i =>
        new Sample(Tensor.FromArray(Enumerable.Range(0, 6).Select(k => (float)(10 * (k / 3) + i)).ToArray(), 2, 3), i % 3)).ToList());

    private static long[] FirstColumn(Batch b) => b.X.Select(1, 0).Select(1, 0).ToArray<float>().Select(v => (long)v).ToArray();

    [Test]
    public void BatchesInOrderWithRemainderOrDropLast()
    {
        var loader = DataLoader.Create(Numbers(7), batchSize: 3);
        loader.BatchCount.Should().Be(3);
        var batches = loader.ToList();
        batches.Select(b => b.X.Shape[0]).Should().Equal(3, 3, 1);
        batches[1].X.Shape.Should().Equal(3, 2, 3);
        batches[1].Y.ToArray<long>().Should().Equal(0, 1, 2);
        FirstColumn(batches[2]).Should().Equal(6);
        var dropped = DataLoader.Create(Numbers(7), batchSize: 3, dropLast: true).ToList();
        dropped.Should().HaveCount(2);
    }

    [Test]
    public void TimeFirstBatchesAreTransposed()
    {
        var b = DataLoader.Create(Numbers(4), batchSize: 4, timeFirst: true).First();
        b.X.Shape.Should().Equal(2, 4, 3);
        // x[t, n, c] = 10·t + n.
        b.X.ToArray<float>().Should().Equal(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13);
    }

    [Test]
    public void SeededShuffleIsAPermutationReproducibleAndNewEachEpoch()
    {
        long[] Epoch(DataLoader<Batch> l) => l.SelectMany(b => b.Y.Shape[0] == 0 ? [] : FirstColumnOf(b)).ToArray();
        static long[] FirstColumnOf(Batch b) => b.X.Select(0, 0).Select(1, 0).ToArray<float>().Select(v => (long)v).ToArray();
        var a = DataLoader.Create(Numbers(50), 8, shuffle: true, seed: 5, timeFirst: true);
        var b = DataLoader.Create(Numbers(50), 8, shuffle: true, seed: 5, timeFirst: true);
        var a0 = Epoch(a); var a1 = Epoch(a);
        a0.Order().Should().Equal(Enumerable.Range(0, 50).Select(i => (long)i));
        a0.Should().NotEqual(Enumerable.Range(0, 50).Select(i => (long)i));
        a1.Should().NotEqual(a0);
        Epoch(b).Should().Equal(a0);
        Epoch(b).Should().Equal(a1);
        Epoch(DataLoader.Create(Numbers(50), 8, shuffle: true, seed: 6, timeFirst: true)).Should().NotEqual(a0);
        a.Epoch = 0;
        Epoch(a).Should().Equal(a0);
    }

    [Test]
    public void WorkersGiveTheSameBatchesAndStayBounded()
    {
        int inFlight = 0, maxAhead = 0, consumed = 0;
        var ds = new CountingDataset(Numbers(40), () =>
        {
            int ahead = Interlocked.Increment(ref inFlight) - Volatile.Read(ref consumed);
            InterlockedMax(ref maxAhead, ahead);
        });
        var serial = DataLoader.Create(Numbers(40), 4, shuffle: true, seed: 1).Select(FirstColumn).ToList();
        var loader = new DataLoader<Batch>(ds, s => Collate.Stack(s), new DataLoaderOptions(4, Shuffle: true, Seed: 1, Workers: 3, Prefetch: 2));
        var parallel = new List<long[]>();
        foreach (var b in loader)
        {
            parallel.Add(FirstColumn(b));
            Interlocked.Add(ref consumed, b.X.Shape[0]);
            Thread.Sleep(2);
        }
        parallel.Should().BeEquivalentTo(serial, o => o.WithStrictOrdering());
        // Workers may be at most Prefetch batches (8 samples) beyond the batches handed out.
        maxAhead.Should().BeLessThanOrEqualTo(2 * 4 + 4);
    }

    [Test]
    public void WorkerExceptionReachesTheConsumerAndEarlyExitStopsWorkers()
    {
        var ds = new CountingDataset(Numbers(20), () => { }, failAt: 13);
        var loader = new DataLoader<Batch>(ds, s => Collate.Stack(s), new DataLoaderOptions(4, Workers: 2));
        var seen = new List<int>();
        FluentActions.Invoking(() => { foreach (var b in loader) seen.Add(b.X.Shape[0]); })
            .Should().Throw<InvalidOperationException>().WithMessage("*sample 13*");
        seen.Should().HaveCount(3);
        // Leaving after one batch must not hang.
        new DataLoader<Batch>(Numbers(400), s => Collate.Stack(s), new DataLoaderOptions(2, Workers: 2)).Take(1).Should().HaveCount(1);
    }

    [Test]
    public void TransformsApplyPerSample()
    {
        var ds = Numbers(3).WithTransform(x => Raw.Binary(BinaryOp.Mul, x, Raw.ScalarFor(2, x)), y => y + 10);
        ds.Get(1).X.ToArray<float>().Should().Equal(2, 2, 2, 22, 22, 22);
        ds.LabelOf(2).Should().Be(12);
        DataLoader.Create(ds, 3).Single().Y.ToArray<long>().Should().Equal(10, 11, 12);
    }

    [Test]
    public void StackRejectsMixedShapes()
    {
        var s = new List<Sample> { new(Tensor.Zeros(2, 3), 0), new(Tensor.Zeros(3, 3), 1) };
        FluentActions.Invoking(() => Collate.Stack(s)).Should().Throw<ArgumentException>().WithMessage("*sample 1*[3, 3]*[2, 3]*");
        FluentActions.Invoking(() => DataLoader.Create(Numbers(1), 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*batch size*");
    }

    private static void InterlockedMax(ref int target, int v)
    {
        int cur;
        while (v > (cur = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, v, cur) != cur) { }
    }

    private sealed class CountingDataset(IDataset inner, Action onGet, int failAt = -1) : IDataset
    {
        public int Count => inner.Count;
        public Sample Get(int index)
        {
            if (index == failAt) throw new InvalidOperationException($"cannot decode sample {index}");
            onGet();
            return inner.Get(index);
        }
    }
}

public class SplitAndSequenceTests
{
    [Test]
    public void SplitIsPerClassWithCeil()
    {
        // Labels: class 0 at 0,3,6,9 (4), class 1 at 1,4,7 (3), class 2 at 2,5,8 (3). ratio 0.5 → ceil: 2, 2, 2 to train.
        var ds = new ListDataset(Enumerable.Range(0, 10).Select(i => new Sample(Tensor.Zeros(1), i % 3)).ToList());
        var (train, test) = DatasetSplit.ToTrainTest(ds, 0.5, 3);
        train.Indices.Should().Equal(0, 3, 1, 4, 2, 5);
        test.Indices.Should().Equal(6, 9, 7, 8);
        var (rtrain, rtest) = DatasetSplit.ToTrainTest(ds, 0.5, 3, randomSplit: true, seed: 4);
        rtrain.Indices.Concat(rtest.Indices).Order().Should().Equal(Enumerable.Range(0, 10));
        rtrain.Indices.Select(i => i % 3).Should().Equal(0, 0, 1, 1, 2, 2);
        DatasetSplit.ToTrainTest(ds, 0.5, 3, true, 4).Train.Indices.Should().Equal(rtrain.Indices);
        FluentActions.Invoking(() => DatasetSplit.ToTrainTest(ds, 0.5, 2)).Should().Throw<ArgumentException>().WithMessage("*sample 2 has label 2*");
    }

    [Test]
    public void PadCollateAndMask()
    {
        var batch = new List<Sample> { new(Tensor.FromArray(new long[] { 1, 2 }, 2, 1), 5), new(Tensor.FromArray(new long[] { 7, 8, 9 }, 3, 1), 6) };
        var (x, y, len) = Sequences.PadSequenceCollate(batch);
        x.Shape.Should().Equal(2, 3, 1);
        x.ToArray<long>().Should().Equal(1, 2, 0, 7, 8, 9);
        y.ToArray<long>().Should().Equal(5, 6);
        Sequences.PaddedSequenceMask(len).ToArray<bool>().Should().Equal(true, true, true, true, false, true);
        batch.Add(new Sample(Tensor.Zeros(2, 2), 0));
        FluentActions.Invoking(() => Sequences.PadSequenceCollate(batch)).Should().Throw<ArgumentException>().WithMessage("*sample 2*");
    }

    [Test]
    public void RandomTemporalDeleteTimeFirst()
    {
        // x[t, c] = t; keep 3 of 8.
        var x = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => (float)(i / 2)).ToArray(), 8, 2);
        var rtd = new RandomTemporalDelete(3, batchFirst: false, seed: 11);
        var y = rtd.Apply(x).ToArray<float>();
        y.Length.Should().Be(6);
        var kept = new[] { y[0], y[2], y[4] };
        kept.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        new[] { y[1], y[3], y[5] }.Should().Equal(kept);
        FluentActions.Invoking(() => rtd.Apply(Tensor.Zeros(2, 2))).Should().Throw<ArgumentException>().WithMessage("*keep 3 of 2*");
        // Every 3-subset of 8 should eventually appear as a draw; 2000 draws hit the 56 subsets.
        var seen = new HashSet<string>();
        for (int i = 0; i < 2000; i++) seen.Add(string.Join(",", rtd.DrawIndices(8)));
        seen.Should().HaveCount(56);
    }

    [Test]
    public void FrameCacheBuildsOnceAndLoadsAsFolderDataset()
    {
        var root = Path.Combine(Path.GetTempPath(), "spike-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var src = Path.Combine(root, "raw");
            foreach (var cls in new[] { "0", "1" })
            {
                Directory.CreateDirectory(Path.Combine(src, cls));
                // Class c: 3 + c events at (x=c, y=0), p alternating.
                int n = 3 + int.Parse(cls);
                var ev = new EventStream(Enumerable.Range(0, n).Select(i => (long)i * 10).ToArray(), Enumerable.Repeat(int.Parse(cls), n).ToArray(),
                    new int[n], Enumerable.Range(0, n).Select(i => (byte)(i % 2)).ToArray());
                File.WriteAllBytes(Path.Combine(src, cls, "a.bin"), Spike.Datasets.Formats.AtisBin.Encode(ev));
            }
            var cache = Path.Combine(root, "frames");
            var opts = new FrameOptions(FramesNumber: 2);
            var reports = new List<DatasetProgress>();
            int written = FrameCache.Build(src, cache, "*.bin", f => Spike.Datasets.Formats.AtisBin.Read(f, 34, 34), 34, 34, opts, new SyncProgress(reports));
            written.Should().Be(2);
            reports.Select(r => r.Done).Order().Should().Equal(1, 2);
            reports.Should().OnlyContain(r => r.Stage == "frames" && r.Total == 2);
            FrameCache.Build(src, cache, "*.bin", f => throw new InvalidOperationException("should be cached"), 34, 34, opts).Should().Be(0);
            var ds = new FrameFolderDataset(cache);
            ds.Classes.Should().Equal("0", "1");
            var s = ds.Get(1);
            s.Label.Should().Be(1);
            s.X.Shape.Should().Equal(2, 2, 34, 34);
            // 4 events split 2/2; frame 0: p=0,1 at x=1 → ch0[0,1] = 1, ch1[0,1] = 1.
            var v = s.X.ToArray<float>();
            v.Sum().Should().Be(4);
            v[1].Should().Be(1);
            v[34 * 34 + 1].Should().Be(1);
            opts.FolderName.Should().Be("frames_number_2_split_by_number");
            // A custom integration: one frame of all events, cached under its own name.
            var custom = new FrameOptions(Custom: (e, h, w) => EventFrames.Segment(e, h, w, 0, e.Count).Unsqueeze(0), CustomName: "whole");
            FrameCache.Build(src, Path.Combine(root, custom.FolderName), "*.bin", f => Spike.Datasets.Formats.AtisBin.Read(f), 34, 34, custom).Should().Be(2);
            new FrameFolderDataset(Path.Combine(root, "whole")).Get(0).X.Shape.Should().Equal(1, 2, 34, 34);
            FluentActions.Invoking(() => new FrameOptions(Custom: (e, h, w) => Tensor.Zeros(1)).FolderName).Should().Throw<ArgumentException>().WithMessage("*CustomName*");
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
    }
}
