using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;

namespace Spike.Tests.Core;

/// <summary>Copies with non-temporal stores: every alignment and length, other element sizes, overlap, and the
/// large contiguous tensor copies that take this path.</summary>
public class StreamingCopyTests
{
    [Test]
    public void CopiesAtEveryAlignmentAndLength()
    {
        var src = Enumerable.Range(0, 1000).Select(i => i * 0.5f).ToArray();
        for (int offset = 0; offset < 20; offset++)
            for (int length = 0; length < 200; length += 7)
            {
                var dst = new float[length + 40];
                StreamingCopy.Copy<float>(src.AsSpan(3, length), dst.AsSpan(offset, length));
                dst.AsSpan(offset, length).SequenceEqual(src.AsSpan(3, length)).Should().BeTrue($"offset {offset}, length {length}");
                dst.AsSpan(0, offset).ToArray().Should().AllBeEquivalentTo(0f);
                dst.AsSpan(offset + length).ToArray().Should().AllBeEquivalentTo(0f);
            }
    }

    [Test]
    public void CopiesOtherElementSizesAndOverlappingSpans()
    {
        var bytes = Enumerable.Range(0, 301).Select(i => (byte)(i * 7)).ToArray();
        var b = new byte[310];
        StreamingCopy.Copy<byte>(bytes, b.AsSpan(5, 301));
        b.AsSpan(5, 301).SequenceEqual(bytes).Should().BeTrue();
        var doubles = Enumerable.Range(0, 99).Select(i => i * 1.25).ToArray();
        var d = new double[99];
        StreamingCopy.Copy<double>(doubles, d);
        d.Should().Equal(doubles);
        // Overlap: shifted right by three, as memmove would.
        var shifted = Enumerable.Range(0, 200).Select(i => (float)i).ToArray();
        StreamingCopy.Copy<float>(shifted.AsSpan(0, 190), shifted.AsSpan(3, 190));
        shifted.Skip(3).Take(190).Should().Equal(Enumerable.Range(0, 190).Select(i => (float)i));
    }

    [Test]
    public void LargeTensorCopiesAreExact()
    {
        // 40 MB: above StreamingCopy.MinBytes, so Contiguous and Clone stream, split across the worker team.
        var x = Tensor.Randn([10_000_003], new Generator(9));
        var copy = x.Clone();
        copy.ToArray<float>().AsSpan().SequenceEqual(x.ToArray<float>()).Should().BeTrue();
        var t = Tensor.Randn([3163, 3163], new Generator(10));
        var tt = Raw.Contiguous(Raw.Transpose(Raw.Transpose(t, 0, 1), 0, 1));
        tt.ToArray<float>().AsSpan().SequenceEqual(t.ToArray<float>()).Should().BeTrue();
        var offsetView = Raw.Contiguous(Raw.Narrow(x, 0, 5, 9_000_000));
        offsetView.ToArray<float>().AsSpan().SequenceEqual(x.ToArray<float>().AsSpan(5, 9_000_000)).Should().BeTrue();
    }
}
