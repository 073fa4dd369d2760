using FluentAssertions;
using NUnit.Framework;
using Spike.Nn;

namespace Spike.Tests.Cuda;

/// <summary>The spike-sparse product (kernels/sparse.cu) against the dense product, and
/// <see cref="Functional.SparseMmDense"/> with its gradients on the device against the CPU.</summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class SparseMatmulTests(string runtime) : DeviceFixture(runtime)
{
    /// <summary>A [m, k] spike matrix with firing probability p; weighted spikes (any real value) when graded.</summary>
    static Tensor Spikes(int m, int k, double p, int seed, DType dtype, bool graded = false)
    {
        var s = Tensor.Bernoulli([m, k], p, new Generator((ulong)seed), dtype);
        return graded ? Raw.Binary(BinaryOp.Mul, s, Values(dtype, seed, m, k)) : s;
    }

    [Test]
    public void ProductAndTransposedProductEqualTheDenseProduct()
    {
        var backend = Backend;
        foreach (var dtype in Reals)
            foreach (var (p, graded) in new[] { (0.0, false), (0.1, false), (0.5, true), (1.0, false) })
            {
                double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
                var s = Spikes(9, 70, p, 3, dtype, graded);
                var w = Values(dtype, 4, 70, 13);
                var y = Raw.Empty([9, 13], dtype, Gpu);
                backend.SpikeMatmul(Dev(s), Dev(w), y, accumulate: false);
                ShouldMatch(Back(y), Raw.Matmul(s, w), tol, $"{dtype} p={p}");
                var g = Values(dtype, 5, 9, 13);
                var yt = Raw.Empty([70, 13], dtype, Gpu);
                backend.SpikeMatmul(Raw.Transpose(Dev(s), 0, 1), Dev(g), yt, accumulate: false);
                ShouldMatch(Back(yt), Raw.Matmul(Raw.Transpose(s, 0, 1), g), tol, $"{dtype} p={p} transposed");
            }
        var bad = () => backend.SpikeMatmul(Dev(Tensor.Zeros(3, 4)), Dev(Tensor.Zeros(5, 2)), Raw.Empty([3, 2], DType.Float32, Gpu), false);
        bad.Should().Throw<ArgumentException>().WithMessage("spike_matmul: expects*[3, 4]*[5, 2]*");
    }

    [Test]
    public void SparseMmDenseHasTheDenseGradients()
    {
        var s = Spikes(6, 40, 0.2, 7, DType.Float32);
        var w = Values(DType.Float32, 8, 40, 5);
        var g = Values(DType.Float32, 9, 6, 5);
        var (sc, wc) = (s.RequiresGrad_(), w.RequiresGrad_());
        var (sd, wd) = (Dev(s).RequiresGrad_(), Dev(w).RequiresGrad_());
        var yc = Functional.SparseMmDense(sc, wc);
        var yd = Functional.SparseMmDense(sd, wd);
        yd.GradFn!.Name.Should().Be("SparseMmDense");
        ShouldMatch(Back(yd), yc, 1e-5);
        (yc * g).Sum().Backward();
        (yd * Dev(g)).Sum().Backward();
        ShouldMatch(Back(sd.Grad!), sc.Grad!, 1e-5, "grad s");
        ShouldMatch(Back(wd.Grad!), wc.Grad!, 1e-5, "grad w");
    }

    [Test]
    public void TransposedViewsStridedDestinationAndAccumulateMatchTheCpu()
    {
        // sᵀ of a row-major spike matrix (the transposed kernel on its storage), a column slice of s (a contiguous copy),
        // and a destination that is a column slice accumulated into (a temporary then an add).
        var x = Spikes(30, 20, 0.2, 11, DType.Float32);
        var views = new (string Name, Func<Tensor, Tensor> View, int Rows, int Inner)[]
            { ("transposed", t => Raw.Transpose(t, 0, 1), 20, 30), ("column slice", t => Raw.Narrow(t, 1, 5, 12), 30, 12) };
        foreach (var (name, view, rows, inner) in views)
            foreach (bool accumulate in new[] { false, true })
            {
                var (b, wide) = (Values(DType.Float32, 13, inner, 9), Values(DType.Float32, 14, rows, 20));
                Contract(1e-5, [x, b], d => [Raw.ToDevice(Raw.Clone(wide), d)], (backend, i, o) =>
                    backend.SpikeMatmul(view(i[0]), i[1], Raw.Narrow(o[0], 1, 3, 9), accumulate), $"{name}, accumulate {accumulate}");
            }
    }

    [Test]
    public void SparseLinearAndAutoSparseLinearMatchTheCpuWithGradients()
    {
        var x = Spikes(12, 48, 0.15, 15, DType.Float32);
        var g = Values(DType.Float32, 16, 12, 7);
        Module[] MakePair() => [new SparseLinear(48, 7, generator: new Generator(17)),
            new AutoSparseLinear(48, 7, inSpikes: true, generator: new Generator(17)) { Timer = (r, s, sparse) => sparse ? 1 - s : 0.5 }];
        var (cpu, dev) = (MakePair(), MakePair());
        foreach (var m in dev) m.To(Gpu);
        for (int k = 0; k < cpu.Length; k++)
        {
            var (xc, xd) = (Raw.Clone(x).RequiresGrad_(), Dev(x).RequiresGrad_());
            var (yc, yd) = (cpu[k].Forward(xc), dev[k].Forward(xd));
            if (dev[k] is AutoSparseLinear auto) auto.LastPathSparse.Should().BeTrue("85 % zeros is past the timer's crossover of 50 %");
            ShouldMatch(Back(yd), yc, 1e-5, $"{cpu[k].GetType().Name} y");
            yc.Backward(g);
            yd.Backward(Dev(g));
            ShouldMatch(Back(xd.Grad!), xc.Grad!, 1e-5, "dx");
            var pc = cpu[k].Parameters().ToArray();
            var pd = dev[k].Parameters().ToArray();
            for (int p = 0; p < pc.Length; p++) ShouldMatch(Back(pd[p].Grad!), pc[p].Grad!, 1e-5, $"{cpu[k].GetType().Name} parameter {p}");
        }
    }
}
