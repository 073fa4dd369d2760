using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;

namespace Spike.Tests.Datasets;

public class EventFramesTests
{
    internal static string FixturePath(string rel)
    {
        for (var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "fixtures", rel);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("fixture shared/fixtures/" + rel + " not found above " + TestContext.CurrentContext.TestDirectory);
    }

    [Test]
    public void RealNMnistRecordingDecodes()
    {
        var ev = AtisBin.Read(FixturePath("nmnist/sample_nmnist.bin"), 34, 34);
        ev.Count.Should().Be(4325);
        ev.X.Max().Should().BeLessThan(34);
        ev.Y.Max().Should().BeLessThan(34);
        // First event bytes 07 0f 80 02 8e: x=7, y=15, p=1, t=(0x00<<16)|(0x02<<8)|0x8e = 654.
        (ev.X[0], ev.Y[0], ev.P[0], ev.T[0]).Should().Be((7, 15, (byte)1, 654L));
        // Second event 13 12 00 0b b7: x=19, y=18, p=0, t=0x0bb7=2999.
        (ev.X[1], ev.Y[1], ev.P[1], ev.T[1]).Should().Be((19, 18, (byte)0, 2999L));
        ev.T[^1].Should().Be(311175);
        ev.P.Count(p => p == 1).Should().Be(2145);
        for (int i = 1; i < ev.Count; i++) ev.T[i].Should().BeGreaterThanOrEqualTo(ev.T[i - 1]);
    }

    [Test]
    public void AtisRejectsOutOfRangeAndTruncated()
    {
        var bytes = File.ReadAllBytes(FixturePath("nmnist/sample_nmnist.bin"))[..50];
        bytes[21] = 34; // y of event 4 (byte 20 + 1)
        FluentActions.Invoking(() => AtisBin.Parse(bytes, "n.bin", 34, 34)).Should().Throw<DatasetFormatException>()
            .WithMessage("n.bin: at byte 21: event 4: y = 34 is outside the sensor height 34").Which.Offset.Should().Be(21);
        AtisBin.Parse(bytes, "n.bin").Y[4].Should().Be(34); // no sensor given: accepted
        FluentActions.Invoking(() => AtisBin.Parse(bytes[..48], "n.bin")).Should().Throw<DatasetFormatException>().WithMessage("n.bin: at byte 45: truncated*");
    }

    [Test]
    public void FromFileIntegratesAllEventsOfTheRecording()
    {
        var path = FixturePath("nmnist/sample_nmnist.bin");
        foreach (var split in new[] { SplitBy.Number, SplitBy.Time })
        {
            var f = EventFrames.FromFile(EventFormat.NMnist, path, 10, split);
            f.Shape.Should().Equal(10, 2, 34, 34);
            f.DType.Should().Be(DType.Float32);
            var v = f.ToArray<float>();
            v.Sum().Should().Be(4325);
            // Channel 1 of every frame counts the ON events: 2145 in total.
            float on = 0;
            for (int m = 0; m < 10; m++) on += v.AsSpan(m * 2 * 34 * 34 + 34 * 34, 34 * 34).ToArray().Sum();
            on.Should().Be(2145);
        }
        // By number: frames 0..8 hold 432 events each, the last 4325 - 9·432 = 437.
        var byNumber = EventFrames.FromFile(EventFormat.NMnist, path, 10, SplitBy.Number).ToArray<float>();
        for (int m = 0; m < 10; m++)
            byNumber.AsSpan(m * 2312, 2312).ToArray().Sum().Should().Be(m < 9 ? 432 : 437);
    }

