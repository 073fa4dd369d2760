namespace Spike;

/// <summary>Shape and layout ops. Views share storage with their input; their backward routes the gradient
/// back into the input's shape.</summary>
public static class ViewOps
{
    static Tensor Back(Tensor g, Tensor x) => Raw.Reshape(g, x.Layout.Shape);

    extension(Tensor x)
    {
        /// <summary>Same elements, new shape (one -1 is inferred); throws when the strides need a copy.</summary>
        public Tensor View(params int[] shape) => Graph.Record(Raw.View(x, shape), "View", [x], g => [Back(g, x)]);

        /// <summary>A view when the strides allow it, otherwise a copy.</summary>
        public Tensor Reshape(params int[] shape) => Graph.Record(Raw.Reshape(x, shape), "Reshape", [x], g => [Back(g, x)]);

        /// <summary>Merges axes startDim..endDim into one.</summary>
        public Tensor Flatten(int startDim = 0, int endDim = -1)
        {
            if (x.Rank == 0) return x.Reshape(1);
            int s = Layout.Axis(startDim, x.Rank, "flatten"), e = Layout.Axis(endDim, x.Rank, "flatten");
            if (s > e) throw new ArgumentException($"flatten: startDim {startDim} comes after endDim {endDim} for shape {Layout.Fmt(x.Layout.Shape)}");
            var shape = x.Layout.Shape;
            int merged = 1;
            for (int i = s; i <= e; i++) merged *= shape[i];
            return x.Reshape([.. shape[..s], merged, .. shape[(e + 1)..]]);
        }

        public Tensor Permute(params int[] dims)
        {
            var y = Raw.Permute(x, dims);
            var inverse = new int[dims.Length];
            for (int i = 0; i < dims.Length; i++) inverse[Layout.Axis(dims[i], x.Rank, "permute")] = i;
            return Graph.Record(y, "Permute", [x], g => [Raw.Permute(g, inverse)]);
        }

        public Tensor Transpose(int a, int b) => Graph.Record(Raw.Transpose(x, a, b), "Transpose", [x], g => [Raw.Transpose(g, a, b)]);

        /// <summary>The transpose of a 2-D tensor.</summary>
        public Tensor T => x.Rank == 2 ? x.Transpose(0, 1)
            : throw new InvalidOperationException($"T: expects a 2-D tensor, got shape {Layout.Fmt(x.Layout.Shape)}");

        /// <summary>Elements [start, start + length) along axis (a view).</summary>
        public Tensor Narrow(int axis, int start, int length) =>
            Graph.Record(Raw.Narrow(x, axis, start, length), "Narrow", [x], g =>
            {
                var z = Tensor.ZerosLike(x);
                Raw.CopyInto(g, Raw.Narrow(z, axis, start, length));
                return [z];
            });

        /// <summary>Index along axis; the axis disappears (a view).</summary>
        public Tensor Select(int axis, int index) =>
            Graph.Record(Raw.Select(x, axis, index), "Select", [x], g =>
            {
                var z = Tensor.ZerosLike(x);
                Raw.CopyInto(g, Raw.Select(z, axis, index));
                return [z];
            });

        /// <summary>Broadcasts to shape with stride-0 axes (a view).</summary>
        public Tensor Expand(params int[] shape) =>
            Graph.Record(Raw.Expand(x, shape), "Expand", [x], g => [Broadcasting.SumTo(g, x.Layout.Shape)]);

        public Tensor BroadcastTo(params int[] shape) => x.Expand(shape);

        public Tensor Unsqueeze(int axis) => Graph.Record(Raw.Unsqueeze(x, axis), "Unsqueeze", [x], g => [Back(g, x)]);

        /// <summary>Removes size-1 axes (all, or just the given one).</summary>
        public Tensor Squeeze(int? axis = null) => Graph.Record(Raw.Squeeze(x, axis), "Squeeze", [x], g => [Back(g, x)]);

        public Tensor Contiguous() => x.IsContiguous ? x : Graph.Record(Raw.Contiguous(x), "Contiguous", [x], g => [g]);

        /// <summary>A copy with its own storage, still in the graph.</summary>
        public Tensor Clone() => Graph.Record(Raw.Clone(x), "Clone", [x], g => [g]);

        /// <summary>Converts the dtype; the gradient is converted back. Only floating targets carry gradients: an integer
        /// or Bool result is cut from the graph, as in PyTorch.</summary>
        public Tensor To(DType dtype) => x.DType == dtype ? x
            : !dtype.IsFloating() ? Raw.ToDType(x, dtype)
            : Graph.Record(Raw.ToDType(x, dtype), "ToDType", [x], g => [Raw.ToDType(g, x.DType)]);

        /// <summary>Copies to a device; the gradient is copied back.</summary>
        public Tensor To(Device device) => x.Device == device ? x
            : Graph.Record(Raw.ToDevice(x, device), "ToDevice", [x], g => [Raw.ToDevice(g, x.Device)]);
    }
}
