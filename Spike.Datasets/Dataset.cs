namespace Spike.Datasets;

/// <summary>One labelled sample: an input tensor and an integer class.</summary>
public readonly record struct Sample(Tensor X, long Label);

/// <summary>
/// An indexable collection of samples (torch.utils.data.Dataset). <see cref="LabelOf"/> lets utilities such
/// as <see cref="DatasetSplit.ToTrainTest"/> read labels without decoding inputs; override it when that is cheap.
/// </summary>
public interface IDataset
{
    int Count { get; }
    Sample Get(int index);
    long LabelOf(int index) => Get(index).Label;
}

/// <summary>A view of some indices of another dataset (torch.utils.data.Subset).</summary>
public sealed class Subset(IDataset source, IReadOnlyList<int> indices) : IDataset
{
    public IDataset Source { get; } = source;
    public IReadOnlyList<int> Indices { get; } = indices;
    public int Count => Indices.Count;
    public Sample Get(int index) => Source.Get(Indices[index]);
    public long LabelOf(int index) => Source.LabelOf(Indices[index]);
}

/// <summary>Samples held in memory.</summary>
public sealed class ListDataset(IReadOnlyList<Sample> samples) : IDataset
{
    public int Count => samples.Count;
    public Sample Get(int index) => samples[index];
    public long LabelOf(int index) => samples[index].Label;
}

/// <summary>Applies a transform to the input and/or a target transform to the label of every sample.</summary>
public sealed class TransformedDataset(IDataset source, Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform = null) : IDataset
{
    public int Count => source.Count;
    public Sample Get(int index)
    {
        var s = source.Get(index);
        return new Sample(transform is null ? s.X : transform(s.X), targetTransform is null ? s.Label : targetTransform(s.Label));
    }
    public long LabelOf(int index) => targetTransform is null ? source.LabelOf(index) : targetTransform(source.LabelOf(index));
}

/// <summary>Fluent extensions on <see cref="IDataset"/>.</summary>
public static class DatasetExtensions
{
    public static IDataset WithTransform(this IDataset d, Func<Tensor, Tensor>? transform, Func<long, long>? targetTransform = null) =>
        new TransformedDataset(d, transform, targetTransform);
}
