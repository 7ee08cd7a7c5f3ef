using RocketNet.Serving;
using System.Text;

namespace RocketNet.Training.Data;

/// <summary>
/// Splits delimited text into records (RFC 4180: cells may be quoted, "" is an escaped quote, and a quoted
/// cell may contain the delimiter or a line break), one record at a time, remembering the line each
/// record starts on for error messages.
/// </summary>
internal sealed class CsvRecordReader(TextReader text, string fileName, char delimiter)
{
    private readonly StringBuilder _cell = new();
    private long _line;

    /// <summary>Name used in error messages.</summary>
    public string FileName { get; } = fileName;

    /// <summary>1-based line on which the last record returned by <see cref="Read"/> starts.</summary>
    public long RecordLine { get; private set; }

    /// <summary>
    /// Reads the next record's cells into <paramref name="cells"/> (cleared first); false at the end. Blank lines are
    /// skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">A quoted cell is never closed.</exception>
    public bool Read(List<string> cells)
    {
        cells.Clear();
        string? line;
        do
        {
            line = text.ReadLine();
            if (line is null) return false;
            _line++;
        } while (line.Length == 0);
        RecordLine = _line;
        _cell.Clear();
        int i = 0;
        bool quoted = false, wasQuoted = false;
        while (true)
        {
            if (i == line.Length)
            {
                if (!quoted) break;
                // A line break inside a quoted cell belongs to the cell.
                line = text.ReadLine() ?? throw DataFileErrors.At(FileName, $"line {RecordLine}",
                    "a quoted cell is never closed (missing '\"' before the end of the file).");
                _line++;
                _cell.Append('\n');
                i = 0;
                continue;
            }
            char c = line[i++];
            if (quoted)
            {
                if (c != '"') _cell.Append(c);
                else if (i < line.Length && line[i] == '"') { _cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == delimiter)
            {
                cells.Add(wasQuoted ? _cell.ToString() : _cell.ToString().Trim());
                _cell.Clear();
                wasQuoted = false;
            }
            else if (c == '"' && _cell.Length == 0 && !wasQuoted) quoted = wasQuoted = true;
            else _cell.Append(c);
        }
        cells.Add(wasQuoted ? _cell.ToString() : _cell.ToString().Trim());
        return true;
    }
}
