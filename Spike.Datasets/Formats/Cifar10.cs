namespace Spike.Datasets.Formats;

/// <summary>
/// CIFAR-10 binary batches (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>, <c>test_batch.bin</c>): records of
/// 1 label byte and 3072 pixel bytes (the R, G, B planes of a 32×32 image, row-major).
/// </summary>
public static class Cifar10Binary
{
    public const int RecordBytes = 1 + 3 * 32 * 32;

    /// <summary>Images UInt8 <c>[N, 3, 32, 32]</c> and labels Int64 <c>[N]</c>.</summary>
    public static (Tensor Images, long[] Labels) Parse(ReadOnlySpan<byte> data, string source)
    {
        if (data.Length % RecordBytes != 0)
            throw new DatasetFormatException(source, data.Length - data.Length % RecordBytes, $"truncated: {data.Length} bytes is not a whole number of {RecordBytes}-byte records");
        int n = data.Length / RecordBytes;
        var px = new byte[n * (RecordBytes - 1)];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            byte label = data[i * RecordBytes];
            if (label > 9) throw new DatasetFormatException(source, (long)i * RecordBytes, $"record {i}: label {label} is not in 0..9");
            labels[i] = label;
            data.Slice(i * RecordBytes + 1, RecordBytes - 1).CopyTo(px.AsSpan(i * (RecordBytes - 1)));
        }
        return (new Tensor(new CpuStorage(px, DType.UInt8), Layout.Contiguous([n, 3, 32, 32])), labels);
    }

    public static (Tensor Images, long[] Labels) Read(string path) => Parse(DataFile.ReadAll(path), path);
}