    [Test]
    public void RealRecordingMatchesALiteralTranscriptionOfSpikingJelly()
    {
        // The reference below transcribes cal_fixed_frames_number_segment_index + integrate_events_segment_to_frame
        // statement by statement (masks over all events, bincount per channel), in Float64.
        var ev = AtisBin.Read(FixturePath("nmnist/sample_nmnist.bin"), 34, 34);
        int n = ev.Count;
        foreach (int m in new[] { 1, 3, 10, 16 })
            foreach (var split in new[] { SplitBy.Number, SplitBy.Time })
            {
                var jl = new long[m]; var jr = new long[m];
                if (split == SplitBy.Number)
                {
                    long di = n / m;
                    for (int i = 0; i < m; i++) { jl[i] = i * di; jr[i] = jl[i] + di; }
                }
                else
                {
                    long dt = (ev.T[^1] - ev.T[0]) / m;
                    for (int i = 0; i < m; i++)
                    {
                        long tl = dt * i + ev.T[0], tr = tl + dt;
                        var idx = Enumerable.Range(0, n).Where(k => ev.T[k] >= tl && ev.T[k] < tr).ToArray();
                        jl[i] = idx[0]; jr[i] = idx[^1] + 1;
                    }
                }
                jr[m - 1] = n;
                var expected = new double[m * 2 * 34 * 34];
                for (int i = 0; i < m; i++)
                    for (long k = jl[i]; k < jr[i]; k++)
                        expected[i * 2312 + (ev.P[k] == 0 ? 0 : 1156) + ev.Y[k] * 34 + ev.X[k]] += 1;
                var actual = EventFrames.FromFile(EventFormat.NMnist, FixturePath("nmnist/sample_nmnist.bin"), m, split);
                actual.ToArray<float>().Select(v => (double)v).ToArray().Should().Equal(expected, $"M={m}, split by {split}");
            }
    }

    [Test]
    public void SegmentUsesPythonSliceRules()
    {
        // 3 events on a 2×2 sensor; independent expectations written out by hand.
        var ev = new EventStream([0, 1, 2], [0, 1, 1], [0, 0, 1], [0, 1, 1]);
        EventFrames.Segment(ev, 2, 2).ToArray<float>().Should().Equal(1, 0, 0, 0, /* ch1 */ 0, 1, 0, 0); // drops the last event
        EventFrames.Segment(ev, 2, 2, 0, 3).ToArray<float>().Should().Equal(1, 0, 0, 0, 0, 1, 0, 1);
        EventFrames.Segment(ev, 2, 2, -2, 100).ToArray<float>().Should().Equal(0, 0, 0, 0, 0, 1, 0, 1);
        EventFrames.Segment(ev, 2, 2, 2, 1).ToArray<float>().Should().AllBeEquivalentTo(0f);
        var bad = new EventStream([0], [2], [0], [0]);
        FluentActions.Invoking(() => EventFrames.Segment(bad, 2, 2, 0, 1)).Should().Throw<ArgumentException>().WithMessage("*x=2*2×2*");
    }

    [Test]
    public void TimeSplitWithEmptyWindowGivesEmptyFrame()
    {
        // t = 0, 1, 9, 10 with M = 5: dt = 2; windows [0,2) [2,4) [4,6) [6,8) [8,10) → events {0,1}, {}, {}, {}, {2}, and the
        // last frame runs to N so it also takes t = 10.
        var (jl, jr) = EventFrames.FixedFramesNumberIndex([0, 1, 9, 10], SplitBy.Time, 5);
        jl.Should().Equal(0, 2, 2, 2, 2);
        jr.Should().Equal(2, 2, 2, 2, 4);
        // Fewer events than frames by number: di = 0, every frame empty but the last, which takes all.
        var (nl, nr) = EventFrames.FixedFramesNumberIndex([5, 6], SplitBy.Number, 3);
        nl.Should().Equal(0, 0, 0);
        nr.Should().Equal(0, 0, 2);
    }

    [Test]
    public void FixedDurationIsInclusive()
    {
        EventFrames.FixedDurationIndex([0, 5, 10, 11, 30], 10).Should().Equal((0, 3), (3, 4), (4, 5));
        EventFrames.FixedDurationIndex([], 10).Should().BeEmpty();
        EventFrames.ByFixedDuration(EventStream.Empty, 10, 3, 4).Shape.Should().Equal(0, 2, 3, 4);
    }
}
