using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;

namespace Spike.Tests.Core;

/// <summary>The CPU kernels' parallel loops: every index once, thread-local state, nesting, concurrent callers and
/// errors.</summary>
public class WorkerTeamTests
{
    [Test]
    public void EveryIndexRunsExactlyOnce()
    {
        for (int round = 0; round < 50; round++)
        {
            var hits = new int[1000 + round];
            WorkerTeam.For(3, hits.Length, i => Interlocked.Increment(ref hits[i]));
            hits.Take(3).Should().AllBeEquivalentTo(0);
            hits.Skip(3).Should().AllBeEquivalentTo(1, $"round {round}");
        }
    }

    [Test]
    public void LocalStateIsMadeOncePerParticipantAndHandedBack()
    {
        var sums = new List<long>();
        int made = 0;
        WorkerTeam.For(0, 10_000, () => { Interlocked.Increment(ref made); return 0L; }, (i, local) => local + i,
            local => { lock (sums) sums.Add(local); });
        sums.Sum().Should().Be(10_000L * 9_999 / 2);
        made.Should().Be(sums.Count).And.BeInRange(1, WorkerTeam.Size);
        // Serial: one local, on the calling thread.
        var serial = new List<(long, int)>();
        WorkerTeam.For(0, 100, () => 0L, (i, local) => local + i, local => serial.Add((local, Environment.CurrentManagedThreadId)), parallel: false);
        serial.Should().Equal((4950L, Environment.CurrentManagedThreadId));
    }

    [Test]
    public void NestedLoopsAndConcurrentCallersComplete()
    {
        var outer = new long[64];
        var callers = Enumerable.Range(0, 3).Select(c => Task.Run(() =>
        {
            for (int r = 0; r < 20; r++)
                WorkerTeam.For(0, 16, o =>
                {
                    long inner = 0;
                    WorkerTeam.For(0, 100, i => Interlocked.Add(ref inner, i));
                    Interlocked.Add(ref outer[c * 16 + o], inner);
                });
        })).ToArray();
        Task.WaitAll(callers, TimeSpan.FromMinutes(1)).Should().BeTrue("no caller may hang");
        outer.Take(48).Should().AllBeEquivalentTo(20L * 4950);
    }

    [Test]
    public void TheFirstErrorIsRethrownAsItselfAfterTheLoop()
    {
        int ran = 0;
        FluentActions.Invoking(() => WorkerTeam.For(0, 1000, i =>
        {
            Interlocked.Increment(ref ran);
            if (i == 500) throw new InvalidOperationException("kernel: index 500");
        })).Should().Throw<InvalidOperationException>().WithMessage("kernel: index 500");
        ran.Should().BeInRange(501, 1000);   // a participant stops at its error; the others finish their claims
        // The team is usable again.
        long total = 0;
        WorkerTeam.For(0, 100, i => Interlocked.Add(ref total, i));
        total.Should().Be(4950);
    }
}
