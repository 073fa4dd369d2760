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
        var backend = (ISpikingBackend)Backend;
        foreach (var dtype in Reals)
            foreach (var (p, graded) in new[] { (0.0, false), (0.1, false), (0.5, true), (1.0, false) })
            {
                double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
                var s = Spikes(9, 70, p, 3, dtype, graded);
                var w = Values(dtype, 4, 70, 13);
                var y = Raw.Empty([9, 13], dtype, Gpu);
                backend.SpikeMatmul(Dev(s), Dev(w), y, transposeS: false);
                ShouldMatch(Back(y), Raw.Matmul(s, w), tol, $"{dtype} p={p}");
                var g = Values(dtype, 5, 9, 13);
                var yt = Raw.Empty([70, 13], dtype, Gpu);
                backend.SpikeMatmul(Dev(s), Dev(g), yt, transposeS: true);
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
}
