namespace Spike.Datasets;

/// <summary>Train/test splitting (spikingjelly.datasets.split_to_train_test_set).</summary>
public static class DatasetSplit
{
    /// <summary>
    /// Splits per class: the indices of class c (in dataset order, or shuffled by <paramref name="seed"/> when
    /// <paramref name="randomSplit"/>) are cut at <c>ceil(count_c · trainRatio)</c>; the first part goes to train.
    /// Labels are read through <see cref="IDataset.LabelOf"/>; a label outside 0..classCount-1 is an error.
    /// </summary>
    public static (Subset Train, Subset Test) ToTrainTest(IDataset dataset, double trainRatio, int classCount, bool randomSplit = false, int seed = 0)
    {
        if (trainRatio is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(trainRatio), $"ToTrainTest: train ratio {trainRatio} is not in [0, 1]");
        var perClass = new List<int>[classCount];
        for (int c = 0; c < classCount; c++) perClass[c] = [];
        for (int i = 0; i < dataset.Count; i++)
        {
            long y = dataset.LabelOf(i);
            if (y < 0 || y >= classCount) throw new ArgumentException($"ToTrainTest: sample {i} has label {y}, outside 0..{classCount - 1}");
            perClass[y].Add(i);
        }
        var rng = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var idx in perClass)
        {
            if (randomSplit) Shuffle(idx, rng);
            // Same double product and ceil as Python's math.ceil(len * ratio), so the cut matches exactly.
            int pos = (int)Math.Ceiling(idx.Count * trainRatio);
            train.AddRange(idx.Take(pos));
            test.AddRange(idx.Skip(pos));
        }
        return (new Subset(dataset, train), new Subset(dataset, test));
    }

    /// <summary>Fisher–Yates shuffle.</summary>
    public static void Shuffle<T>(IList<T> list, Random rng)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
