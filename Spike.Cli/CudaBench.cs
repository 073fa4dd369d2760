using Spike.Bench;
using Spike.Cuda;

namespace Spike.Cli;

/// <summary>
/// <c>spike bench --device cuda</c>: kernel timings on a GPU, each the median of synchronised runs (Spike.Bench's
/// harness), with the bytes a kernel must move, the achieved bandwidth and its share of the device's peak. The fused
/// LIF forward and backward-through-time at T = 32, N = 2²² is the headline, in Float32 and in Float16 (half storage,
/// two neurons per thread): forward reads x and writes S and H (12 bytes per neuron-step in fp32, 6 in fp16), backward
/// reads dL/dS and H and writes dL/dX (the same).
/// </summary>
public static class CudaBench
{
    /// <summary>The workloads for a device; sizes scale with <paramref name="steps"/> and <paramref name="neurons"/>.</summary>
    public static IEnumerable<Workload> Workloads(CudaBackend backend, int steps, int neurons)
    {
        var dev = backend.Device;
        ISpikingBackend sb = backend;
        var lif = new NeuronSpec(NeuronModel.Lif, new SurrogateSpec(SurrogateKind.ATan, 2), Tau: 2);
        Tensor F(params int[] shape) => Raw.ToDevice(Tensor.Rand(shape, new Generator(1), 0, 2), dev);
        Tensor E(params int[] shape) => Raw.Empty(shape, DType.Float32, dev);
        double tn = (double)steps * neurons;
        Action Synced(Action a) => () => { a(); backend.Synchronize(); };

        foreach (var dtype in new[] { DType.Float32, DType.Float16 })
        {
            // Bytes per neuron-step: forward reads x and writes S and H, backward reads dL/dS and H and writes dL/dX.
            int size = dtype.ElementSize();
            string sfx = dtype == DType.Float32 ? "" : "_f16";
            Tensor X(params int[] shape) => Raw.ToDType(F(shape), dtype);
            Tensor Y(params int[] shape) => Raw.Empty(shape, dtype, dev);
            yield return new($"lif_fwd{sfx}_T{steps}_N{neurons}", "cuda", "GB/s", () =>
            {
                var (x, v0, s, h, v) = (X(steps, neurons), Y(neurons), Y(steps, neurons), Y(steps, neurons), Y(neurons));
                Raw.Fill(v0, 0);
                return (Synced(() => sb.NeuronForward(lif, new NeuronForwardArgs(x, v0, null, null, null, s, h, null, v, null))), 3 * size * tn + 2.0 * size * neurons);
            });
            yield return new($"lif_bwd{sfx}_T{steps}_N{neurons}", "cuda", "GB/s", () =>
            {
                var (x, v0, s, h, v, gs, gx) = (X(steps, neurons), Y(neurons), Y(steps, neurons), Y(steps, neurons), Y(neurons), X(steps, neurons), Y(steps, neurons));
                Raw.Fill(v0, 0);
                sb.NeuronForward(lif, new NeuronForwardArgs(x, v0, null, null, null, s, h, null, v, null));
                return (Synced(() => sb.NeuronBackward(lif, new NeuronBackwardArgs(gs, null, null, null, h, v0, null, null, gx, null, null, null))), 3 * size * tn + 1.0 * size * neurons);
            });
            yield return new($"lif_fwd_bwd{sfx}_T{steps}_N{neurons}", "cuda", "GB/s", () =>
            {
                var (x, v0, s, h, v, gs, gx) = (X(steps, neurons), Y(neurons), Y(steps, neurons), Y(steps, neurons), Y(neurons), X(steps, neurons), Y(steps, neurons));
                Raw.Fill(v0, 0);
                return (Synced(() =>
                {
                    sb.NeuronForward(lif, new NeuronForwardArgs(x, v0, null, null, null, s, h, null, v, null));
                    sb.NeuronBackward(lif, new NeuronBackwardArgs(gs, null, null, null, h, v0, null, null, gx, null, null, null));
                }), 6 * size * tn + 3.0 * size * neurons);
            });
        }
        int n = neurons * 4;
        yield return new($"add_f32_{n}", "cuda", "GB/s", () =>
        {
            var (a, b, c) = (F(n), F(n), E(n));
            return (Synced(() => backend.Binary(BinaryOp.Add, a, b, c)), 12.0 * n);
        });
        yield return new($"sum_f32_{n}", "cuda", "GB/s", () =>
        {
            var (a, r) = (F(1, n), E(1));
            return (Synced(() => backend.Reduce(ReduceOp.Sum, a, r)), 4.0 * n);
        });
        yield return new($"softmax_rows_{n / 1024}x1024", "cuda", "GB/s", () =>
        {
            var (a, r) = (F(n / 1024, 1024, 1), E(n / 1024, 1024, 1));
            return (Synced(() => backend.Softmax(a, r, false)), 8.0 * n);
        });
        yield return new($"poisson_T{steps}_{neurons / steps}", "cuda", "GB/s", () =>
        {
            var (x, s) = (F(neurons / steps), E(steps, neurons / steps));
            return (Synced(() => backend.PoissonEncode(x, s, 1, 0)), 4.0 * neurons + 4.0 * neurons / steps);
        });
        int m = (int)Math.Min(4096, Math.Max(64, Math.Sqrt(neurons) * 2));
        yield return new($"sgemm_{m}", "cuda", "GFLOP/s", () =>
        {
            var (a, b, c) = (F(1, m, m), F(1, m, m), E(1, m, m));
            return (Synced(() => backend.Matmul(a, b, c, false)), 2.0 * m * m * m);
        });
        yield return new($"hgemm_{m}", "cuda", "GFLOP/s", () =>  // Float16 through GemmEx: FP16 operands, FP32 accumulation
        {
            var (a, b, c) = (Raw.ToDType(F(1, m, m), DType.Float16), Raw.ToDType(F(1, m, m), DType.Float16), Raw.Empty([1, m, m], DType.Float16, dev));
            return (Synced(() => backend.Matmul(a, b, c, false)), 2.0 * m * m * m);
        });
        yield return new($"spike_mm_{m}x{m}_p0.05", "cuda", "GFLOP/s", () =>
        {
            var s = Raw.ToDevice(Tensor.Bernoulli([m, m], 0.05, new Generator(2)), dev);
            var (w, y) = (F(m, m), E(m, m));
            return (Synced(() => backend.SpikeMatmul(s, w, y, false)), 2.0 * m * m * m);
        });
    }

    /// <summary>Measures the workloads whose name contains <paramref name="filter"/> and prints a table; returns the results.</summary>
    public static IReadOnlyList<Result> Run(CudaBackend backend, int steps, int neurons, string filter, TextWriter output, double minSeconds = 1.0)
    {
        output.WriteLine($"{backend.Info}");
        var results = new List<Result>();
        foreach (var w in Workloads(backend, steps, neurons).Where(w => w.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
        {
            var r = Harness.Measure(w, minRuns: 5, minSeconds: minSeconds);
            results.Add(r);
            output.WriteLine(Line(r, backend.Info.PeakBandwidth));
        }
        return results;
    }

    /// <summary>One table row: name, median time, rate, and for bandwidth-bound work the share of the peak.</summary>
    public static string Line(Result r, double peakBandwidth)
    {
        string share = r.Unit == "GB/s" && peakBandwidth > 0 ? $"  {100 * r.Rate * 1e9 / peakBandwidth:F1}% of peak" : "";
        return $"{r.Name,-28} {r.MedianS * 1e3,10:F3} ms {r.Rate,10:F1} {r.Unit}{share}";
    }
}
