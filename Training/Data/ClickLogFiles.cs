using RocketNet.Serving.ClickLogs;

namespace RocketNet.Training.Data;

/// <summary>
/// A click log kept in one or more files of one layout (<see cref="IClickLogLayout"/>: Criteo, Avazu) read in order
/// as one stream (e.g. <c>day_0.gz</c>, <c>day_1.gz</c>, …): naming the files, counting their rows and cutting
/// in-memory parts out of the stream by row position. Row positions are 0-based over the whole stream, so a part
/// "rows [a, b)" is a span of time.
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
    /// <see cref="IClickLogLayout.ReadRows(string)"/>.</exception>
    public static IEnumerable<ClickRow> ReadRows(IReadOnlyList<string> files, IClickLogLayout layout,
        RareIdMap? rareIds = null) => ReadRows(files, layout, 0, rareIds);

    /// <summary>
    /// The rows of <paramref name="files"/> from row <paramref name="start"/> on (0-based over the stream), the rows
    /// before it passed without parsing (<see cref="RawLineSkipper"/>: they are not checked), with rare ids mapped by
    /// <paramref name="rareIds"/> if given.
    /// </summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row is invalid; see
    /// <see cref="IClickLogLayout.ReadRows(string)"/>.</exception>
    public static IEnumerable<ClickRow> ReadRows(IReadOnlyList<string> files, IClickLogLayout layout, long start,
        RareIdMap? rareIds = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        var rows = start == 0 ? files.SelectMany(layout.ReadRows) : Skipping(files, layout, start);
        return rareIds is null ? rows : rows.Select(row =>
        {
            rareIds.Apply(row.FieldIds); // each row owns its id array
            return row;
        });
    }

    /// <summary>
    /// Number of rows in <paramref name="files"/>: one pass over the bytes that counts non-empty lines without decoding
    /// or parsing them (<see cref="RawLineSkipper"/>; a first line that <see cref="IClickLogLayout.IsHeader"/>
    /// recognises is not a row).
    /// </summary>
    public static long CountRows(IReadOnlyList<string> files, IClickLogLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        long rows = 0;
        foreach (string file in files) rows += RawLineSkipper.CountRows(file, layout) ?? CountDecoded(file, layout);
        return rows;
    }

    // The decoding count, for the UTF-16 and UTF-32 files the raw count leaves out.
    private static long CountDecoded(string file, IClickLogLayout layout)
    {
        long rows = 0;
        using var reader = new StreamReader(Serving.CompressedFile.OpenRead(file));
        bool first = true;
        while (reader.ReadLine() is { } line)
        {
            bool header = first && layout.IsHeader(line);
            first = false;
            if (!header && line.Length > 0) rows++;
        }
        return rows;
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) of the stream as an
    /// in-memory dataset of shape [fields], 2 classes (for validation and test parts, which are evaluated whole), with
    /// rare ids mapped by <paramref name="rareIds"/> if given.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream ends before <paramref name="start"/> + 1 rows.</exception>
    public static Dataset ReadDataset(IReadOnlyList<string> files, IClickLogLayout layout, long start, int count,
        string name, RareIdMap? rareIds = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var features = new List<float>();
        var labels = new List<int>();
        foreach (var row in ReadRows(files, layout, start, rareIds).Take(count))
        {
            foreach (int id in row.FieldIds) features.Add(id);
            labels.Add(row.Label);
        }
        if (labels.Count == 0)
            throw new InvalidDataException(
                $"Click log {string.Join(", ", files)}: no rows from row {start} on (expected {count}).");
        return new Dataset(name, [.. features], [.. labels], [layout.FieldCount], 2, ["no click", "click"]);
    }

    // Rows from row `start` on: whole files before it are passed raw, then the rows before it in its file.
    private static IEnumerable<ClickRow> Skipping(IReadOnlyList<string> files, IClickLogLayout layout, long start)
    {
        long left = start;
        foreach (string file in files)
        {
            var skipped = left == 0 ? null : RawLineSkipper.Skip(file, layout, left);
            if (skipped is not null && skipped.RowsSkipped < left)
            {
                left -= skipped.RowsSkipped; // the file ended first
                skipped.Rest.Dispose();
                continue;
            }
            if (skipped is not null) left = 0;
            var rows = skipped is null ? layout.ReadRows(file) : layout.ReadRows(file, skipped);
            foreach (var row in rows)
            {
                if (left > 0)
                {
                    left--; // only for the files that are not skipped raw (UTF-16, UTF-32)
                    continue;
                }
                yield return row;
            }
        }
    }

    // Enumerable.Take takes an int; click logs pass 2^31 rows.
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
