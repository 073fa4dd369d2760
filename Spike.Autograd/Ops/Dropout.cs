namespace Spike;

/// <summary>
/// Dropout from the counter-based generator: y = x·mask, mask = 1/(1 − p) with probability 1 − p, else 0, so
/// E[y] = x. The mask is a constant of the graph: dy/dx = mask. SpikingJelly shares one mask over all T steps;
/// draw it once with <see cref="DropoutMask"/> and multiply each step by it.
/// </summary>
public static class DropoutOps
{
    extension(Tensor)
    {
        /// <summary>A reusable mask of shape: 1/(1 − p) with probability 1 − p, else 0 (all zero when p = 1).</summary>
        public static Tensor DropoutMask(int[] shape, double p, Generator? generator = null, DType dtype = DType.Float32, Device? device = null) =>
            Raw.DropoutMask(shape, p, dtype, device ?? Device.Cpu, generator);
    }

    static Tensor Masked(Tensor x, Tensor mask, string name) =>
        Graph.Record(Raw.Binary(BinaryOp.Mul, x, mask), name, [x], g => [Broadcasting.SumTo(Raw.Binary(BinaryOp.Mul, g, mask), x.Layout.Shape)]);

    static void CheckFloating(Tensor x, string op)
    {
        if (!x.DType.IsFloating())
            throw new ArgumentException($"{op}: expects a Float32 or Float64 input, got {x.DType} of shape {Layout.Fmt(x.Layout.Shape)}");
    }

    extension(Tensor x)
    {
        /// <summary>Elementwise dropout; the identity when not training or p = 0.</summary>
        public Tensor Dropout(double p = 0.5, bool training = true, Generator? generator = null)
        {
            Raw.CheckDropoutP(p, "dropout");
            CheckFloating(x, "dropout");
            if (!training || p == 0) return x;
            return Masked(x, Raw.DropoutMask(x.Layout.Shape.ToArray(), p, x.DType, x.Device, generator), "Dropout");
        }

        /// <summary>Channel-wise dropout of [N, C, H, W] (or [C, H, W]): one draw per (n, c) zeroes a whole plane
        /// (mask [N, C, 1, 1] broadcast), as torch.nn.functional.dropout2d.</summary>
        public Tensor Dropout2d(double p = 0.5, bool training = true, Generator? generator = null) => ChannelDropout(x, 2, p, training, generator, "dropout2d");

        /// <summary>Channel-wise dropout of [N, C, L] (or [C, L]), mask [N, C, 1].</summary>
        public Tensor Dropout1d(double p = 0.5, bool training = true, Generator? generator = null) => ChannelDropout(x, 1, p, training, generator, "dropout1d");

        /// <summary>x·mask with a mask drawn earlier (e.g. shared over time steps); mask broadcasts against x.</summary>
        public Tensor ApplyDropoutMask(Tensor mask) => Masked(x, mask, "DropoutMask");
    }

    static Tensor ChannelDropout(Tensor x, int dims, double p, bool training, Generator? generator, string op)
    {
        Raw.CheckDropoutP(p, op);
        CheckFloating(x, op);
        var maskShape = Raw.ChannelMaskShape(x.Layout.Shape, dims, op);
        if (!training || p == 0) return x;
        return Masked(x, Raw.DropoutMask(maskShape, p, x.DType, x.Device, generator), op == "dropout2d" ? "Dropout2d" : "Dropout1d");
    }
}
