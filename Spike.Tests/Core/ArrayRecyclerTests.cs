using System.Runtime.CompilerServices;
using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;
using Spike.Nn;

namespace Spike.Tests.Core;

/// <summary>The caching allocator behind large tensors: dead arrays come back, reachable ones never do, and a training
/// loop stops allocating large arrays once it has run a few steps.</summary>
public class ArrayRecyclerTests
{
    // Lengths no other test uses, so free arrays of other tests cannot answer these requests.
    const int Length = 262_147, OtherLength = 262_151;

    /// <summary>Allocates, marks and drops an array; returns its identity hash (kept in the object's header, so only the
    /// same object has it again).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int MarkAndDrop(Func<int, float[]> rent, int length)
    {
        var a = rent(length);
        a.AsSpan().Fill(7f);
        return RuntimeHelpers.GetHashCode(a);
    }

    static void CollectDeadArrays()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    [Test]
    public void ADeadArrayIsHandedOutAgain()
    {
        int id = MarkAndDrop(LargeArrays.Uninitialized, Length);
        CollectDeadArrays();
        LargeArrays.CachedBytes.Should().BeGreaterThanOrEqualTo(Length * sizeof(float));
        var again = LargeArrays.Uninitialized(Length);
        RuntimeHelpers.GetHashCode(again).Should().Be(id);
        again.Should().OnlyContain(v => v == 7f, "an uninitialized request keeps what the previous user left");
    }

    [Test]
    public void AZeroedRequestClearsTheRecycledArray()
    {
        int id = MarkAndDrop(LargeArrays.Zeroed<float>, Length);
        CollectDeadArrays();
        var again = LargeArrays.Zeroed<float>(Length);
        RuntimeHelpers.GetHashCode(again).Should().Be(id);
        again.Should().OnlyContain(v => v == 0f);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static float[] RawArrayOfADroppedTensor()
    {
        var t = Tensor.Zeros([OtherLength]);
        return ((CpuStorage)t.Storage).As<float>();
    }

    [Test]
    public void AnArrayStillHeldIsNeverHandedOut()
    {
        // A backward closure or a kernel can hold a tensor's raw array after the tensor itself is gone.
        var held = RawArrayOfADroppedTensor();
        held.AsSpan().Fill(3f);
        CollectDeadArrays();
        var others = Enumerable.Range(0, 3).Select(_ => LargeArrays.Uninitialized(OtherLength)).ToArray();
        foreach (var o in others)
        {
            o.Should().NotBeSameAs(held);
            o.AsSpan().Fill(-1f);
        }
        held.Should().OnlyContain(v => v == 3f);
        GC.KeepAlive(held);
    }

    [Test]
    public void ConcurrentUsersNeverShareAnArray()
    {
        // Four threads keep a few arrays each, mark them with their own stamp and check the stamp before letting go,
        // while enough bytes flow for the allocator to collect and recycle many times.
        var failures = new int[4];
        var threads = Enumerable.Range(0, 4).Select(id => new Thread(() =>
        {
            var mine = new Queue<(float[] Array, float Stamp)>();
            for (int i = 0; i < 300; i++)
            {
                var a = LargeArrays.Uninitialized(Length + id);
                float stamp = id * 1000 + i;
                a.AsSpan().Fill(stamp);
                mine.Enqueue((a, stamp));
                if (mine.Count > 3)
                {
                    var (old, oldStamp) = mine.Dequeue();
                    if (old.Any(v => v != oldStamp)) failures[id]++;
                }
            }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        failures.Should().AllBeEquivalentTo(0);
    }

    [Test]
    public void ReleaseCachedEmptiesTheCache()
    {
        MarkAndDrop(LargeArrays.Uninitialized, Length);
        CollectDeadArrays();
        LargeArrays.CachedBytes.Should().BePositive();
        LargeArrays.ReleaseCached();
        LargeArrays.CachedBytes.Should().Be(0);
    }

    [Test]
    public void ATrainingLoopStopsAllocatingLargeArrays()
    {
        // Multi-step LIF MLP whose activations are 1 MiB each: every step makes dozens of large tensors.
        var g = new Generator(3);
        var net = new Sequential(
            new Linear(1024, 1024, generator: g), new LifNode(stepMode: StepMode.Multi),
            new Linear(1024, 10, generator: g), new LifNode(stepMode: StepMode.Multi));
        var optimizer = new Adam(net.Parameters(), lr: 1e-3);
        var x = Tensor.Rand([8, 32, 1024], g);
        var target = Tensor.Rand([32, 10], g);
        void Step()
        {
            optimizer.ZeroGrad();
            net.Forward(x).Mean(0).MseLoss(target).Backward();
            optimizer.Step();
            Functional.ResetNet(net);
        }
        for (int i = 0; i < 60; i++) Step();   // until the cache holds a step's arrays and those freed between collections
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 5; i++) Step();
        long perStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / 5;
        TestContext.Out.WriteLine($"{perStep} bytes allocated per step");
        // A step makes more than ten 1 MiB tensors (linear output, spikes, membrane history, their gradients): about
        // 10 MB per step without the cache. What is left is the graph's small objects.
        perStep.Should().BeLessThan(1 << 20);
    }
}
