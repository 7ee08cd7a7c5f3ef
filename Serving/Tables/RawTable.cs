using System.Text;
using nietras.SeparatedValues;

namespace RocketNet.Serving.Tables;

/// <summary>
/// A delimited text table as read: a header of column names and every row's cells as strings, with the
/// line each row started on (for error messages). Comma-separated unless the name ends in <c>.tsv</c> or
/// <c>.tsv.gz</c> (tab-separated); gzip is detected from the content. Quoted cells are unescaped.
/// </summary>
public sealed class RawTable
{
    private RawTable(string path, string[] header, List<string[]> rows, List<int> lines)
    {
        (Path, Header, Rows, Lines) = (path, header, rows, lines);
    }

    /// <summary>The file the table came from (in error messages).</summary>
    public string Path { get; }

    /// <summary>Column names from the header row.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Rows of cells, each as long as <see cref="Header"/>.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>1-based line number on which each row starts.</summary>
    public IReadOnlyList<int> Lines { get; }

    /// <summary>Index of column <paramref name="name"/> (ordinal match), or -1.</summary>
    public int ColumnIndex(string name) => Array.IndexOf((string[])Header, name);

    /// <summary>Reads the whole of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">No header, an empty or duplicate column name, a row with another
    /// number of cells than the header, or text that is not UTF-8; the message names the file and line.</exception>
    public static RawTable Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Table file '{path}' not found.", path);
        using var stream = CompressedFile.OpenRead(path);
        using var text = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        return Read(path, text);
    }

    /// <summary>
    /// Reads a table from <paramref name="text"/>; <paramref name="path"/> names it in errors and chooses the
    /// separator.
    /// </summary>
    public static RawTable Read(string path, TextReader text)
    {
        string[] header = [];
        var rows = new List<string[]>();
        var lines = new List<int>();
        Stream(path, text, names =>
        {
            for (int c = 0; c < names.Length; c++)
            {
                if (names[c].Length == 0)
                    throw DataFileErrors.At(path, $"line 1, column {c + 1}", "an empty column name in the header");
                int first = Array.IndexOf(names, names[c]);
                if (first < c)
                    throw DataFileErrors.At(path, $"line 1, column {c + 1}",
                        $"column name '{names[c]}' repeats column {first + 1}");
            }
            header = names;
        }, (cells, line) =>
        {
            rows.Add(cells);
            lines.Add(line);
        });
        return new RawTable(path, header, rows, lines);
    }

    /// <summary>
    /// Streams a table without keeping it: <paramref name="onHeader"/> gets the trimmed column names, then
    /// <paramref name="onRow"/> each row's cells (a new array, as long as the header) and the line it starts on.
    /// Blank lines are skipped. The separator follows <paramref name="path"/>'s name; quotes are unescaped.
    /// </summary>
    /// <exception cref="InvalidDataException">No header row, a repeated column name, a row with another number of cells
    /// than the header, a row longer than 16 Mi characters, or text that is not UTF-8; the message names the file
    /// and line.</exception>
    public static void Stream(string path, TextReader text, Action<string[]> onHeader, Action<string[], int> onRow)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(onHeader);
        ArgumentNullException.ThrowIfNull(onRow);
        try
        {
            using var reader = OpenReader(path, text);
            var header = reader.Header.ColNames.Select(n => n.Trim()).ToArray();
            onHeader(header);
            long next = 2; // where the next row starts, for the error when Sep cannot read it
            while (MoveNext(reader, path, next))
            {
                var row = reader.Current;
                next = row.LineNumberToExcl;
                if (row.ColCount == 1 && row[0].Span.IsWhiteSpace()) continue; // blank line
                if (row.ColCount != header.Length)
                    throw DataFileErrors.At(path, $"line {row.LineNumberFrom}",
                        $"{row.ColCount} cells where the header has {header.Length} columns");
                var cells = new string[header.Length];
                for (int c = 0; c < cells.Length; c++) cells[c] = row[c].ToString();
                onRow(cells, row.LineNumberFrom);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw TableTextErrors.NotUtf8(path, e);
        }
    }

    // Sep refuses a row (or a cell, or a quote left open to the end of the file) past its buffer limit with a
    // NotSupportedException that names no file; only the line where the row starts is known then.
    private static bool MoveNext(SepReader reader, string path, long line)
    {
        try
        {
            return reader.MoveNext();
        }
        catch (NotSupportedException e)
        {
            throw TableTextErrors.RowTooLong(path, line, e);
        }
    }

    // The separator from the name, quotes unescaped, the cell count left to the caller (so its error names the line).
    private static SepReader OpenReader(string path, TextReader text)
    {
        SepReader reader;
        try
        {
            reader = Sep.New(IsTabSeparated(path) ? '\t' : ',').Reader(
                o => o with { Unescape = true, DisableColCountCheck = true }).From(text);
        }
        catch (DecoderFallbackException e) // an ArgumentException too: not a name clash
        {
            throw TableTextErrors.NotUtf8(path, e);
        }
        catch (ArgumentException e)
        {
            throw DataFileErrors.At(path, "line 1", $"the header's column names must be distinct ({e.Message})");
        }
        catch (NotSupportedException e)
        {
            throw TableTextErrors.RowTooLong(path, 1, e);
        }
        if (reader.Header.IsEmpty)
        {
            reader.Dispose();
            throw DataFileErrors.At(path, "line 1", "no header row: the first line must name the columns");
        }
        if (reader.Header.ColNames.Count == 1 && OtherSeparator(reader.Header.ColNames[0], path) is { } other)
        {
            reader.Dispose();
            throw DataFileErrors.At(path, "line 1", other);
        }
        return reader;
    }

    // A header read as one column that holds another separator: a semicolon-separated export (spreadsheets in
    // locales whose decimal mark is a comma) or tabs in a file named .csv. Read as it is, every row would be one
    // cell and the error would name a missing column; guessing instead could misread "0,5" as two cells or a text.
    private static string? OtherSeparator(string header, string path)
    {
        if (header.Contains(';', StringComparison.Ordinal))
            return $"the header '{header}' is one column holding semicolons: the file looks semicolon-separated. " +
                "Expected comma-separated values (.csv) or tab-separated (.tsv): save it as CSV (comma-separated, " +
                "UTF-8) with '.' as the decimal mark";
        if (header.Contains('\t', StringComparison.Ordinal) && !IsTabSeparated(path))
            return $"the header '{header.Replace("\t", "\\t", StringComparison.Ordinal)}' is one column holding " +
                "tabs: the file looks tab-separated. Expected a .tsv name for tab-separated values (or commas in a " +
                ".csv)";
        return null;
    }

    /// <summary>True for <c>.tsv</c> and <c>.tsv.gz</c> names.</summary>
    public static bool IsTabSeparated(string path) =>
        path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".tsv.gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for names a table is read from: <c>.csv</c>, <c>.tsv</c>, and either with <c>.gz</c>.</summary>
    public static bool IsTableFile(string path) =>
        new[] { ".csv", ".tsv", ".csv.gz", ".tsv.gz" }.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
