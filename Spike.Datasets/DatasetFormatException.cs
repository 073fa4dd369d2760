namespace Spike.Datasets;

/// <summary>
/// A data file is malformed: truncated, wrong magic or header, out-of-range values or absurd counts.
/// <see cref="Offset"/> is the byte offset where the problem was found (in the decompressed stream for
/// compressed files), <see cref="FilePath"/> the file name (or a label for in-memory data).
/// </summary>
public sealed class DatasetFormatException : IOException
{
    public string FilePath { get; }
    public long Offset { get; }

    public DatasetFormatException(string filePath, long offset, string message, Exception? inner = null)
        : base($"{filePath}: at byte {offset}: {message}", inner)
    {
        FilePath = filePath;
        Offset = offset;
    }
}
