namespace Spike;

/// <summary>Softmax, log-softmax and cumulative sum along one axis; backward by row kernels and a reverse scan.</summary>
public static class SoftmaxOps
{
    extension(Tensor x)
    {
        /// <summary>yᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m) along axis (m = max over the axis; stable for any input).
        /// dx = y·(g − Σ g·y).</summary>
        public Tensor Softmax(int axis = -1)
        {
            var y = Raw.Softmax(x, axis);
            return Graph.Record(y, "Softmax", [x], g => [Raw.SoftmaxBackward(y, g, axis)]);
        }

        /// <summary>yᵢ = xᵢ − m − log Σⱼ e^(xⱼ − m) along axis. dx = g − e^y·Σ g.</summary>
        public Tensor LogSoftmax(int axis = -1)
        {
            var y = Raw.Softmax(x, axis, log: true);
            return Graph.Record(y, "LogSoftmax", [x], g => [Raw.SoftmaxBackward(y, g, axis, log: true)]);
        }

        /// <summary>yᵢ = Σ_{j≤i} xⱼ along axis (integers and Bool in Int64). dx = reverse cumsum of g.</summary>
        public Tensor Cumsum(int axis) =>
            Graph.Record(Raw.Cumsum(x, axis), "Cumsum", [x], g => [Raw.Cumsum(g, axis, reverse: true)]);
    }
}
