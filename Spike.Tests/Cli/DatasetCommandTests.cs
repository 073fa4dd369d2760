using FluentAssertions;
using NUnit.Framework;
using Spike.Datasets;
using Spike.Datasets.Formats;
using Spike.Tests.Datasets;

namespace Spike.Tests.Cli;

public class DatasetCommandTests
{
    [Test]
    public void FramesCommandWritesTheLibrarysFramesAsNpy()
    {
        var input = EventFramesTests.FixturePath("nmnist/sample_nmnist.bin");
        var output = Path.Combine(Path.GetTempPath(), $"frames-{Guid.NewGuid():N}.npy");
        try
        {
            Spike.Cli.Commands.Run(["dataset", "frames", "--format", "nmnist", "--input", input, "--frames", "8", "--split-by", "time", "--out", output])
                .Should().Be(0);
            var written = Npy.Read(output);
            written.Shape.Should().Equal(8, 2, 34, 34);
            written.ToArray<float>().Should().Equal(EventFrames.FromFile(EventFormat.NMnist, input, 8, SplitBy.Time).ToArray<float>());
            // The real recording's 4325 events all land in some frame.
            written.ToArray<float>().Sum().Should().Be(4325);
            Spike.Cli.Commands.Run(["dataset", "frames", "--format", "nope", "--input", input, "--frames", "8", "--out", output]).Should().Be(1);
        }
        finally { File.Delete(output); }
    }
}
