using RocketNet.Serving;

namespace RocketNet.Training.Data;

/// <summary>
/// Streams Avazu click-log rows — <c>id, click, hour, C1, banner_pos, site_id, site_domain, site_category, app_id,
/// app_domain, app_category, device_id, device_ip, device_model, device_type, device_conn_type, C14..C21</c>,
/// comma-separated as in the Kaggle release — one line at a time in constant memory (gzip is decompressed on the
/// fly). A file may start with that header (checked column by column) or not (files cut from a larger one).
/// </summary>
/// <remarks>
/// A row becomes 23 ids (<see cref="AvazuOptions"/>): the hour <c>YYMMDDHH</c> gives the hour of day (0..23) and
/// the day of week (Monday = 0 .. Sunday = 6); the 21 categorical cells go through
/// <see cref="FeatureHashing.Bucket"/> (empty → 0). The <c>id</c> column, unique per impression, is not a feature.
/// The Kaggle training file is in hour order, so a temporal split is a split by row position (and by file order).
/// </remarks>
public static class AvazuReader
{
    /// <summary>Fields made from the hour: hour of day, day of week.</summary>
    public const int TimeFieldCount = 2;

    /// <summary>Ids of the hour-of-day field.</summary>
    public const int HoursPerDay = 24;

    /// <summary>Ids of the day-of-week field.</summary>
    public const int DaysPerWeek = 7;

    /// <summary>Hashed categorical fields.</summary>
    public const int CategoricalFieldCount = 21;

    /// <summary>Fields per row.</summary>
    public const int FieldCount = TimeFieldCount + CategoricalFieldCount;

    /// <summary>The columns of a row (and of the header), in order.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } =
        ["id", "click", "hour", "C1", "banner_pos", "site_id", "site_domain", "site_category", "app_id", "app_domain",
            "app_category", "device_id", "device_ip", "device_model", "device_type", "device_conn_type",
            .. Enumerable.Range(14, 8).Select(i => $"C{i}")];

    private const int FirstCategoricalColumn = 3; // 0-based: after id, click, hour

    /// <summary>True when <paramref name="firstLine"/> is a header line (it starts with <c>id,</c>).</summary>
    public static bool IsHeader(string firstLine)
    {
        ArgumentNullException.ThrowIfNull(firstLine);
        return firstLine.StartsWith("id,", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Streams the rows of <paramref name="path"/> lazily; the file stays open while enumerating.</summary>
    /// <exception cref="InvalidDataException">(While enumerating) the header is not Avazu's, a row has the wrong cell
    /// count, a click is not 0/1, or an hour is not a valid <c>YYMMDDHH</c>; the message names the file, line and
    /// column.</exception>
    public static IEnumerable<ClickRow> ReadRows(string path, AvazuOptions? options = null)
    {
        options ??= new AvazuOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashBuckets, 2);
        return Enumerate(new StreamReader(CompressedFile.OpenRead(path)), path, 0, options.HashBuckets);
    }

    /// <summary>
    /// Streams the rows of <paramref name="path"/> after those <paramref name="skipped"/> passed, with the file's line
    /// numbers (see <see cref="RawLineSkipper"/>); a passed header is checked as when it is read.
    /// </summary>
    /// <exception cref="InvalidDataException">The passed header is not Avazu's, or (while enumerating) a row is
    /// malformed.</exception>
    public static IEnumerable<ClickRow> ReadRows(string path, SkippedRows skipped, AvazuOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        options ??= new AvazuOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashBuckets, 2);
        if (skipped.FirstLine is { } first && IsHeader(first))
        {
            try
            {
                CheckHeader(first, path);
            }
            catch
            {
                skipped.Rest.Dispose();
                throw;
            }
        }
        return Enumerate(skipped.Rest, path, skipped.LinesSkipped, options.HashBuckets);
    }

    private static IEnumerable<ClickRow> Enumerate(TextReader text, string path, long linesBefore, int buckets)
    {
        using var reader = text;
        long lineNumber = linesBefore;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 && IsHeader(line))
            {
                CheckHeader(line, path);
                continue;
            }
            if (line.Length == 0) continue;
            yield return ParseLine(line, path, lineNumber, buckets);
        }
    }

    private static void CheckHeader(string line, string path)
    {
        var names = line.Split(',');
        for (int c = 0; c < Math.Min(names.Length, ColumnNames.Count); c++)
        {
            if (!names[c].Trim().Equals(ColumnNames[c], StringComparison.OrdinalIgnoreCase))
                throw DataFileErrors.AtCell(path, 1, c + 1, names[c].Trim(),
                    $"the header names column {c + 1} '{names[c].Trim()}'; the Avazu layout has " +
                    $"'{ColumnNames[c]}' there ({string.Join(", ", ColumnNames)}).");
        }
        if (names.Length != ColumnNames.Count)
            throw DataFileErrors.AtCell(path, 1, Math.Min(names.Length, ColumnNames.Count) + 1,
                names.Length > ColumnNames.Count ? names[ColumnNames.Count].Trim() : "(none)",
                $"the header has {names.Length} columns; the Avazu layout has {ColumnNames.Count}.");
    }

    private static ClickRow ParseLine(string line, string path, long lineNumber, int buckets)
    {
        var ids = new int[FieldCount];
        var rest = line.AsSpan();
        int label = 0;
        for (int column = 0; column < ColumnNames.Count; column++)
        {
            int end = rest.IndexOf(',');
            bool last = column == ColumnNames.Count - 1;
            if (end < 0 && !last)
                throw DataFileErrors.AtCell(path, lineNumber, column + 2, ColumnNames[column + 1],
                    $"the row ends after {column + 1} cells; an Avazu row has {ColumnNames.Count} " +
                    "(id, click, hour, 21 categorical columns).");
            if (end >= 0 && last)
                throw DataFileErrors.AtCell(path, lineNumber, column + 2, "(none)",
                    $"the row has more than {ColumnNames.Count} cells.");
            var cell = (end < 0 ? rest : rest[..end]).Trim();
            if (end >= 0) rest = rest[(end + 1)..];
            if (column == 1)
                label = cell is "0" ? 0 : cell is "1" ? 1
                    : throw DataFileErrors.AtCell(path, lineNumber, 2, "click",
                        $"click '{cell.ToString()}' is not 0 or 1.");
            else if (column == 2)
                (ids[0], ids[1]) = HourFields(cell, path, lineNumber);
            else if (column >= FirstCategoricalColumn)
                ids[TimeFieldCount + column - FirstCategoricalColumn] = FeatureHashing.Bucket(cell, buckets);
        }
        return new ClickRow(label, ids, lineNumber);
    }

    // YYMMDDHH → (hour of day, day of week with Monday = 0).
    private static (int Hour, int Weekday) HourFields(ReadOnlySpan<char> cell, string path, long line)
    {
        if (cell.Length != 8 || !int.TryParse(cell, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int value))
            throw HourError(cell, path, line, "is not 8 digits");
        int year = 2000 + value / 1_000_000, month = value / 10_000 % 100, day = value / 100 % 100, hour = value % 100;
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23)
            throw HourError(cell, path, line, "is not a valid date and hour");
        int weekday = ((int)new DateTime(year, month, day).DayOfWeek + 6) % 7;
        return (hour, weekday);
    }

    private static InvalidDataException HourError(ReadOnlySpan<char> cell, string path, long line, string what) =>
        DataFileErrors.AtCell(path, line, 3, "hour",
            $"hour '{cell.ToString()}' {what}; expected YYMMDDHH (e.g. 14102100: 21 October 2014, 00:00).");
}
