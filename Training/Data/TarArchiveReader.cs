using RocketNet.Serving;
using System.Text;

namespace RocketNet.Training.Data;

/// <summary>
/// A streaming reader of tar archives (POSIX ustar, with GNU long names and pax path records), reading
/// forward only, so it works over a <see cref="System.IO.Compression.GZipStream"/>: each entry's data is
/// exposed as a bounded stream, and whatever the caller leaves unread is skipped on the next
/// <see cref="MoveNext"/>.
/// </summary>
internal sealed class TarArchiveReader
{
    private const int BlockSize = 512;

    /// <summary>
    /// Largest GNU long name, pax header or small metadata file read whole (1 MiB): anything larger is a corrupt size.
    /// </summary>
    public const long MaxMetadataBytes = 1 << 20;
    private readonly PositionedReader _reader;
    private readonly byte[] _header = new byte[BlockSize];
    private long _entryRemaining;
    private long _entryPadding;

    public TarArchiveReader(Stream archive, string fileName) => _reader = new PositionedReader(archive, fileName);

    /// <summary>Path of the current entry inside the archive.</summary>
    public string EntryName { get; private set; } = "";

    /// <summary>Size in bytes of the current entry's data.</summary>
    public long EntrySize { get; private set; }

    /// <summary>True when the current entry is a regular file.</summary>
    public bool IsFile { get; private set; }

    /// <summary>The data of the current entry (read at most <see cref="EntrySize"/> bytes; forward only).</summary>
    public PositionedReader EntryData { get; private set; } = null!;

    /// <summary>Advances to the next entry; false at the end of the archive.</summary>
    /// <exception cref="InvalidDataException">A header is corrupt or the archive is truncated (names the archive and
    /// byte offset).</exception>
    public bool MoveNext()
    {
        string? longName = null;
        while (true)
        {
            SkipRestOfEntry();
            long headerOffset = _reader.Offset;
            if (!TryReadHeader()) return false;
            if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0) return false; // end-of-archive block
            VerifyChecksum(headerOffset);
            long size = ParseNumber(_header.AsSpan(124, 12), headerOffset + 124, "entry size");
            char type = (char)_header[156];
            _entryRemaining = size;
            _entryPadding = (BlockSize - size % BlockSize) % BlockSize;
            if (type is 'L' or 'x')
            {
                // GNU long name / pax extended header: their data describes the next entry.
                if (size > MaxMetadataBytes)
                    throw DataFileErrors.AtByte(_reader.FileName, headerOffset + 124,
                        $"the tar {(type == 'L' ? "GNU long name" : "pax header")} declares {size} bytes; more than " +
                        $"{MaxMetadataBytes} means a corrupt size field.");
                var data = new byte[size];
                _reader.ReadExactly(data,
                    $"the {(type == 'L' ? "GNU long name" : "pax header")} at offset {headerOffset}");
                _entryRemaining = 0;
                longName = type == 'L' ? Encoding.UTF8.GetString(data).TrimEnd('\0') : PaxPath(data) ?? longName;
                continue;
            }
            if (type == 'g') continue; // pax global header: nothing we need
            EntryName = longName ?? HeaderName();
            EntrySize = size;
            IsFile = type is '0' or '\0' or '7';
            EntryData = new PositionedReader(new BoundedStream(this), $"{_reader.FileName}, entry '{EntryName}'");
            return true;
        }
    }

    private bool TryReadHeader()
    {
        // A clean end of stream before any end-of-archive block is tolerated (some writers omit them).
        int n = _reader.ReadAtMost(_header);
        if (n == 0) return false;
        if (n < BlockSize)
            throw DataFileErrors.AtByte(_reader.FileName, _reader.Offset,
                "the tar archive ends inside a 512-byte header block.");
        return true;
    }

    private string HeaderName()
    {
        string name = CString(_header.AsSpan(0, 100));
        bool ustar = _header.AsSpan(257, 5).SequenceEqual("ustar"u8);
        string prefix = ustar ? CString(_header.AsSpan(345, 155)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    private void VerifyChecksum(long headerOffset)
    {
        long stored = ParseNumber(_header.AsSpan(148, 8), headerOffset + 148, "header checksum");
        long sum = 0;
        for (int i = 0; i < BlockSize; i++) sum += i is >= 148 and < 156 ? (byte)' ' : _header[i];
        if (sum != stored)
            throw DataFileErrors.AtByte(_reader.FileName, headerOffset,
                $"tar header checksum is {stored} but the header bytes sum to {sum}; the archive is " +
                "corrupt or not a tar file.");
    }

    private long ParseNumber(ReadOnlySpan<byte> field, long offset, string what)
    {
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256 encoding for large sizes; 0xFF starts a negative number, which no size can be.
            if (field[0] == 0xFF)
                throw DataFileErrors.AtByte(_reader.FileName, offset,
                    $"tar {what} is negative (base-256 field starting with 0xFF).");
            long big = field[0] & 0x7F;
            for (int i = 1; i < field.Length; i++)
            {
                if (big > long.MaxValue >> 8)
                    throw DataFileErrors.AtByte(_reader.FileName, offset,
                        $"tar {what} in base-256 does not fit in 63 bits.");
                big = (big << 8) | field[i];
            }
            return big;
        }
        long value = 0;
        bool any = false;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ') { if (any) break; continue; }
            if (b is < (byte)'0' or > (byte)'7')
                throw DataFileErrors.AtByte(_reader.FileName, offset,
                    $"tar {what} field holds '{(char)b}', expected octal digits.");
            value = value * 8 + (b - '0');
            any = true;
        }
        return value;
    }

    private static string? PaxPath(byte[] data)
    {
        // Records are "<length> <key>=<value>\n".
        foreach (string record in Encoding.UTF8.GetString(data).Split('\n'))
        {
            int space = record.IndexOf(' ');
            if (space < 0) continue;
            string kv = record[(space + 1)..];
            if (kv.StartsWith("path=", StringComparison.Ordinal)) return kv["path=".Length..];
        }
        return null;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private void SkipRestOfEntry()
    {
        if (_entryRemaining + _entryPadding > 0)
            _reader.Skip(_entryRemaining + _entryPadding, $"the rest of entry '{EntryName}'");
        _entryRemaining = 0;
        _entryPadding = 0;
    }

    /// <summary>A read-only view of the current entry's remaining bytes.</summary>
    private sealed class BoundedStream(TarArchiveReader owner) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, owner._entryRemaining);
            if (n == 0) return 0;
            owner._reader.ReadExactly(buffer[..n], $"entry '{owner.EntryName}'");
            owner._entryRemaining -= n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
