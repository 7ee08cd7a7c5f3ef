using RocketNet.Serving;
using System.Globalization;

namespace RocketNet.Training.Data;

/// <summary>
/// Streams Criteo display-advertising rows — label, 13 integer features I1..I13, 26 categorical features
/// C1..C26 (hex hashes), any of them possibly empty — from the original tab-separated files or from the
/// CSV sample with a header, one line at a time in constant memory (gzip is decompressed on the fly).
/// </summary>
/// <remarks>
/// Integers are log-bucketised as in the competition winners' solution: missing → 0, v &lt; 0 → 1,
/// v ∈ {0, 1, 2} → v + 2, v &gt; 2 → 4 + ⌊ln²v⌋ (clamped to <see cref="CriteoOptions.IntegerBuckets"/> − 1).
/// Categorical values go through <see cref="FeatureHashing.Bucket"/>.
/// </remarks>
public static class CriteoReader
{
    /// <summary>Number of integer features.</summary>
    public const int IntegerFieldCount = 13;

    /// <summary>Number of categorical features.</summary>
    public const int CategoricalFieldCount = 26;

    /// <summary>Fields per row.</summary>
    public const int FieldCount = IntegerFieldCount + CategoricalFieldCount;

    /// <summary>Names of the fields in order: I1..I13, C1..C26.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
        [.. Enumerable.Range(1, IntegerFieldCount).Select(i => $"I{i}"),
            .. Enumerable.Range(1, CategoricalFieldCount).Select(i => $"C{i}")];

    /// <summary>Ids per field under <paramref name="options"/>, for a multi-field embedding.</summary>
    public static int[] VocabularySizes(CriteoOptions? options = null)
    {
        options ??= new CriteoOptions();
        return [.. Enumerable.Repeat(options.IntegerBuckets, IntegerFieldCount),
            .. Enumerable.Repeat(options.HashBuckets, CategoricalFieldCount)];
    }

