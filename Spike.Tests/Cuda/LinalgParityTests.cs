using FluentAssertions;
using NUnit.Framework;
using Spike.Cuda;

namespace Spike.Tests.Cuda;

/// <summary>
/// Matmul (cuBLAS strided-batched GEMM for reals, a kernel for integers) and im2col/col2im convolution on the CUDA
/// backend against the CPU backend. On the host runtime the GEMM is a literal column-major transcription of cuBLAS,
/// so these tests check the row-major ↔ column-major mapping for every operand orientation, batch broadcast, the
/// batch-summing destination, accumulation and the copies taken when no BLAS view exists.
/// </summary>
[TestFixture("host")]
[TestFixture("gpu")]
public class LinalgParityTests(string runtime) : DeviceFixture(runtime)
{
    static readonly DType[] MatmulTypes = [DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8];

    static double Tol(DType t) => t == DType.Float32 ? 1e-5 : t == DType.Float64 ? 1e-12 : 0;

    /// <summary>A [B, M, K] view of the given kind over a buffer: contiguous, transposed (column-major), broadcast over
    /// the batch (stride 0), or with rows broadcast (stride 0: no BLAS view, so the backend copies it).</summary>
    static Tensor View(Tensor buffer, string kind, int b, int m, int k) => kind switch
    {
        "contiguous" => Raw.Reshape(buffer, b, m, k),
        "transposed" => Raw.Transpose(Raw.Reshape(buffer, b, k, m), 1, 2),
        "batch-broadcast" => Raw.Expand(Raw.Reshape(Raw.Narrow(Raw.Flatten(buffer), 0, 0, m * k), 1, m, k), b, m, k),
        _ => Raw.Expand(Raw.Reshape(Raw.Narrow(Raw.Flatten(buffer), 0, 0, b * k), b, 1, k), b, m, k), // row-broadcast
    };

    static readonly string[] Kinds = ["contiguous", "transposed", "batch-broadcast", "row-broadcast"];

    [Test]
    public void EveryOperandOrientationAndDtype()
    {
        const int B = 3, M = 5, K = 7, N = 4;
        foreach (var dtype in MatmulTypes)
            foreach (var ka in Kinds)
                foreach (var kb in Kinds)
                {
                    var a = Values(dtype, 1, B * M * K);
                    var b0 = Values(dtype, 2, B * K * N);
                    Contract(Tol(dtype), [a, b0], dev => [Tensor.Full([B, M, N], 2, dtype, dev)],
                        (be, i, o) => be.Matmul(View(i[0], ka, B, M, K), View(i[1], kb, B, K, N), o[0], accumulate: false), $"{dtype} a {ka} b {kb}");
                }
    }

    [Test]
    public void DestinationsThatAreTransposedStridedOrAccumulated()
    {
        const int B = 2, M = 5, K = 6, N = 3;
        foreach (var dtype in MatmulTypes)
            foreach (bool accumulate in new[] { false, true })
            {
                var a = Values(dtype, 3, B, M, K);
                var b0 = Values(dtype, 4, B, K, N);
                // Column-major destination: cuBLAS computes C directly rather than Cᵀ.
                Contract(Tol(dtype), [a, b0], dev => [Tensor.Full([B, N, M], 1, dtype, dev)],
                    (be, i, o) => be.Matmul(i[0], i[1], Raw.Transpose(o[0], 1, 2), accumulate), $"{dtype} transposed dst, accumulate {accumulate}");
                // No unit stride (every other element of a wider buffer): computed in a temporary, then copied in.
                Contract(Tol(dtype), [a, b0], dev => [Tensor.Full([B, M, N, 2], 1, dtype, dev)],
                    (be, i, o) => be.Matmul(i[0], i[1], Raw.Select(o[0], 3, 1), accumulate), $"{dtype} strided dst, accumulate {accumulate}");
                // Operands with no unit stride are copied first.
                Contract(Tol(dtype), [Values(dtype, 5, B, M, K, 2), b0], dev => [Tensor.Full([B, M, N], 1, dtype, dev)],
                    (be, i, o) => be.Matmul(Raw.Select(i[0], 3, 0), i[1], o[0], accumulate), $"{dtype} strided a, accumulate {accumulate}");
            }
    }

    [Test]
    public void BatchStrideZeroDestinationSumsTheProducts()
    {
        const int B = 4, M = 3, K = 5, N = 6;
        foreach (var dtype in MatmulTypes)
            foreach (bool accumulate in new[] { false, true })
                Contract(Tol(dtype) * 10, [Values(dtype, 6, B, M, K), Values(dtype, 7, B, K, N)], dev => [Tensor.Full([1, M, N], 3, dtype, dev)],
                    (be, i, o) => be.Matmul(i[0], Raw.Transpose(Raw.Contiguous(Raw.Transpose(i[1], 1, 2)), 1, 2), Raw.Expand(o[0], B, M, N), accumulate),
                    $"{dtype} accumulate {accumulate}");
    }

