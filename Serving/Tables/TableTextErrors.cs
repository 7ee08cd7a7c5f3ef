using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace RocketNet.Serving.Tables;

/// <summary>
/// The table reader's refusals of text it cannot read at all, in <see cref="DataFileErrors"/>' form: bytes that
/// are not UTF-8 and rows past the parser's length limit.
/// </summary>
internal static class TableTextErrors
{
    /// <summary>The longest row, in characters, that the Sep parser reads (it refuses longer ones).</summary>
    public const int MaxRowChars = 1 << 24;

    /// <summary>A row (or a cell, or a quote never closed) longer than Sep reads, starting on <paramref name="line"/>.
    /// </summary>
    public static InvalidDataException RowTooLong(string path, long line, Exception inner) =>
        new(DataFileErrors.At(path, $"line {line}",
            FormattableString.Invariant($"a row longer than {MaxRowChars:N0} characters (16 Mi) starts here; ") +
            "expected shorter rows (a quote opened and never closed makes the rest of the file one cell)").Message,
            inner);

    /// <summary>
    /// Text that is not UTF-8. The decoder's exception knows only an offset in its own buffer, so the file is
    /// read again to name the line and byte offset of the first invalid byte.
    /// </summary>
    public static InvalidDataException NotUtf8(string path, DecoderFallbackException inner)
    {
        var found = File.Exists(path) ? FirstInvalidByte(path) : null;
        string where = found is var (line, offset, value)
            ? FormattableString.Invariant($"line {line} (byte offset {offset}, byte 0x{value:X2})")
            : "some line";
        return new InvalidDataException(DataFileErrors.At(path, where,
            "the file is not UTF-8 text (it may be Latin-1 or Windows-1252); expected UTF-8: re-save it as UTF-8 " +
            "(e.g. 'CSV UTF-8' in a spreadsheet, or iconv -f latin1 -t utf-8)").Message, inner);
    }

    // The 1-based line, byte offset and value of the first byte that is not valid UTF-8, or null if none is found
    // (or the file cannot be read again).
    private static (long Line, long Offset, byte Value)? FirstInvalidByte(string path)
    {
        try
        {
            using var stream = CompressedFile.OpenRead(path);
            var bytes = new byte[1 << 16];
            var chars = new char[1 << 16];
            long consumed = 0, line = 1;
            int kept = 0; // bytes of an incomplete sequence carried to the next read
            while (true)
            {
                int n = stream.Read(bytes, kept, bytes.Length - kept);
                bool final = n == 0;
                int length = kept + n;
                var status = Utf8.ToUtf16(bytes.AsSpan(0, length), chars, out int read, out _,
                    replaceInvalidSequences: false, isFinalBlock: final);
                line += bytes.AsSpan(0, read).Count((byte)'\n');
                consumed += read;
                if (status == OperationStatus.InvalidData || (final && read < length))
                    return (line, consumed, bytes[read]);
                if (final) return null;
                kept = length - read;
                bytes.AsSpan(read, kept).CopyTo(bytes);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return null; // the first read's exception is reported without a position
        }
    }
}
