namespace Spike;

/// <summary>Concatenation, stacking, splitting, padding and tiling. Splits are differentiable views (Narrow);
/// the others copy, and their backward cuts the gradient back into pieces.</summary>
public static class JoiningOps
{
    extension(Tensor)
    {
        /// <summary>Concatenates along axis (torch.cat): shapes equal except along axis, dtypes promoted.
        /// Each input's gradient is its slice of g.</summary>
        public static Tensor Cat(Tensor[] tensors, int axis = 0)
        {
            var y = Raw.Cat(tensors, axis);
            int a = Layout.Axis(axis, tensors[0].Rank, "cat");
            return Graph.Record(y, "Cat", tensors, g =>
            {
                var grads = new Tensor?[tensors.Length];
                for (int k = 0, start = 0; k < tensors.Length; start += tensors[k].Layout.Shape[a], k++)
                    if (tensors[k].RequiresGrad) grads[k] = Raw.Narrow(g, a, start, tensors[k].Layout.Shape[a]);
                return grads;
            });
        }

        /// <summary>Joins equal-shaped tensors along a new axis (torch.stack); axis in [−rank−1, rank].</summary>
        public static Tensor Stack(Tensor[] tensors, int axis = 0)
        {
            if (tensors.Length == 0) throw new ArgumentException("stack: expects at least one tensor");
            var y = Raw.Stack(tensors, axis);
            int a = Layout.Axis(axis, tensors[0].Rank + 1, "stack");
            return Graph.Record(y, "Stack", tensors, g =>
                tensors.Select((t, k) => t.RequiresGrad ? Raw.Select(g, a, k) : null).ToArray());
        }
    }

    extension(Tensor x)
    {
        /// <summary>Views of consecutive pieces of <paramref name="size"/> elements along axis (the last may be smaller).</summary>
        public Tensor[] Split(int size, int axis = 0) => Pieces(x, axis, "split", (n, shape, a) => Raw.SplitEvery(size, n, "split", shape, a));

        /// <summary>Views of pieces with the given sizes along axis (they must sum to the axis size).</summary>
        public Tensor[] Split(int[] sizes, int axis = 0) => Pieces(x, axis, "split", (n, shape, a) => Raw.SplitSections(sizes, n, "split", shape, a));

        /// <summary>torch.chunk: views of ceil(size / chunks) elements along axis, so there may be fewer than chunks.</summary>
        public Tensor[] Chunk(int chunks, int axis = 0) => Pieces(x, axis, "chunk", (n, shape, a) => Raw.ChunkSections(chunks, n, "chunk", shape, a));

        /// <summary>Constant padding, pads in PyTorch's order (left, right of the last axis first); negative pads crop.
        /// dx = pad(g, −pads): the gradient of the kept region, zeros where x was cropped.</summary>
        public Tensor Pad(int[] pads, double value = 0)
        {
            var y = Raw.Pad(x, pads, value);
            return Graph.Record(y, "Pad", [x], g => [Raw.Pad(g, pads.Select(p => -p).ToArray())]);
        }

        /// <summary>torch.Tensor.repeat: tiles x times[d] along each axis, with new leading axes when times is longer than
        /// the rank. dx sums g over the tiles.</summary>
        public Tensor Repeat(params int[] times)
        {
            var view = Raw.RepeatView(x, times);
            var y = Raw.Reshape(view, Raw.RepeatShape(x, times));
            return Graph.Record(y, "Repeat", [x], g =>
            {
                var tiles = Raw.Reshape(g, view.Layout.Shape);
                var tileAxes = Enumerable.Range(0, times.Length).Select(i => 2 * i).ToArray();
                return [Raw.Reshape(Raw.Reduce(ReduceOp.Sum, tiles, tileAxes, keepDim: false), x.Layout.Shape)];
            });
        }
    }

    static Tensor[] Pieces(Tensor x, int axis, string op, Func<int, int[], int, (int Start, int Length)[]> sections)
    {
        int a = Layout.ExistingAxis(axis, x.Rank, op);
        return sections(x.Layout.Shape[a], x.Layout.Shape, a).Select(s => x.Narrow(a, s.Start, s.Length)).ToArray();
    }
}
