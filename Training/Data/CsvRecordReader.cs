using RocketNet.Serving;
using System.Text;

namespace RocketNet.Training.Data;

/// <summary>
/// Splits delimited text into records (RFC 4180: cells may be quoted, "" is an escaped quote, and a quoted
/// cell may contain the delimiter or a line break), one record at a time, remembering the line each
/// record starts on for error messages. Lines end at "\n", "\r\n" or "\r", as <see cref="TextReader.ReadLine"/>
/// reads them, but a line or a record longer than <see cref="MaxLineLength"/> characters is refused before it is
/// held in memory: a file with no line break would otherwise be read into one string of its whole length.
/// </summary>
/// <param name="text">The text to split.</param>
/// <param name="fileName">Name used in error messages.</param>
/// <param name="delimiter">The cell delimiter.</param>
/// <param name="maxLineLength">Longest line or record accepted, in characters (tests use small ones).</param>
/// <param name="bufferSize">Characters read from <paramref name="text"/> at a time.</param>
internal sealed class CsvRecordReader(TextReader text, string fileName, char delimiter,
    int maxLineLength = CsvRecordReader.MaxLineLength, int bufferSize = 64 * 1024)
{
    /// <summary>Longest line or record accepted by default: 16 Mi characters, the bound the table reader (Sep)
    /// has for a row.</summary>
    public const int MaxLineLength = 16 * 1024 * 1024;

    private readonly StringBuilder _cell = new();
    private readonly StringBuilder _pending = new();
    private readonly char[] _buffer = new char[bufferSize];
    private int _start, _end;
    private bool _afterCarriageReturn, _ended;
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
            line = ReadLine();
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
                line = ReadLine() ?? throw DataFileErrors.At(FileName, $"line {RecordLine}",
                    "a quoted cell is never closed (missing '\"' before the end of the file).");
                if (_cell.Length + line.Length > maxLineLength) throw TooLong("record", RecordLine);
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

    // The next line without its terminator, or null at the end; throws on a line over maxLineLength characters.
    private string? ReadLine()
    {
        _pending.Clear();
        while (true)
        {
            if (_start == _end)
            {
                if (_ended) return null;
                (_start, _end) = (0, text.Read(_buffer, 0, _buffer.Length));
                if (_end == 0)
                {
                    _ended = true;
                    // The last line needs no terminator; a file ending in one has no empty line after it.
                    return _pending.Length > 0 ? _pending.ToString() : null;
                }
            }
            // A "\r\n" split across two reads: the "\n" belongs to the line the "\r" ended.
            if (_afterCarriageReturn && _buffer[_start] == '\n') _start++;
            _afterCarriageReturn = false;
            int end = _buffer.AsSpan(_start, _end - _start).IndexOfAny('\n', '\r');
            int take = end < 0 ? _end - _start : end;
            if (_pending.Length + take > maxLineLength) throw TooLong("line", _line + 1);
            _pending.Append(_buffer, _start, take);
            if (end < 0)
            {
                _start = _end;
                continue;
            }
            char terminator = _buffer[_start + end];
            _start += end + 1;
            if (terminator == '\r')
            {
                if (_start < _end) { if (_buffer[_start] == '\n') _start++; }
                else _afterCarriageReturn = true;
            }
            return _pending.ToString();
        }
    }

    private InvalidDataException TooLong(string what, long line) => DataFileErrors.At(FileName, $"line {line}",
        $"the {what} is longer than {maxLineLength:N0} characters; expected delimited text with a line break " +
        "after each record (is this a binary file, or a file with its line breaks removed?).");
}
