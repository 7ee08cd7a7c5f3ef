namespace RocketNet.Training.Data;

/// <summary>Layout of a Criteo file.</summary>
public enum CriteoFormat
{
    /// <summary>
    /// Decide from the first line: a header starting with "label" means <see cref="CsvWithHeader"/>, otherwise
    /// <see cref="TabSeparated"/>.
    /// </summary>
    Auto,

    /// <summary>The original competition files: tab-separated, no header.</summary>
    TabSeparated,

    /// <summary>Comma-separated with a header line (e.g. the DeepCTR sample).</summary>
    CsvWithHeader,
}

/// <summary>How <see cref="CriteoReader"/> encodes rows into field ids: the Criteo click-log layout.</summary>
public sealed class CriteoOptions : IClickLogLayout
{
    /// <summary>File layout.</summary>
    public CriteoFormat Format { get; init; } = CriteoFormat.Auto;

    /// <summary>Ids per categorical field C1..C26 (id 0 = missing, the rest hashed).</summary>
    public int HashBuckets { get; init; } = 10_000;

    /// <summary>
    /// Ids per integer field I1..I13 after log-bucketisation (larger values are clamped to the last id).
    /// </summary>
    public int IntegerBuckets { get; init; } = 128;

    /// <inheritdoc />
    public string Name => "criteo";

    /// <inheritdoc />
    public int FieldCount => CriteoReader.FieldCount;

    /// <inheritdoc />
    public int FirstHashedField => CriteoReader.IntegerFieldCount;

    /// <inheritdoc />
    public int[] VocabularySizes() => CriteoReader.VocabularySizes(this);

    /// <inheritdoc />
    public IEnumerable<ClickRow> ReadRows(string path) => CriteoReader.ReadRows(path, this);

    /// <inheritdoc />
    public IEnumerable<ClickRow> ReadRows(string path, SkippedRows skipped) =>
        CriteoReader.ReadRows(path, skipped, this);

    /// <inheritdoc />
    public bool IsHeader(string firstLine)
    {
        ArgumentNullException.ThrowIfNull(firstLine);
        return Format == CriteoFormat.CsvWithHeader
            || Format == CriteoFormat.Auto && firstLine.StartsWith("label", StringComparison.OrdinalIgnoreCase);
    }
}
