using FluentAssertions;
using NUnit.Framework;
using Spike.Cpu;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>kernels/reduce.cu (shared-memory block reductions, run with real threads per block) and kernels/random.cu
/// (Philox, bit-exact with Spike.Tensor/Philox.cs) on the host.</summary>
public class HostReduceRandomTests
{
    // Two blocks of 64 threads for 5 rows: blocks loop over rows, threads over columns, then a tree over 64 partials.
    static readonly (int, int, bool) Coop = (2, 64, true);

    static float[] Rows(int outer, int inner, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, outer * inner).Select(_ => (float)(r.NextDouble() * 8 - 4)).ToArray();
    }

    [TestCase(5, 1000)]
    [TestCase(5, 3)]
    [TestCase(1, 64)]
    public void RowReductionsMatchFloat64Loops(int outer, int inner)
    {
        var lib = HostKernels.For("reduce.cu");
        var x = Rows(outer, inner, outer * 31 + inner);
        foreach (var (kernel, reference) in new (string, Func<IEnumerable<double>, double>)[]
                 { ("sum", v => v.Sum()), ("max", v => v.Max()), ("min", v => v.Min()) })
        {
            var d = new float[outer];
            var op = kernel == "sum" ? ReduceOp.Sum : kernel == "max" ? ReduceOp.Max : ReduceOp.Min;
            lib.Run("reduce_rows_f32", Coop, (int)op, (long)outer, (long)inner, x, d);
            for (int r = 0; r < outer; r++)
            {
                double expected = reference(x.Skip(r * inner).Take(inner).Select(v => (double)v));
                ((double)d[r]).Should().BeApproximately(expected, 1e-6 * (1 + Math.Sqrt(inner) * 4), $"{kernel} row {r}");
            }
        }
        // The CPU backend's row sum agrees too.
        var cpu = Raw.Empty([outer], DType.Float32, Device.Cpu);
        var sum = new float[outer];
        lib.Run("reduce_rows_f32", Coop, (int)ReduceOp.Sum, (long)outer, (long)inner, x, sum);
        CpuBackend.Instance.Reduce(ReduceOp.Sum, Tensor.FromArray(x, outer, inner), cpu);
        sum.ShouldBeClose(cpu.ToArray<float>(), 1e-4f); // float32 sums in different orders: ~1e-7·Σ|x| apart
    }

    [Test]
    public void SoftmaxRowsMatchFloat64AndSumToOne()
    {
        var lib = HostKernels.For("softmax.cu");
        const int outer = 4, inner = 300;
        var x = Rows(outer, inner, 3);
        x[7] = 80f; // large logits must not overflow: the row max is subtracted first
        var soft = new float[x.Length];
        var logSoft = new float[x.Length];
        lib.Run("softmax_rows_f32", Coop, 0, (long)outer, (long)inner, x, soft);
        lib.Run("softmax_rows_f32", Coop, 1, (long)outer, (long)inner, x, logSoft);
        for (int r = 0; r < outer; r++)
        {
            var row = x.Skip(r * inner).Take(inner).Select(v => (double)v).ToArray();
            double m = row.Max(), lse = m + Math.Log(row.Sum(v => Math.Exp(v - m)));
            for (int j = 0; j < inner; j++)
            {
                ((double)soft[r * inner + j]).Should().BeApproximately(Math.Exp(row[j] - lse), 1e-7 + 1e-5 * Math.Exp(row[j] - lse));
                ((double)logSoft[r * inner + j]).Should().BeApproximately(row[j] - lse, 2e-5 * (1 + Math.Abs(row[j] - lse)));
            }
            soft.Skip(r * inner).Take(inner).Sum().Should().BeApproximately(1f, 1e-5f);
        }
    }

    [Test]
    public void SyncthreadsInASequentialLaunchIsReportedNotHung()
    {
        var lib = HostKernels.For("reduce.cu");
        var act = () => lib.Run("reduce_rows_f32", (1, 4, false), (int)ReduceOp.Sum, 1L, 4L, new float[4], new float[1]);
        act.Should().Throw<InvalidOperationException>().WithMessage("*__syncthreads in a sequential launch*");
    }

    [Test]
    public void PhiloxWordsAreBitIdenticalToPhiloxCs()
    {
        var lib = HostKernels.For("random.cu");
        foreach (var (seed, offset, stream) in new (ulong, ulong, ulong)[] { (0, 0, 0), (42, 1000, 0), (0xDEADBEEFCAFEF00D, (1UL << 32) - 50, 7), (1, ulong.MaxValue - 40, 1UL << 40) })
        {
            const int n = 100;
            var words = new uint[4 * n];
            lib.Run("philox_u32", (2, 16, false), (long)n, seed, offset, stream, words);
            for (int i = 0; i < n; i++)
            {
                var (a, b, c, d) = Philox.Generate(seed, unchecked(offset + (ulong)i), stream);
                words.AsSpan(4 * i, 4).ToArray().Should().Equal([a, b, c, d], $"seed {seed} counter {offset}+{i} stream {stream}");
            }
        }
        // A published known-answer vector of Philox4x32-10 (Random123 kat_vectors: counter 0, key 0).
        Philox.Generate(0, 0).Should().Be((0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u));
    }

    [Test]
    public void UniformNormalAndBernoulliMatchTheCpuBackend()
    {
        var lib = HostKernels.For("random.cu");
        const int n = 777;
        const ulong seed = 1234, offset = 99;
        var gpu = new float[n];
        var cpu = Raw.Empty([n], DType.Float32, Device.Cpu);

        lib.Run("uniform_f32", (4, 32, false), (long)n, seed, offset, -2.0, 3.0, gpu);
        CpuBackend.Instance.Random(RandomKind.Uniform, cpu, seed, offset, -2.0, 3.0);
        gpu.Should().Equal(cpu.ToArray<float>(), "uniform draws are bit-identical");

        lib.Run("bernoulli_f32", (4, 32, false), (long)n, seed, offset, 0.3, gpu);
        CpuBackend.Instance.Random(RandomKind.Bernoulli, cpu, seed, offset, 0.3, 0);
        gpu.Should().Equal(cpu.ToArray<float>());
        gpu.Count(v => v == 1).Should().BeInRange(180, 290);

        lib.Run("normal_f32", (4, 32, false), (long)n, seed, offset, 0.5, 2.0, gpu);
        CpuBackend.Instance.Random(RandomKind.Normal, cpu, seed, offset, 0.5, 2.0);
        gpu.ShouldBeClose(cpu.ToArray<float>(), 1e-6f);
    }

    [Test]
    public void PoissonEncodeFiresWhenUniformIsAtMostTheRate()
    {
        var lib = HostKernels.For("random.cu");
        const int n = 1000;
        const ulong seed = 7, offset = 12345;
        var rate = Enumerable.Range(0, n).Select(i => i % 10 == 0 ? 0f : i % 10 == 1 ? 1f : (float)((i * 0.37) % 1)).ToArray();
        // The threshold case U == x: put x exactly on a drawn uniform.
        rate[5] = Philox.UniformFloat(seed, offset + 5);
        var spikes = new float[n];
        var spikesU8 = new byte[n];
        lib.Run("poisson_encode_f32", (3, 64, false), (long)n, (long)n, seed, offset, rate, spikes);
        lib.Run("poisson_encode_f32_u8", (3, 64, false), (long)n, (long)n, seed, offset, rate, spikesU8);
        for (int i = 0; i < n; i++)
        {
            float expected = Philox.UniformFloat(seed, offset + (ulong)i) <= rate[i] ? 1 : 0;
            spikes[i].Should().Be(expected, $"element {i}");
            spikesU8[i].Should().Be((byte)expected);
        }
        spikes[5].Should().Be(1);
        Enumerable.Range(0, n).Where(i => i % 10 == 0).Should().OnlyContain(i => spikes[i] == 0, "rate 0 fires only when U is exactly 0, one counter in 2^24");
        Enumerable.Range(0, n).Where(i => i % 10 == 1).Should().OnlyContain(i => spikes[i] == 1, "rate 1 always fires");

        var rateH = rate.Select(r => BitConverter.HalfToUInt16Bits((Half)r)).ToArray();
        var spikesH = new ushort[n];
        lib.Run("poisson_encode_f16", (3, 64, false), (long)n, (long)n, seed, offset, rateH, spikesH);
        // Half draws are the float uniforms rounded to half (what Tensor.Rand gives for Float16), compared in half.
        for (int i = 0; i < n; i++)
            ((float)BitConverter.UInt16BitsToHalf(spikesH[i])).Should().Be((Half)Philox.UniformFloat(seed, offset + (ulong)i) <= BitConverter.UInt16BitsToHalf(rateH[i]) ? 1 : 0, $"element {i}");
    }
}