    [Test]
    public void EmptyDepthGivesZerosOrLeavesTheDestination()
    {
        foreach (bool accumulate in new[] { false, true })
            Contract(0, [Tensor.Zeros(2, 3, 0), Tensor.Zeros(2, 0, 4)], dev => [Tensor.Full([2, 3, 4], 5, DType.Float32, dev)],
                (be, i, o) => be.Matmul(i[0], i[1], o[0], accumulate));
    }

    [Test]
    public void TorchMatmulBroadcastsBatchesAndVectors()
    {
        Same(1e-5, i => Raw.Matmul(i[0], i[1]), Values(DType.Float32, 8, 2, 1, 4, 5), Values(DType.Float32, 9, 3, 5, 2));
        Same(1e-5, i => Raw.Matmul(i[0], i[1]), Values(DType.Float32, 8, 5), Values(DType.Float32, 9, 3, 5, 2));
        Same(1e-5, i => Raw.Matmul(i[0], i[1]), Values(DType.Float32, 8, 5), Values(DType.Float32, 9, 5));
        Same(1e-5, i => Raw.Linear(i[0], i[1], i[2]), Values(DType.Float32, 10, 6, 8), Values(DType.Float32, 11, 3, 8), Values(DType.Float32, 12, 3));
    }

    [Test]
    public void Im2ColAndCol2ImOnStridedImagesAndPaddedColumnBuffers()
    {
        foreach (var dtype in Reals)
        {
            var g = ConvGeometry.For(3, 7, 6, 3, 2, 2, 1, 1, 1, 2, 1);
            int ckk = g.C * g.KH * g.KW, p = g.OH * g.OW;
            var nhwc = Values(dtype, 13, 2, g.H, g.W, g.C);
            // x: an NHWC buffer seen as NCHW; col: each sample's matrix inside a taller buffer (rows beyond ckk untouched).
            Contract(Tol(dtype), [nhwc], dev => [Tensor.Full([2, ckk + 2, p], 9, dtype, dev)],
                (be, i, o) => be.Im2Col(Raw.Permute(i[0], 0, 3, 1, 2), Raw.Narrow(o[0], 1, 0, ckk), g), $"im2col {dtype}");
            Contract(Tol(dtype), [Values(dtype, 14, 2, ckk, p)], dev => [Tensor.Full([2, g.H, g.W, g.C], 0.5, dtype, dev)],
                (be, i, o) => be.Col2Im(i[0], Raw.Permute(o[0], 0, 3, 1, 2), g), $"col2im {dtype}");
        }
    }

    [Test]
    public void ConvolutionsWithGroupsBiasAndTheirGradients()
    {
        var o = new ConvOptions(SH: 2, SW: 1, PH: 1, PW: 2, DH: 1, DW: 2, Groups: 2);
        var x = Values(DType.Float32, 15, 2, 4, 7, 8);
        var w = Values(DType.Float32, 16, 6, 2, 3, 2);
        var bias = Values(DType.Float32, 17, 6);
        Same(1e-4, i => Raw.Conv2d(i[0], i[1], i[2], o), x, w, bias);
        var (_, g) = Raw.CheckConv("conv2d", ref x, ref w, ref bias!, o, transposed: false);
        var dy = Values(DType.Float32, 18, 2, 6, g.OH, g.OW);
        Same(1e-4, i => Raw.Conv2dInputGrad(i[0], i[1], g, 2), dy, w);
        Same(1e-4, i => Raw.Conv2dWeightGrad(i[0], i[1], g, 2), dy, x);
        Same(1e-4, i => Raw.ConvTranspose2d(i[0], i[1], null, new ConvOptions(SH: 2, SW: 2, PH: 1, PW: 0, OPH: 1)), Values(DType.Float32, 19, 2, 4, 3, 3), Values(DType.Float32, 20, 4, 3, 2, 2));
    }

    [Test]
    public void BlasViewsFollowTheUnitStrideAndRejectOverlappingRows()
    {
        BlasView.Of(5, 7, 7, 1).Should().Be(new BlasView(true, 7));    // row-major: column-major Xᵀ, ld = row stride
        BlasView.Of(5, 7, 1, 5).Should().Be(new BlasView(false, 5));   // column-major as is
        BlasView.Of(5, 7, 9, 1).Should().Be(new BlasView(true, 9));    // a narrowed row-major matrix keeps its ld
        BlasView.Of(1, 7, 0, 1).Should().Be(new BlasView(true, 7));    // one row: its stride is irrelevant
        BlasView.Of(5, 1, 3, 8).Should().Be(new BlasView(true, 3));    // one column read as a row-major [5, 1]
        BlasView.Of(5, 7, 0, 1).Should().BeNull();                     // broadcast rows overlap
        BlasView.Of(5, 7, 14, 2).Should().BeNull();                    // no unit stride
        // Row-major C = A·B with everything contiguous: cuBLAS computes Cᵀ = Bᵀ·Aᵀ, B first, nothing transposed.
        var call = BlasView.Plan(DType.Float32, 2, 5, 3, 7, new BlasView(true, 7), 100, 35, new BlasView(true, 3), 200, 21, new BlasView(true, 3), 300, 15, false);
        call.Should().Be(new GemmCall(DType.Float32, false, false, 3, 5, 7, 1, 200, 3, 21, 100, 7, 35, 0, 300, 3, 15, 2));
    }
}
