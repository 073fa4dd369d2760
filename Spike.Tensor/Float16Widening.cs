namespace Spike;

/// <summary>
/// The one path by which a backend runs an op on Float16 operands it has no half kernel for, as torch's CPU half ops
/// do: every Float16 operand gets a Float32 twin (exact), the op runs on the twins in float, and the output twins are
/// rounded back into the Float16 originals (round to nearest even). Operands of other dtypes (indices, masks, Float32
/// parameters) pass through untouched.
/// </summary>
/// <remarks>
/// A twin keeps its operand's shape and broadcast (stride-0) axes and is dense elsewhere, so an op that sums into a
/// stride-0 destination or accumulates into its output sees the same structure it would see on the original.
/// Outputs are widened with their current contents for that reason; the extra copy is the price of one generic path.
/// </remarks>
internal static class Float16Widening
{
    /// <summary>Runs <paramref name="body"/> on Float32 twins when any operand is Float16 and returns true; returns false
    /// (doing nothing) otherwise. <paramref name="body"/> receives the inputs followed by the outputs, nulls kept.</summary>
    public static bool Widen(IBackend backend, Tensor?[] inputs, Tensor?[] outputs, Action<Tensor[]> body)
    {
        if (!Any(inputs) && !Any(outputs)) return false;
        var all = new Tensor[inputs.Length + outputs.Length];
        for (int i = 0; i < inputs.Length; i++) all[i] = Twin(backend, inputs[i])!;
        for (int i = 0; i < outputs.Length; i++) all[inputs.Length + i] = Twin(backend, outputs[i])!;
        body(all);
        for (int i = 0; i < outputs.Length; i++)
            if (outputs[i] is { DType: DType.Float16 } original) backend.Copy(all[inputs.Length + i], original);
        return true;
    }

    static bool Any(Tensor?[] operands)
    {
        foreach (var t in operands)
            if (t?.DType == DType.Float16) return true;
        return false;
    }

    static Tensor? Twin(IBackend backend, Tensor? t)
    {
        if (t is null || t.DType != DType.Float16) return t;
        var shape = (int[])t.Layout.Shape.Clone();
        var strides = new int[shape.Length];
        int length = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (t.Layout.Strides[i] == 0 && shape[i] > 1) continue;  // broadcast axis: stays stride 0
            strides[i] = length;
            length *= shape[i];
        }
        var twin = new Tensor(backend.Allocate(DType.Float32, length), new Layout(shape, strides, 0));
        backend.Copy(t, twin);
        return twin;
    }
}
