using Spike.Cpu;

namespace Spike.Bench;

/// <summary>2×2 / stride-2 pooling, Float32, on the plane sizes of the event-camera networks (DVS128 frames pooled
/// 128 → 64 → 32) and of Fashion-MNIST (28 → 14 → 7): each with the vector pair kernels and with the scalar window loops,
/// back to back, so their ratio comes from the same run.</summary>
public static class PoolWorkloads
{
    public static IEnumerable<Workload> All()
    {
        foreach (var (planes, side) in new[] { (64, 128), (256, 64), (1024, 28), (4096, 14) })
            foreach (bool pairs in new[] { true, false })
            {
                string path = pairs ? "vector" : "scalar";
                double bytes = 4.0 * planes * side * side * 1.25; // read the planes, write a quarter
                yield return new Workload($"maxpool2x2_{planes}x{side}x{side}_{path}", "pool", "GB/s", () =>
                {
                    var x = Tensor.Randn([1, planes, side, side], new Generator(4));
                    return (() => Timed(pairs, () => x.MaxPool2dWithIndices((2, 2), (2, 2))), bytes + 2.0 * planes * side * side);
                });
                yield return new Workload($"avgpool2x2_{planes}x{side}x{side}_{path}", "pool", "GB/s", () =>
                {
                    var x = Tensor.Randn([1, planes, side, side], new Generator(4));
                    return (() => Timed(pairs, () => x.AvgPool2d((2, 2), (2, 2))), bytes);
                });
            }
    }

    static void Timed(bool pairs, Action body)
    {
        CpuBackend.PairPooling = pairs;
        try { body(); }
        finally { CpuBackend.PairPooling = true; }
    }
}
