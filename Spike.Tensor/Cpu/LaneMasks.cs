using System.Runtime.Intrinsics;

namespace Spike.Cpu;

/// <summary>Masks for AVX-512 masked loads and stores over the first lanes of a vector: a row's ragged end.</summary>
internal static class LaneMasks
{
    /// <summary>The first <paramref name="n"/> 32-bit lanes (none for n ≤ 0, all for n ≥ 16).</summary>
    public static Vector512<float> First32(int n) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle();

    /// <summary>The 32-bit lanes l with lo ≤ l &lt; hi (lo and hi may lie outside [0, 16]).</summary>
    public static Vector512<float> Between32(int lo, int hi) =>
        (Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(lo)) &
         Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(hi))).AsSingle();

    /// <summary>The first <paramref name="n"/> 64-bit lanes (none for n ≤ 0, all for n ≥ 8).</summary>
    public static Vector512<long> First64(int n) => Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)n));
}
