namespace RocketNet.Training.Data;

/// <summary>
/// How <see cref="AvazuReader"/> encodes rows into field ids: the Avazu click-log layout. A row becomes 23 ids:
/// hour of day (24 ids), day of week (7 ids), then the 21 categorical columns C1, banner_pos, …, C21 hashed into
/// <see cref="HashBuckets"/> ids each, as Criteo's are (<see cref="FeatureHashing.Bucket"/>).
/// </summary>
public sealed class AvazuOptions : IClickLogLayout
{
    /// <summary>Ids per categorical field (id 0 = missing, the rest hashed).</summary>
    public int HashBuckets { get; init; } = 10_000;

    /// <inheritdoc />
    public string Name => "avazu";

    /// <inheritdoc />
    public int FieldCount => AvazuReader.FieldCount;

    /// <inheritdoc />
    public int FirstHashedField => AvazuReader.TimeFieldCount;

    /// <inheritdoc />
    public int[] VocabularySizes() =>
        [AvazuReader.HoursPerDay, AvazuReader.DaysPerWeek,
            .. Enumerable.Repeat(HashBuckets, AvazuReader.CategoricalFieldCount)];

    /// <inheritdoc />
    public IEnumerable<ClickRow> ReadRows(string path) => AvazuReader.ReadRows(path, this);

    /// <inheritdoc />
    public IEnumerable<ClickRow> ReadRows(string path, SkippedRows skipped) =>
        AvazuReader.ReadRows(path, skipped, this);

    /// <inheritdoc />
    public bool IsHeader(string firstLine) => AvazuReader.IsHeader(firstLine);
}
