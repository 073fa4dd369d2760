namespace Spike;

/// <summary>Indexing with index tensors (Int64 or Int32). Gradients flow to the data, never to the indices:
/// the backward of a gather is a scatter-add of the gradient into zeros.</summary>
public static class IndexingOps
{
    extension(Tensor x)
    {
        /// <summary>out = x with axis replaced by x's slices at index (0-d or 1-D). dx = index_add of g.</summary>
        public Tensor IndexSelect(int axis, Tensor index)
        {
            var y = Raw.IndexSelect(x, axis, index);
            return Graph.Record(y, "IndexSelect", [x], g =>
            {
                int a = Layout.Axis(axis, Math.Max(x.Rank, 1), "index_select");
                var shape = g.Layout.Shape;
                var strides = new int[shape.Length];
                var ix = Raw.ToDType(index, DType.Int64);
                strides[a] = ix.Rank == 0 ? 0 : ix.Layout.Strides[0];
                var expanded = ix.WithLayout(new Layout(shape, strides, ix.Layout.Offset));
                // A 0-d x was indexed as shape [1].
                var zeros = x.Rank == 0 ? Tensor.Zeros([1], x.DType, x.Device) : Tensor.ZerosLike(x);
                return [Raw.Reshape(Raw.ScatterAdd(zeros, a, expanded, g), x.Layout.Shape)];
            });
        }

        /// <summary>out[i][j][k] = x[i][index[i][j][k]][k] (axis 1); out has index's shape. dx = scatter_add of g.</summary>
        public Tensor Gather(int axis, Tensor index)
        {
            var y = Raw.Gather(x, axis, index);
            return Graph.Record(y, "Gather", [x], g => [Raw.ScatterAdd(Tensor.ZerosLike(x), axis, index, g)]);
        }

        /// <summary>A copy of x with src added at index along axis: out[i][index[i][j][k]][k] += src[i][j][k] (axis 1).
        /// dx = g; dsrc = g gathered at index (zero where src is larger than index).</summary>
        public Tensor ScatterAdd(int axis, Tensor index, Tensor src)
        {
            var y = Raw.ScatterAdd(x, axis, index, src);
            return Graph.Record(y, "ScatterAdd", [x, src], g =>
            {
                Tensor? dsrc = null;
                if (src.RequiresGrad)
                {
                    var picked = Raw.Gather(g, axis, index);
                    if (picked.Layout.Shape.AsSpan().SequenceEqual(src.Layout.Shape)) dsrc = picked;
                    else
                    {
                        dsrc = Tensor.ZerosLike(src);
                        var region = dsrc;
                        for (int d = 0; d < src.Rank; d++) region = Raw.Narrow(region, d, 0, picked.Layout.Shape[d]);
                        Raw.CopyInto(picked, region);
                    }
                }
                return [g, dsrc];
            });
        }

        /// <summary>Reverses the order of elements along each of axes (a copy). dx = flip(g).</summary>
        public Tensor Flip(params int[] axes) => Graph.Record(Raw.Flip(x, axes), "Flip", [x], g => [Raw.Flip(g, axes)]);

        /// <summary>One-hot encoding of Int64/Int32 class indices: shape [..., numClasses], Int64 as torch
        /// (numClasses −1 infers max + 1).</summary>
        public Tensor OneHot(int numClasses = -1) => Raw.OneHot(x, numClasses);

        /// <summary>One-hot encoding in the given dtype (e.g. Float32 targets for a loss).</summary>
        public Tensor OneHot(int numClasses, DType dtype) => Raw.OneHot(x, numClasses, dtype);
    }
}
