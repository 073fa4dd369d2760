using Spike.Nn;

namespace Spike.Cli;

/// <summary>
/// <c>spike device check</c>: every op of the backend contract and every fused kernel run on a device and on the CPU
/// from the same inputs, compared element by element. The error of one check is max |device − cpu| / (1 + |cpu|)
/// over its outputs (NaN where the CPU has a number counts as infinite); integers, Bool and spikes must agree exactly.
/// The table lists every check; any failure makes the command exit non-zero.
/// </summary>
public static class DeviceCheck
{
    /// <summary>One comparison: a name, the dtype it runs in, the op (inputs are made on the CPU from fixed seeds and
    /// moved to the device given), and the tolerance (0: exact).</summary>
    public sealed record Check(string Op, string DType, Func<Device, Tensor[]> Run, double Tolerance);

    public sealed record Outcome(Check Check, double Error, string? Problem)
    {
        public bool Passed => Problem is null && Error <= Check.Tolerance;
    }

    /// <summary>Runs every check on <paramref name="device"/>, writes the table, returns the outcomes.</summary>
    public static IReadOnlyList<Outcome> Run(Device device, TextWriter output)
    {
        var outcomes = new List<Outcome>();
        output.WriteLine($"{"check",-44} {"dtype",-8} {"max error",10} {"tolerance",10}  result");
        foreach (var check in All())
        {
            var outcome = Compare(check, device);
            outcomes.Add(outcome);
            string error = outcome.Problem is null ? outcome.Error.ToString("0.0e+00") : "-";
            output.WriteLine($"{check.Op,-44} {check.DType,-8} {error,10} {check.Tolerance,10:0.0e+00}  {(outcome.Passed ? "ok" : "FAIL " + outcome.Problem)}");
        }
        int failed = outcomes.Count(o => !o.Passed);
        output.WriteLine($"{outcomes.Count} checks on {device}: {outcomes.Count - failed} passed, {failed} failed");
        return outcomes;
    }

