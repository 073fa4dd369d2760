namespace Spike.Cli.Plots;

/// <summary>Tensors as the plain arrays the plots take.</summary>
public static class Arrays
{
    /// <summary>A 2-D tensor (any dtype) as float[rows, cols].</summary>
    public static float[,] Matrix(Tensor t)
    {
        if (t.Rank != 2) throw new ArgumentException($"expected a 2-D array, got shape {Layout.Fmt(t.Layout.Shape)}");
        var m = new float[t.Size(0), t.Size(1)];
        Copy(t, m);
        return m;
    }

    /// <summary>A 3-D tensor (any dtype) as float[C, H, W].</summary>
    public static float[,,] Cube(Tensor t)
    {
        if (t.Rank != 3) throw new ArgumentException($"expected a 3-D array, got shape {Layout.Fmt(t.Layout.Shape)}");
        var m = new float[t.Size(0), t.Size(1), t.Size(2)];
        Copy(t, m);
        return m;
    }

    /// <summary>A 1-D tensor (any dtype) as float[].</summary>
    public static float[] Vector(Tensor t) =>
        t.Rank == 1 ? Raw.ToDType(t, DType.Float32).ToArray<float>() : throw new ArgumentException($"expected a 1-D array, got shape {Layout.Fmt(t.Layout.Shape)}");

    public static float[,] Transposed(float[,] m)
    {
        var r = new float[m.GetLength(1), m.GetLength(0)];
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++) r[j, i] = m[i, j];
        return r;
    }

    public static float[] Column(float[,] m, int k) => Enumerable.Range(0, m.GetLength(0)).Select(i => m[i, k]).ToArray();

    static void Copy(Tensor t, Array dst)
    {
        var flat = Raw.ToDType(t, DType.Float32).ToArray<float>();
        Buffer.BlockCopy(flat, 0, dst, 0, flat.Length * sizeof(float));
    }
}
