using System.Text;
using RocketNet.Serving;

namespace RocketNet.Training.Data;

/// <summary>
/// Passes over the first rows of a click-log file without decoding or parsing them: it counts line ends in the raw
/// (decompressed) bytes, for the passes that only count rows or seek to a row position (a test part at the end of a
/// 45 M-row log). It keeps exactly the line rules of <see cref="StreamReader.ReadLine"/>, which the readers use: a
/// line ends at <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>, the last line needs no line end, an empty line is not a
/// row, and the first line is a header when the layout says so (<see cref="IClickLogLayout.IsHeader"/>; a UTF-8
/// byte-order mark before it is dropped).
/// </summary>
/// <remarks>
/// Line ends are single bytes in UTF-8 and never part of a multi-byte character, so counting bytes finds the same
/// lines as decoding. Files that start with a UTF-16 or UTF-32 byte-order mark, which <see cref="StreamReader"/>
/// would decode as such, are not skipped raw (<see cref="Skip"/> returns null; callers parse instead).
/// </remarks>
public static class RawLineSkipper
{
    private const int DefaultBufferSize = 1 << 16;

    /// <summary>Rows of <paramref name="path"/>, counted raw; null for a UTF-16 or UTF-32 file.</summary>
    public static long? CountRows(string path, IClickLogLayout layout, int bufferSize = DefaultBufferSize)
    {
        var skipped = Skip(path, layout, long.MaxValue, bufferSize);
        if (skipped is null) return null;
        skipped.Rest.Dispose();
        return skipped.RowsSkipped;
    }

    /// <summary>
    /// Opens <paramref name="path"/> and passes its first <paramref name="rows"/> rows (or all of them, if it has
    /// fewer), stopping just after the line end of the last one.
    /// </summary>
    /// <returns>The rest of the file and what was passed, or null for a UTF-16 or UTF-32 file.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No row to skip, or a buffer below 4 bytes (a byte-order mark
    /// must fit).</exception>
    public static SkippedRows? Skip(string path, IClickLogLayout layout, long rows,
        int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 4);
        var stream = CompressedFile.OpenRead(path);
        try
        {
            var buffer = new byte[bufferSize];
            int end = Fill(stream, buffer, 0);
            if (HasWideByteOrderMark(buffer, end))
            {
                stream.Dispose();
                return null;
            }
            int pos = end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            var first = new MemoryStream();
            string? firstLine = null;
            bool header = false, content = false, afterCr = false;
            long lines = 0, skipped = 0;
            while (skipped < rows)
            {
                if (pos == end)
                {
                    (pos, end) = (0, Fill(stream, buffer, 0));
                    if (end == 0) break;
                }
                if (afterCr)
                {
                    afterCr = false;
                    if (buffer[pos] == (byte)'\n')
                    {
                        pos++; // the second byte of a \r\n line end
                        continue;
                    }
                }
                // Up to the next line end (vectorised search), or the buffer's end.
                var bytes = buffer.AsSpan(pos, end - pos);
                int lineEnd = bytes.IndexOfAny((byte)'\n', (byte)'\r');
                int length = lineEnd < 0 ? bytes.Length : lineEnd;
                if (length > 0)
                {
                    content = true;
                    if (lines == 0) first.Write(bytes[..length]);
                }
                if (lineEnd < 0)
                {
                    pos = end;
                    continue;
                }
                afterCr = bytes[lineEnd] == (byte)'\r';
                pos += lineEnd + 1;
                EndLine();
            }
            if (skipped < rows && content) EndLine(); // a last line without a line end
            if (afterCr && skipped == rows)
            {
                // The last skipped row ended with \r: a \n right after it belongs to the same line end.
                if (pos == end) (pos, end) = (0, Fill(stream, buffer, 0));
                if (pos < end && buffer[pos] == (byte)'\n') pos++;
            }
            var rest = new StreamReader(new PrefixedStream(buffer, pos, end, stream), new UTF8Encoding(false),
                detectEncodingFromByteOrderMarks: false);
            return new SkippedRows(rest, skipped, lines, firstLine);

            void EndLine()
            {
                if (lines++ == 0)
                {
                    firstLine = Encoding.UTF8.GetString(first.GetBuffer(), 0, (int)first.Length);
                    header = layout.IsHeader(firstLine);
                }
                if (content && !(lines == 1 && header)) skipped++;
                content = false;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    // StreamReader decodes a file that starts with a UTF-16 or UTF-32 byte-order mark as such; raw bytes would not.
    private static bool HasWideByteOrderMark(byte[] buffer, int end) =>
        end >= 2 && (buffer[0] == 0xFE && buffer[1] == 0xFF || buffer[0] == 0xFF && buffer[1] == 0xFE)
            || end >= 4 && buffer[0] == 0 && buffer[1] == 0 && buffer[2] == 0xFE && buffer[3] == 0xFF;

    // Reads into buffer[from..] until it is full or the data ends; returns the bytes now held.
    private static int Fill(Stream stream, byte[] buffer, int from)
    {
        int end = from;
        while (end < buffer.Length)
        {
            int n = stream.Read(buffer, end, buffer.Length - end);
            if (n == 0) break;
            end += n;
        }
        return end;
    }

    /// <summary>The unread bytes of the skipper's buffer, then the rest of the file.</summary>
    private sealed class PrefixedStream(byte[] buffer, int start, int end, Stream inner) : Stream
    {
        private int _start = start;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] destination, int offset, int count) =>
            Read(destination.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            if (_start == end) return inner.Read(destination);
            int n = Math.Min(destination.Length, end - _start);
            buffer.AsSpan(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] source, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