    static Outcome Compare(Check check, Device device)
    {
        try
        {
            var expected = check.Run(Device.Cpu);
            var actual = check.Run(device);
            double worst = 0;
            for (int k = 0; k < expected.Length; k++)
            {
                var (e, a) = (expected[k], Raw.ToCpu(actual[k]));
                if (!e.Shape.SequenceEqual(a.Shape) || e.DType != a.DType)
                    return new(check, double.PositiveInfinity, $"output {k}: {a.DType} {Layout.Fmt(a.Layout.Shape)}, expected {e.DType} {Layout.Fmt(e.Layout.Shape)}");
                var ev = Raw.ToDType(e, DType.Float64).ToArray<double>();
                var av = Raw.ToDType(a, DType.Float64).ToArray<double>();
                for (int i = 0; i < ev.Length; i++)
                {
                    if (ev[i] == av[i] || (double.IsNaN(ev[i]) && double.IsNaN(av[i]))) continue;
                    double err = Math.Abs(av[i] - ev[i]) / (1 + Math.Abs(ev[i]));
                    worst = Math.Max(worst, double.IsNaN(err) ? double.PositiveInfinity : err);
                }
            }
            return new(check, worst, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(check, double.PositiveInfinity, $"{e.GetType().Name}: {e.Message}");
        }
    }

    // ---- inputs ---------------------------------------------------------------------------------------------------

    static Tensor In(Device d, int seed, DType dtype, params int[] shape)
    {
        var x = dtype switch
        {
            DType.Bool => Tensor.Bernoulli(shape, 0.5, new Generator((ulong)seed), DType.Bool),
            DType.UInt8 => Raw.ToDType(Tensor.Rand(shape, new Generator((ulong)seed), 0, 20), dtype),
            DType.Int32 or DType.Int64 => Raw.ToDType(Tensor.Rand(shape, new Generator((ulong)seed), -9, 10), dtype),
            _ => Raw.ToDType(Tensor.Randn(shape, new Generator((ulong)seed)), dtype),
        };
        return Raw.ToDevice(x, d);
    }

    static Tensor Classes(Device d, int seed, int classes, params int[] shape) =>
        Raw.ToDevice(Raw.ToDType(Tensor.Rand(shape, new Generator((ulong)seed), 0, classes), DType.Int64), d);

    // Float16: both devices compute in float and round, so results differ by at most an ulp of half (2^-10 relative)
    // where the float math differs in its last bits (exp, tanh, ...) or sums in another order.
    static double Tol(DType t) => t == DType.Float32 ? 1e-4 : t == DType.Float64 ? 1e-10 : t == DType.Float16 ? 2e-3 : 0;

    /// <summary>Integer inputs of ops that need real numbers are promoted to Float32: its tolerance (exact results
    /// still show error 0).</summary>
    static double Promoted(DType t) => t.IsFloating() ? Tol(t) : Tol(DType.Float32);

    static readonly DType[] Numeric = [DType.Float32, DType.Float64, DType.Int32, DType.Int64, DType.UInt8];
    static readonly DType[] Reals = [DType.Float32, DType.Float64];

    static Check C(string op, DType t, Func<Device, Tensor[]> run, double? tol = null) => new(op, t.ToString(), run, tol ?? Tol(t));

    // ---- the checks ------------------------------------------------------------------------------------------------

    /// <summary>Every check, in table order.</summary>
    public static IEnumerable<Check> All() => Elementwise().Concat(Reductions()).Concat(Linalg()).Concat(NnOps()).Concat(Spiking()).Concat(Half());

    static IEnumerable<Check> Elementwise()
    {
        foreach (var from in Numeric.Append(DType.Bool))
            foreach (var to in Numeric.Append(DType.Bool))
                yield return C($"copy {from} -> {to} (strided)", to, d => [Raw.ToDType(Raw.Transpose(In(d, 1, from, 33, 17), 0, 1), to)], 0);
        foreach (var op in Enum.GetValues<UnaryOp>())
            foreach (var t in op == UnaryOp.LogicalNot ? [DType.Bool] : Numeric)
                yield return C($"unary {op} (strided)", t, d => [Raw.Unary(op, Raw.Transpose(In(d, 2, t, 40, 9), 0, 1), 2, 3)], Promoted(t));
        foreach (var op in Enum.GetValues<BinaryOp>())
            foreach (var t in op is BinaryOp.LogicalAnd or BinaryOp.LogicalOr ? [DType.Bool] : Numeric)
                yield return C($"binary {op} (broadcast)", t, d => [Raw.Binary(op, In(d, 3, t, 7, 1, 50), In(d, 4, t, 9, 1))], Promoted(t));
        foreach (var t in Numeric)
            yield return C("where (broadcast)", t, d => [Raw.Where(In(d, 5, DType.Bool, 8, 1), In(d, 6, t, 1, 30), In(d, 7, t, 8, 30))], 0);
        foreach (var t in Reals)
        {
            yield return C("fill", t, d => [Tensor.Full([5, 77], -2.5, t, d)], 0);
            yield return C("rand uniform", t, d => [Tensor.Rand([3000], new Generator(8), -1, 3, t, d)], 0);
            yield return C("randn", t, d => [Tensor.Randn([3000], new Generator(9), 1, 2, t, d)], 1e-9);
            yield return C("bernoulli", t, d => [Tensor.Bernoulli([3000], 0.3, new Generator(10), t, d)], 0);
            yield return C("dropout mask", t, d => [Raw.DropoutMask([3000], 0.4, t, d, new Generator(11))], 0);
        }
    }

    static IEnumerable<Check> Reductions()
    {
        foreach (var t in Numeric)
            foreach (var op in new[] { ReduceOp.Sum, ReduceOp.Prod, ReduceOp.Max, ReduceOp.Min })
            {
                // Products of 300 values: near 1 for reals (finite), wrapping exactly for integers.
                Tensor X(Device d) => op == ReduceOp.Prod && t.IsFloating() ? Raw.ToDevice(Raw.ToDType(Tensor.Rand([12, 300, 5], new Generator(12), 0.9, 1.1), t), d) : In(d, 12, t, 12, 300, 5);
                yield return C($"reduce {op} rows", t, d => [Raw.Reduce(op, X(d), [1, 2], false)]);
                yield return C($"reduce {op} columns", t, d => [Raw.Reduce(op, X(d), [0, 1], false)]);
            }
        foreach (var t in Numeric)
        {
            yield return C("argmax / argmin", t, d => [Raw.ArgMax(In(d, 13, t, 20, 700), 1, false), Raw.ArgMin(In(d, 13, t, 20, 700), 1, false)], 0);
            yield return C("cumsum rows and columns", t, d => [Raw.Cumsum(In(d, 14, t, 6, 500), 1), Raw.Cumsum(In(d, 14, t, 6, 500), 0, reverse: true)]);
        }
        yield return C("any / all", DType.Bool, d => [Raw.Any(In(d, 15, DType.Bool, 30, 40), [1], false), Raw.All(In(d, 15, DType.Bool, 30, 40), [1], false)], 0);
        foreach (var t in Reals)
        {
            yield return C("logsumexp / var", t, d => [Raw.LogSumExp(In(d, 16, t, 9, 600), [1], false), Raw.Var(In(d, 16, t, 9, 600), [1], 1, false)]);
            foreach (bool log in new[] { false, true })
                foreach (int axis in new[] { 1, 0 })
                    yield return C($"{(log ? "log_softmax" : "softmax")} axis {axis} fwd+bwd", t, d =>
                    {
                        var y = Raw.Softmax(In(d, 17, t, 40, 300), axis, log);
                        return [y, Raw.SoftmaxBackward(y, In(d, 18, t, 40, 300), axis, log)];
                    });
        }
    }

    static IEnumerable<Check> Linalg()
    {
        foreach (var t in Numeric)
        {
            yield return C("matmul batched, transposed b", t, d => [Raw.Matmul(In(d, 19, t, 4, 33, 65), Raw.Transpose(In(d, 20, t, 4, 17, 65), 1, 2))]);
            yield return C("matmul broadcast batch and vector", t, d => [Raw.Matmul(In(d, 21, t, 65), In(d, 22, t, 3, 65, 40))]);
            yield return C("matmul batch-summing destination", t, d =>
            {
                var dst = Tensor.Zeros([1, 20, 30], t, d);
                Raw.MatmulInto(In(d, 23, t, 6, 20, 50), In(d, 24, t, 6, 50, 30), Raw.Expand(dst, 6, 20, 30), accumulate: true);
                return [dst];
            });
        }
        foreach (var t in Reals)
        {
            var o = new ConvOptions(SH: 2, SW: 1, PH: 1, PW: 1, DH: 1, DW: 2, Groups: 2);
            yield return C("conv2d fwd + input and weight grads", t, d =>
            {
                Tensor x = In(d, 25, t, 4, 6, 15, 13), w = In(d, 26, t, 8, 3, 3, 3), b = In(d, 27, t, 8);
                var (_, g) = Raw.CheckConv("conv2d", ref x, ref w, ref b!, o, transposed: false);
                var dy = In(d, 28, t, 4, 8, g.OH, g.OW);
                return [Raw.Conv2d(x, w, b, o), Raw.Conv2dInputGrad(dy, w, g, 2), Raw.Conv2dWeightGrad(dy, x, g, 2)];
            });
        }
    }

    static IEnumerable<Check> NnOps()
    {
        foreach (var t in Reals)
        {
            var w = new PoolWindow(3, 3, 2, 2, PH: 1, PW: 1, CeilMode: true, CountIncludePad: false);
            yield return C("max pool fwd + bwd", t, d =>
            {
                var x = In(d, 29, t, 3, 4, 17, 16);
                var (v, i, _) = Raw.MaxPool(x, 2, w);
                return [v, i, Raw.PoolScatter(In(d, 30, t, v.Shape.ToArray()), i, x.Shape.ToArray(), 2)];
            });
            yield return C("avg pool fwd + bwd", t, d =>
            {
                var x = In(d, 31, t, 3, 4, 17, 16);
                var (v, g) = Raw.AvgPool(x, 2, w);
                return [v, Raw.AvgPoolBackward(In(d, 32, t, v.Shape.ToArray()), x.Shape.ToArray(), 2, g)];
            });
            yield return C("adaptive pools fwd + bwd", t, d =>
            {
                var x = In(d, 33, t, 3, 4, 17, 16);
                var (mv, mi) = Raw.AdaptiveMaxPool(x, 2, [5, 7]);
                return [Raw.AdaptiveAvgPool(x, 2, [5, 7]), mv, mi, Raw.AdaptiveAvgPoolBackward(In(d, 34, t, 3, 4, 5, 7), x.Shape.ToArray(), 2)];
            });
            yield return C("batch norm train fwd + bwd", t, d =>
            {
                var x = In(d, 35, t, 8, 5, 6, 7);
                var (y, mean, invstd) = Raw.BatchNorm(x, null, null, In(d, 36, t, 5), In(d, 37, t, 5), true, 0.1, 1e-5);
                var (gi, gw, gb) = Raw.BatchNormBackward(In(d, 38, t, 8, 5, 6, 7), x, mean, invstd, In(d, 36, t, 5), true, true, true, true);
                return [y, mean, invstd, gi!, gw!, gb!];
            });
            yield return C("cross entropy (class, smoothing, weights) fwd + bwd", t, d =>
            {
                var z = In(d, 39, t, 16, 10, 3);
                var tgt = Classes(d, 40, 10, 16, 3);
                var (loss, lse, tw) = Raw.CrossEntropy(z, tgt, Raw.Unary(UnaryOp.Abs, In(d, 41, t, 10)), 0.1, -100);
                return [loss, lse, tw!, Raw.CrossEntropyBackward(In(d, 42, t, 16, 3), z, tgt, Raw.Unary(UnaryOp.Abs, In(d, 41, t, 10)), lse, 0.1, -100, false).GradLogits];
            });
            yield return C("cross entropy (probabilities) fwd + bwd", t, d =>
            {
                var z = In(d, 43, t, 16, 10);
                var p = Raw.Softmax(In(d, 44, t, 16, 10), 1);
                var (loss, lse, _) = Raw.CrossEntropy(z, p, null, 0, -100);
                var (gz, gp) = Raw.CrossEntropyBackward(In(d, 45, t, 16), z, p, null, lse, 0, -100, true);
                return [loss, gz, gp!];
            });
            yield return C("nll and bce", t, d =>
            {
                var x = Raw.Softmax(In(d, 46, t, 16, 10), 1, log: true);
                var tgt = Classes(d, 47, 10, 16);
                var p = Raw.Unary(UnaryOp.Sigmoid, In(d, 48, t, 40));
                return [Raw.NllLoss(x, tgt, null, -100).Loss, Raw.NllLossBackward(In(d, 49, t, 16), x, tgt, null, -100),
                    Raw.BinaryCrossEntropy(p, Raw.ToDType(In(d, 50, DType.Bool, 40), t))];
            });
        }
        foreach (var t in Numeric)
        {
            yield return C("gather / index_select / flip", t, d =>
            {
                var x = In(d, 51, t, 6, 30, 4);
                var idx = Classes(d, 52, 30, 6, 20, 4);
                return [Raw.Gather(x, 1, idx), Raw.IndexSelect(x, 1, Classes(d, 53, 30, 9)), Raw.Flip(x, 0, 2)];
            }, 0);
            yield return C("scatter_add (duplicate indices)", t, d => [Raw.ScatterAdd(In(d, 54, t, 6, 10, 4), 1, Classes(d, 55, 10, 6, 25, 4), In(d, 56, t, 6, 25, 4))]);
            yield return C("cat / stack", t, d => [Raw.Cat([In(d, 57, t, 3, 5), Raw.Transpose(In(d, 58, t, 7, 3), 0, 1)], 1), Raw.Stack([In(d, 57, t, 3, 5), In(d, 59, t, 3, 5)], 1)], 0);
        }
    }

    static readonly Func<Surrogate>[] Surrogates =
        [() => new Sigmoid(), () => new ATan(), () => new Erf(), () => new SoftSign(), () => new PiecewiseQuadratic(), () => new PiecewiseExp(),
         () => new NonzeroSignLogAbs(), () => new PiecewiseLeakyReLU(), () => new SquarewaveFourierSeries(3), () => new S2NN(), () => new QPseudoSpike()];

    static readonly Func<Surrogate, BaseNode>[] Neurons =
    [
        s => new IFNode(surrogate: s, stepMode: StepMode.Multi),
        s => new LifNode(tau: 3, decayInput: false, vReset: -0.1, surrogate: s, stepMode: StepMode.Multi),
        s => new LifNode(tau: 2, vReset: null, detachReset: true, surrogate: s, stepMode: StepMode.Multi),
        s => new ParametricLifNode(initTau: 2.5, surrogate: s, stepMode: StepMode.Multi),
        s => new QifNode(surrogate: s, stepMode: StepMode.Multi),
        s => new EifNode(surrogate: s, stepMode: StepMode.Multi),
        s => new IzhikevichNode(a: 0.3, b: 0.2, surrogate: s, stepMode: StepMode.Multi),
    ];

    /// <summary>A neuron over T = 8 steps of [64, 9] inputs on the device, fused there: spikes, V_seq, H, dL/dx
    /// (and PLIF's dL/dw) for L = Σ S·g + Σ V_seq·h.</summary>
    static Tensor[] NeuronRun(Device d, Func<Surrogate, BaseNode> make, Func<Surrogate> surrogate)
    {
        var node = make(surrogate());
        node.To(d);
        node.StoreVSeq = true;
        var x = Raw.ToDevice(Tensor.Randn([8, 64, 9], new Generator(60), 0.4, 0.8), d).RequiresGrad_();
        var s = node.Forward(x);
        ((s * In(d, 61, DType.Float32, 8, 64, 9)).Sum() + (node.VSeq! * In(d, 62, DType.Float32, 8, 64, 9)).Sum()).Backward();
        var outs = new List<Tensor> { s.Detach(), node.VSeq!.Detach(), node.HLast!, x.Grad! };
        if (node is ParametricLifNode p) outs.Add(p.W.Grad!);
        return [.. outs];
    }

    static IEnumerable<Check> Spiking()
    {
        foreach (var make in Neurons)
            yield return new($"fused {make(new ATan()).GetType().Name} fwd + bwd", "Float32", d => NeuronRun(d, make, () => new ATan()), 1e-4);
        foreach (var sg in Surrogates)
            yield return new($"fused LIF with {sg().GetType().Name}", "Float32", d => NeuronRun(d, Neurons[1], sg), 1e-4);
        yield return new("fused IF with a CUDA-expression surrogate", "Float32", d => NeuronRun(d, Neurons[0],
            () => new CustomSurrogate(x => x.Atan() / Math.PI + 0.5, x => 1 / (Math.PI * (1 + x * x)), "cauchy", "0.31830988f / (1.0f + x * x)")), 1e-4);
        yield return new("single-step LIF inference", "Float32", d =>
        {
            var node = new LifNode(tau: 2);
            node.To(d);
            using var _ = Autograd.NoGrad();
            var outs = new List<Tensor>();
            for (int t = 0; t < 4; t++) outs.Add(node.Forward(Raw.ToDevice(Tensor.Randn([64, 9], new Generator((ulong)(70 + t)), 0.6, 0.8), d)));
            return [.. outs, node.V];
        }, 1e-5);
        yield return new("Poisson encoder", "Float32", d => [new PoissonEncoder(new Generator(5), 6) { StepMode = StepMode.Multi }.Forward(Tensor.Rand([32, 20], new Generator(6), device: d))], 0);
        yield return new("sparse_mm_dense fwd + bwd", "Float32", d =>
        {
            var s = Raw.ToDevice(Tensor.Bernoulli([40, 300], 0.1, new Generator(80)), d).RequiresGrad_();
            var w = In(d, 81, DType.Float32, 300, 20).RequiresGrad_();
            var y = Functional.SparseMmDense(s, w);
            (y * In(d, 82, DType.Float32, 40, 20)).Sum().Backward();
            return [y.Detach(), s.Grad!, w.Grad!];
        }, 1e-4);
    }

    // ---- Float16: casts, the f16 elementwise kernels, ops through Float32 twins, GemmEx, the half neuron kernels ----

    const DType F16 = DType.Float16;

    static IEnumerable<Check> Half()
    {
        foreach (var other in Numeric.Append(DType.Bool))
        {
            yield return C($"copy {other} -> Float16 (strided)", F16, d => [Raw.ToDType(Raw.Transpose(In(d, 1, other, 33, 17), 0, 1), F16)], 0);
            yield return C($"copy Float16 -> {other} (strided)", other, d => [Raw.ToDType(Raw.Transpose(In(d, 1, F16, 33, 17), 0, 1), other)], 0);
        }
        foreach (var op in Enum.GetValues<UnaryOp>().Where(op => op != UnaryOp.LogicalNot))
            yield return C($"unary {op} (strided)", F16, d => [Raw.Unary(op, Raw.Transpose(In(d, 2, F16, 40, 9), 0, 1), 2, 3)]);
        foreach (var op in Enum.GetValues<BinaryOp>().Where(op => op is not (BinaryOp.LogicalAnd or BinaryOp.LogicalOr)))
            yield return C($"binary {op} (broadcast)", F16, d => [Raw.Binary(op, In(d, 3, F16, 7, 1, 50), In(d, 4, F16, 9, 1))]);
        yield return C("where (broadcast)", F16, d => [Raw.Where(In(d, 5, DType.Bool, 8, 1), In(d, 6, F16, 1, 30), In(d, 7, F16, 8, 30))], 0);
        yield return C("fill, rand, randn, dropout mask", F16, d => [Tensor.Full([5, 77], 0.1, F16, d), Tensor.Rand([3000], new Generator(8), -1, 3, F16, d),
            Tensor.Randn([3000], new Generator(9), 1, 2, F16, d), Raw.DropoutMask([3000], 0.4, F16, d, new Generator(11))]);
        yield return C("sum / max / argmax / softmax", F16, d =>
        {
            var x = In(d, 12, F16, 12, 300, 5);
            return [Raw.Reduce(ReduceOp.Sum, x, [1], false), Raw.Reduce(ReduceOp.Max, x, [0, 2], false), Raw.ArgMax(x, 1, false), Raw.Softmax(x, 1)];
        });
        yield return C("matmul (GemmEx)", F16, d => [Raw.Matmul(In(d, 30, F16, 3, 17, 40), Raw.Transpose(In(d, 31, F16, 3, 23, 40), 1, 2))]);
        yield return C("conv2d (im2col + GemmEx)", F16, d => [Raw.Conv2d(In(d, 32, F16, 2, 3, 9, 9), In(d, 33, F16, 4, 3, 3, 3), In(d, 34, F16, 4), new ConvOptions(PH: 1, PW: 1))]);
        yield return C("cross entropy and its gradient", F16, d =>
        {
            var (z, tgt) = (In(d, 44, F16, 16, 10), Classes(d, 47, 10, 16));
            var (loss, lse, _) = Raw.CrossEntropy(z, tgt, null, 0, -100);
            return [loss, Raw.CrossEntropyBackward(In(d, 45, F16, 16), z, tgt, null, lse, 0, -100, false).GradLogits];
        });
        foreach (var (make, name) in new[] { (Neurons[0], "IFNode"), (Neurons[1], "LifNode"), (Neurons[3], "ParametricLifNode"), (Neurons[6], "IzhikevichNode") })
        {
            yield return new($"fused {name} fwd + bwd (half2)", "Float16", d => HalfNeuronRun(d, make, 64), 5e-3);
            if (name == "LifNode") yield return new($"fused {name} fwd + bwd (odd N: one per thread)", "Float16", d => HalfNeuronRun(d, make, 63), 5e-3);
        }
    }

    /// <summary><see cref="NeuronRun"/> in Float16 on the device against Float32 on the CPU (the oracle), from inputs that
    /// are multiples of 1/8, so both start from the same values and rounding alone separates them; the CPU's outputs are
    /// rounded to half for the comparison.</summary>
    static Tensor[] HalfNeuronRun(Device d, Func<Surrogate, BaseNode> make, int n)
    {
        var dtype = d.Kind == DeviceKind.Cpu ? DType.Float32 : F16;
        var node = make(new ATan());
        node.To(dtype);
        node.To(d);
        node.StoreVSeq = true;
        Tensor Eighths(int seed, params int[] shape) =>
            Raw.ToDevice(Raw.ToDType(Raw.Binary(BinaryOp.Div, Raw.Unary(UnaryOp.Round, Tensor.Randn(shape, new Generator((ulong)seed), 4, 6)), Tensor.Scalar(8)), dtype), d);
        var x = Eighths(60, 8, n).RequiresGrad_();
        var s = node.Forward(x);
        ((s * Eighths(61, 8, n)).Sum() + (node.VSeq! * Eighths(62, 8, n)).Sum()).Backward();
        var outs = new List<Tensor> { s.Detach(), node.VSeq!.Detach(), node.HLast!, x.Grad! };
        if (node is ParametricLifNode p) outs.Add(p.W.Grad!);
        return [.. outs.Select(t => Raw.ToDType(t, F16))];
    }
}
