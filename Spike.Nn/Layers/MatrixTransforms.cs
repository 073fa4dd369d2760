namespace Spike.Nn;

/// <summary>
/// Block-wise 2-D discrete cosine transform of the last two axes (SpikingJelly's <c>DCT</c>): x [..., H, W] with H and W
/// multiples of K; every K×K block B becomes D·B·Dᵀ, where D[i, j] = c_i·cos((j + ½)·π·i / K), c_0 = √(1/K) and
/// c_i = √(2/K) for i &gt; 0 (the orthonormal DCT-II matrix, <see cref="Kernel"/>). A special case of <see cref="AXAT"/>
/// with a fixed matrix per block; no parameters. Any leading axes, so single and multi step need no step mode.
/// </summary>
public sealed class DCT : Module
{
    public DCT(int kernelSize)
    {
        if (kernelSize <= 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), $"DCT: kernel_size must be positive, got {kernelSize}");
        KernelSize = kernelSize;
        var d = new float[kernelSize * kernelSize];
        for (int i = 0; i < kernelSize; i++)
            for (int j = 0; j < kernelSize; j++)
                d[i * kernelSize + j] = (float)(Math.Sqrt((i == 0 ? 1.0 : 2.0) / kernelSize) * Math.Cos((j + 0.5) * Math.PI * i / kernelSize));
        Kernel = Tensor.FromArray(d, kernelSize, kernelSize);
    }

    public int KernelSize { get; }

    /// <summary>The DCT matrix D [K, K] (Float32, a constant rather than a buffer, as upstream: not in the state dict).</summary>
    public Tensor Kernel { get; }

    protected override Tensor OnForward(Tensor x)
    {
        int k = KernelSize;
        if (x.Rank < 2 || x.Size(-2) % k != 0 || x.Size(-1) % k != 0)
            throw new ArgumentException($"DCT: input must be [..., H, W] with H and W multiples of kernel_size={k}, got shape {Layout.Fmt(x.Layout.Shape)}");
        int h = x.Size(-2), w = x.Size(-1);
        var d = Raw.ToDevice(Raw.ToDType(Kernel, x.DType), x.Device);
        // [B, H, W] → blocks [B, H/K, W/K, K, K], each D·B·Dᵀ, and back.
        var blocks = x.Reshape(-1, h / k, k, w / k, k).Permute(0, 1, 3, 2, 4);
        var y = d.Matmul(blocks).Matmul(d.T);
        return y.Permute(0, 1, 3, 2, 4).Reshape([.. x.Shape]);
    }

    protected override string ExtraRepr() => $"kernel_size={KernelSize}";
}

/// <summary>
/// y = A·X·Aᵀ on the last two axes (SpikingJelly's <c>AXAT</c>): x [..., in, in] → y [..., out, out] with the learnable
/// A [out, in], initialised as torch's kaiming-uniform (a = √5): U(−1/√in, 1/√in), seeded.
/// Any leading axes, so single and multi step need no step mode.
/// </summary>
public sealed class AXAT : Module
{
    public AXAT(int inFeatures, int outFeatures, Generator? generator = null)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), $"AXAT: sizes ({inFeatures}, {outFeatures}) must be positive");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        RegisterParameter("A", Init.KaimingUniformA5([outFeatures, inFeatures], inFeatures, generator));
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor A => Parameter("A");

    protected override Tensor OnForward(Tensor x)
    {
        if (x.Rank < 2 || x.Size(-2) != InFeatures || x.Size(-1) != InFeatures)
            throw new ArgumentException($"AXAT: input must be [..., {InFeatures}, {InFeatures}], got shape {Layout.Fmt(x.Layout.Shape)}");
        return A.Matmul(x).Matmul(A.T);
    }

    protected override string ExtraRepr() => $"in_features={InFeatures}, out_features={OutFeatures}";
}
