namespace RocketNet.Training.Data;

/// <summary>
/// A click log kept in one or more Criteo-format files read in order as one stream (e.g. <c>day_0.gz</c>,
/// <c>day_1.gz</c>, …): naming the files, counting their rows and cutting in-memory parts out of the stream by
/// row position. Row positions are 0-based over the whole stream, so a part "rows [a, b)" is a span of time.
/// </summary>
public static class ClickLogFiles
{
    /// <summary>
    /// The files that <paramref name="path"/> names: a comma-separated list (kept in the given order), or a folder
    /// (its files in ordinal name order, hidden files skipped), or one file.
    /// </summary>
    /// <exception cref="FileNotFoundException">A named file does not exist.</exception>
    /// <exception cref="ArgumentException">The path is empty, or the folder holds no files.</exception>
    public static IReadOnlyList<string> Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            var inFolder = Directory.GetFiles(path)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal).ToArray();
            return inFolder.Length > 0 ? inFolder
                : throw new ArgumentException($"Click-log folder '{path}' holds no files.", nameof(path));
        }
        var files = path.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (files.Length == 0)
            throw new ArgumentException($"Click-log path '{path}' names no file.", nameof(path));
        foreach (string file in files)
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"Click-log file '{file}' not found.", file);
        }
        return files;
    }

    /// <summary>
    /// The rows of <paramref name="files"/> one after another, read lazily in constant memory, with rare ids
    /// mapped by <paramref name="rareIds"/> if given.
    /// </summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row is invalid; see
    /// <see cref="CriteoReader.ReadRows"/>.</exception>
    public static IEnumerable<CriteoRow> ReadRows(IReadOnlyList<string> files, CriteoOptions options,
        RareIdMap? rareIds = null)
    {
        var rows = files.SelectMany(file => CriteoReader.ReadRows(file, options));
        return rareIds is null ? rows : rows.Select(row =>
        {
            rareIds.Apply(row.FieldIds); // each row owns its id array
            return row;
        });
    }

    /// <summary>
    /// Number of rows in <paramref name="files"/>: one pass over the text that counts non-empty lines without
    /// parsing them (a header line, recognised as <see cref="CriteoReader.ReadRows"/> does, is not a row).
    /// </summary>
    public static long CountRows(IReadOnlyList<string> files, CriteoOptions options)
    {
        long rows = 0;
        foreach (string file in files)
        {
            using var reader = new StreamReader(Serving.CompressedFile.OpenRead(file));
            bool first = true;
            while (reader.ReadLine() is { } line)
            {
                bool header = first && (options.Format == CriteoFormat.CsvWithHeader
                    || options.Format == CriteoFormat.Auto
                    && line.StartsWith("label", StringComparison.OrdinalIgnoreCase));
                first = false;
                if (!header && line.Length > 0) rows++;
            }
        }
        return rows;
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the stream as an
    /// in-memory dataset of shape [39], 2 classes (for validation and test parts, which are evaluated whole), with
    /// rare ids mapped by <paramref name="rareIds"/> if given.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream ends before <paramref name="start"/> + 1 rows.</exception>
    public static Dataset ReadDataset(IReadOnlyList<string> files, CriteoOptions options, long start, int count,
        string name, RareIdMap? rareIds = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var features = new List<float>();
        var labels = new List<int>();
        foreach (var row in ReadRows(files, options, rareIds).Skip64(start).Take(count))
        {
            foreach (int id in row.FieldIds) features.Add(id);
            labels.Add(row.Label);
        }
        if (labels.Count == 0)
            throw new InvalidDataException(
                $"Click log {string.Join(", ", files)}: no rows from row {start} on (expected {count}).");
        return new Dataset(name, [.. features], [.. labels], [CriteoReader.FieldCount], 2, ["no click", "click"]);
    }

    // Enumerable.Skip and Take take an int; click logs pass 2^31 rows.
    private static IEnumerable<T> Skip64<T>(this IEnumerable<T> source, long count)
    {
        long seen = 0;
        foreach (var item in source)
        {
            if (seen++ >= count) yield return item;
        }
    }

    internal static IEnumerable<T> Take64<T>(this IEnumerable<T> source, long count)
    {
        if (count <= 0) yield break;
        long taken = 0;
        foreach (var item in source)
        {
            yield return item;
            if (++taken == count) yield break;
        }
    }
}
