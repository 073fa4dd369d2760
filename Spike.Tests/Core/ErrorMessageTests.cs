using FluentAssertions;
using NUnit.Framework;

namespace Spike.Tests.Core;

/// <summary>Bad shapes, dtypes, axes and arguments across the op families: each raises an argument or operation
/// exception whose message names the op and the shapes involved (never a bare runtime crash).</summary>
public class ErrorMessageTests
{
    static readonly Tensor M = Tensor.Zeros(2, 3);
    static readonly Tensor S = Tensor.Scalar(2);
    static readonly Tensor Ix = Tensor.FromArray(new long[] { 0, 2 });

    static readonly (string Call, Action Run, string[] Fragments)[] Cases =
    [
        ("add", () => _ = M + Tensor.Zeros(4), ["add", "[2, 3]", "[4]"]),
        ("mul of Bools", () => _ = M.Gt(0) * M.Lt(0), ["mul", "Bool"]),
        ("where", () => _ = Tensor.Where(Tensor.Zeros([4], DType.Bool), M, M), ["where", "[4]", "[2, 3]"]),
        ("abs of Bool", () => _ = M.Gt(0).Abs(), ["abs", "Bool", "[2, 3]"]),
        ("matmul", () => _ = M.Matmul(M), ["matmul", "[2, 3]", "inner dimensions 3 and 2"]),
        ("matmul of a 0-d", () => _ = S.Matmul(M), ["matmul", "[]", "[2, 3]"]),
        ("linear", () => _ = M.Linear(Tensor.Zeros(4, 4)), ["linear", "[2, 3]", "[4, 4]"]),
        ("conv2d channels", () => _ = Tensor.Zeros(1, 2, 5, 5).Conv2d(Tensor.Zeros(2, 1, 3, 3)), ["conv2d", "[1, 2, 5, 5]", "[2, 1, 3, 3]"]),
        ("conv2d dtype", () => _ = Tensor.Zeros([1, 1, 3, 3], DType.Int32).Conv2d(Tensor.Zeros([1, 1, 3, 3], DType.Int32)), ["conv2d", "Int32", "[1, 1, 3, 3]"]),
        ("conv1d rank", () => _ = M.Conv1d(Tensor.Zeros(1, 1, 1)), ["conv1d", "[2, 3]", "[1, 1, 1]"]),
        ("conv_transpose2d", () => _ = Tensor.Zeros(1, 2, 3, 3).ConvTranspose2d(Tensor.Zeros(3, 1, 2, 2)), ["conv_transpose2d", "[1, 2, 3, 3]", "[3, 1, 2, 2]"]),
        ("max_pool2d", () => _ = Tensor.Zeros(1, 1, 2, 2).MaxPool2d(3), ["max_pool2d", "[1, 1, 2, 2]"]),
        ("avg_pool2d dtype", () => _ = Tensor.Zeros([1, 1, 4, 4], DType.Int32).AvgPool2d(2), ["avg_pool2d", "Int32", "[1, 1, 4, 4]"]),
        ("adaptive_avg_pool2d", () => _ = M.AdaptiveAvgPool2d(2), ["adaptive_avg_pool2d", "[2, 3]"]),
        ("batch_norm", () => _ = M.BatchNorm(Tensor.Zeros(4), Tensor.Ones(4)), ["batch_norm", "[4]", "[2, 3]"]),
        ("cross_entropy target", () => _ = M.CrossEntropy(Tensor.FromArray(new long[] { 0, 5 })), ["cross_entropy", "5", "3 classes"]),
        ("cross_entropy probabilities", () => _ = M.CrossEntropy(Tensor.Zeros(2, 4)), ["cross_entropy", "[2, 4]", "[2, 3]"]),
        ("mse_loss", () => _ = M.MseLoss(Tensor.Zeros(4)), ["mse_loss", "[2, 3]", "[4]"]),
        ("sum axis", () => _ = M.Sum(5), ["sum", "axis 5", "rank 2"]),
        ("var repeated axis", () => _ = M.Var([1, -1]), ["var", "repeats"]),
        ("amax of nothing", () => _ = Tensor.Zeros(2, 0).Amax([1]), ["amax", "[2, 0]"]),
        ("argmax axis", () => _ = M.ArgMax(2), ["argmax", "axis 2", "rank 2"]),
        ("softmax axis", () => _ = M.Softmax(2), ["softmax", "axis 2", "rank 2"]),
        ("cumsum axis", () => _ = M.Cumsum(-3), ["cumsum", "axis -3", "rank 2"]),
        ("gather index dtype", () => _ = M.Gather(1, Tensor.Zeros(2, 3)), ["gather", "Float32", "[2, 3]"]),
        ("gather index shape", () => _ = M.Gather(1, Ix), ["gather", "[2]", "[2, 3]"]),
        ("gather index range", () => _ = M.Gather(1, Tensor.FromArray(new long[] { 0, 3 }, 2, 1)), ["gather", "index 3", "[2, 3]"]),
        ("index_select index rank", () => _ = M.IndexSelect(0, Tensor.Zeros([2, 2], DType.Int64)), ["index_select", "[2, 2]", "[2, 3]"]),
        ("scatter_add", () => _ = M.ScatterAdd(1, Tensor.Zeros([2, 4], DType.Int64), M), ["scatter_add", "[2, 4]", "[2, 3]"]),
        ("one_hot", () => _ = Tensor.FromArray(new long[] { 3 }).OneHot(3), ["one_hot", "index 3", "size 3"]),
        ("cat ranks", () => _ = Tensor.Cat([M, Tensor.Zeros(3)]), ["cat", "[2, 3]", "[3]"]),
        ("stack shapes", () => _ = Tensor.Stack([M, M.T]), ["stack", "[3, 2]", "[2, 3]"]),
        ("split sizes", () => _ = M.Split([1, 1], 1), ["split", "[1, 1]", "[2, 3]"]),
        ("chunk count", () => _ = M.Chunk(0, 1), ["chunk", "[2, 3]"]),
        ("pad list", () => _ = M.Pad([1]), ["pad", "[2, 3]"]),
        ("repeat counts", () => _ = M.Repeat(2), ["repeat", "[2, 3]"]),
        ("flip repeated axis", () => _ = M.Flip(1, -1), ["flip", "repeats"]),
        ("reshape", () => _ = M.Reshape(4, 2), ["reshape", "[4, 2]", "6"]),
        ("view of a transpose", () => _ = M.T.View(6), ["view", "[6]", "[3, 2]"]),
        ("expand", () => _ = M.Expand(3, 3), ["expand", "[2, 3]", "[3, 3]"]),
        ("permute", () => _ = M.Permute(0, 0), ["permute", "[0, 0]"]),
        ("transpose axis", () => _ = M.Transpose(0, 2), ["transpose", "axis 2", "rank 2"]),
        ("narrow range", () => _ = M.Narrow(1, 2, 2), ["narrow", "[2, 4)", "[2, 3]"]),
        ("select index", () => _ = M.Select(1, 3), ["select", "index 3", "[2, 3]"]),
        ("select on 0-d", () => _ = S.Select(0, 0), ["select", "0-d"]),
        ("narrow on 0-d", () => _ = S.Narrow(0, 0, 1), ["narrow", "0-d"]),
        ("split on 0-d", () => _ = S.Split(1), ["split", "0-d"]),
        ("size on 0-d", () => _ = S.Size(0), ["size", "0-d"]),
        ("unsqueeze axis", () => _ = M.Unsqueeze(4), ["unsqueeze", "axis 4", "rank 3"]),
        ("flatten order", () => _ = M.Flatten(1, 0), ["flatten", "[2, 3]"]),
        ("from array", () => _ = Tensor.FromArray(new float[5], 2, 3), ["FromArray", "[2, 3]", "5"]),
        ("to array dtype", () => _ = M.ToArray<double>(), ["ToArray", "Float32"]),
        ("item", () => _ = M.Item(), ["Item", "[2, 3]"]),
        ("arange step", () => _ = Tensor.Arange(0, 1, 0), ["arange", "step"]),
        ("bernoulli p", () => _ = Tensor.Bernoulli([3], 2), ["bernoulli", "2", "[3]"]),
        ("bernoulli probabilities", () => _ = Tensor.Bernoulli(Tensor.FromArray(new[] { 0.5f, 1.5f })), ["bernoulli", "[2]"]),
        ("normal std", () => _ = Tensor.Randn([2], std: -1), ["normal", "-1", "[2]"]),
        ("uniform range", () => _ = Tensor.Rand([2], low: 1, high: 0), ["uniform", "[2]"]),
        ("dropout p", () => _ = M.Dropout(2), ["dropout", "2"]),
        ("negative size", () => _ = Tensor.Zeros(2, -1), ["[2, -1]", "negative"]),
        ("requires grad on integers", () => Tensor.Arange(3).RequiresGrad = true, ["floating", "Int64"]),
        ("backward of a vector", () => Tensor.Zeros(2).RequiresGrad_().Mul(Tensor.Ones(2)).Backward(), ["Backward", "[2]"]),
        ("backward seed shape", () => Tensor.Zeros(2).RequiresGrad_().Mul(Tensor.Ones(2)).Backward(Tensor.Ones(3)), ["Backward", "[3]", "[2]"]),
        ("grad check dtype", () => GradCheck.Run(t => t[0], [Tensor.Zeros(2).RequiresGrad_()]), ["GradCheck", "Float64", "Float32"]),
    ];

    public static IEnumerable<string> Calls => Cases.Select(c => c.Call);

    [TestCaseSource(nameof(Calls))]
    public void NamesTheOpAndShapes(string call)
    {
        var (_, run, fragments) = Cases.Single(c => c.Call == call);
        var thrown = FluentActions.Invoking(run).Should().Throw<Exception>().Which;
        thrown.Should().Match(e => e is ArgumentException || e is InvalidOperationException || e is IndexOutOfRangeException || e is InvalidCastException,
            $"a bad argument raises an argument or operation error, not {thrown.GetType().Name}");
        foreach (var fragment in fragments) thrown.Message.Should().Contain(fragment);
    }
}