    /// <summary>Streams the rows of <paramref name="path"/> lazily; the file stays open while enumerating.</summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row has the wrong cell count, a label is not 0/1,
    /// or an integer cell does not parse; the message names the file, line and column.</exception>
    public static IEnumerable<ClickRow> ReadRows(string path, CriteoOptions? options = null)
    {
        options ??= new CriteoOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IntegerBuckets, 6);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashBuckets, 2);
        return Enumerate(new StreamReader(CompressedFile.OpenRead(path)), path, 0, null, options);
    }

    /// <summary>
    /// Streams the rows of <paramref name="path"/> after those <paramref name="skipped"/> passed, with the file's line
    /// numbers (see <see cref="RawLineSkipper"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row is invalid.</exception>
    public static IEnumerable<ClickRow> ReadRows(string path, SkippedRows skipped, CriteoOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        options ??= new CriteoOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.IntegerBuckets, 6);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashBuckets, 2);
        return Enumerate(skipped.Rest, path, skipped.LinesSkipped, skipped.FirstLine, options);
    }

    // Lines after the first linesBefore ones (whose first line, if passed, was firstLine).
    private static IEnumerable<ClickRow> Enumerate(TextReader text, string path, long linesBefore, string? firstLine,
        CriteoOptions options)
    {
        using var reader = text;
        long lineNumber = linesBefore;
        var format = options.Format;
        // The layout of an Auto file is decided by its first line, here or already passed.
        if (format == CriteoFormat.Auto && firstLine is not null)
            format = firstLine.StartsWith("label", StringComparison.OrdinalIgnoreCase)
                ? CriteoFormat.CsvWithHeader : CriteoFormat.TabSeparated;
        string[] names = ["label", .. FieldNames];
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (format == CriteoFormat.Auto)
                format = line.StartsWith("label", StringComparison.OrdinalIgnoreCase)
                    ? CriteoFormat.CsvWithHeader : CriteoFormat.TabSeparated;
            if (lineNumber == 1 && format == CriteoFormat.CsvWithHeader) continue;
            if (line.Length == 0) continue;
            yield return ParseLine(line, format == CriteoFormat.TabSeparated ? '\t' : ',', path,
                lineNumber, names, options);
        }
    }

    private static ClickRow ParseLine(string line, char separator, string path, long lineNumber, string[] names,
        CriteoOptions options)
    {
        var ids = new int[FieldCount];
        var rest = line.AsSpan();
        int label = 0;
        for (int column = 0; column <= FieldCount; column++)
        {
            int end = rest.IndexOf(separator);
            if (end < 0 && column < FieldCount)
                throw DataFileErrors.AtCell(path, lineNumber, column + 2, names[Math.Min(column + 1, FieldCount)],
                    $"the row ends after {column + 1} cells; a Criteo row has {FieldCount + 1} " +
                    "(label, I1..I13, C1..C26).");
            if (end >= 0 && column == FieldCount)
                throw DataFileErrors.AtCell(path, lineNumber, column + 2, "(none)",
                    $"the row has more than {FieldCount + 1} cells.");
            var cell = (end < 0 ? rest : rest[..end]).Trim();
            if (end >= 0) rest = rest[(end + 1)..];
            if (column == 0)
                label = cell is "0" or "0.0" ? 0 : cell is "1" or "1.0" ? 1
                    : throw DataFileErrors.AtCell(path, lineNumber, 1, "label",
                        $"label '{cell.ToString()}' is not 0 or 1.");
            else if (column <= IntegerFieldCount)
                ids[column - 1] = IntegerBucket(cell, options.IntegerBuckets, path, lineNumber,
                    column + 1, names[column]);
            else
                ids[column - 1] = FeatureHashing.Bucket(cell, options.HashBuckets);
        }
        return new ClickRow(label, ids, lineNumber);
    }

    /// <summary>Log-bucket of an integer cell (see the class remarks).</summary>
    internal static int IntegerBucket(ReadOnlySpan<char> cell, int buckets, string path, long line,
        int column, string name)
    {
        if (cell.IsEmpty) return 0;
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v)
            || v != Math.Floor(v))
            throw DataFileErrors.AtCell(path, line, column, name, $"'{cell.ToString()}' is not an integer count.");
        // 1e400 parses to infinity, which no count is (and the log transform rejects).
        if (double.IsInfinity(v))
            throw DataFileErrors.AtCell(path, line, column, name,
                $"'{cell.ToString()}' is out of range; expected a finite integer count.");
        return IntegerBucket(v, buckets);
    }

    /// <summary>
    /// Log-bucket of an integer value among <paramref name="buckets"/> ids (0 is reserved for missing).
    /// </summary>
    public static int IntegerBucket(double value, int buckets)
    {
        if (value < 0) return 1;
        if (value <= 2) return (int)value + 2;
        double log = DeterministicMath.Log(value); // reproducible bucket edges on every platform
        return (int)Math.Min(buckets - 1, 4 + Math.Floor(log * log));
    }

    /// <summary>
    /// Reads the first <paramref name="maxRows"/> rows into a dataset of shape [39] (ids as floats), 2 classes.
    /// </summary>
    /// <exception cref="InvalidDataException">A row is invalid, or the file holds no rows.</exception>
    public static Dataset ReadDataset(string path, int maxRows, CriteoOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRows);
        var features = new List<float>();
        var labels = new List<int>();
        foreach (var row in ReadRows(path, options).Take(maxRows))
        {
            foreach (int id in row.FieldIds) features.Add(id);
            labels.Add(row.Label);
        }
        if (labels.Count == 0) throw DataFileErrors.At(path, "its end", "no Criteo rows found.");
        return new Dataset(Path.GetFileNameWithoutExtension(path), [.. features], [.. labels], [FieldCount], 2,
            ["no click", "click"]);
    }
}
