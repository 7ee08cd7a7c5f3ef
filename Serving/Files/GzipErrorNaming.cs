namespace RocketNet.Serving;

/// <summary>
/// A read-only wrapper around a decompressing stream that turns the decompressor's own errors (which name no
/// file) into the readers' form: the file, the byte offset of the decompressed data reached, and the cause.
/// It also checks the end: GZipStream returns end-of-stream without complaint wherever a truncated file is
/// cut, so at the end the decompressed bytes are checked against the file's gzip trailer (CRC-32 and length
/// mod 2³² of the last member).
/// </summary>
/// <param name="gzip">The decompressing stream.</param>
/// <param name="path">The file, named in errors.</param>
/// <param name="trailer">The file's last 8 bytes (CRC-32 and ISIZE, little-endian), or null when the file is too
/// short to hold a gzip header and trailer.</param>
internal sealed class GzipErrorNaming(Stream gzip, string path, (uint Crc, uint Size)? trailer) : Stream
{
    // Concatenated members (bgzip, `cat a.gz b.gz`) are valid gzip; the trailer then covers only the last
    // member, whose bytes are the last ISIZE decompressed. Up to this size they are kept to check its CRC.
    private const int MaxLastMember = 16 << 20;

    private readonly byte[]? _lastBytes = trailer is { Size: > 0 and <= MaxLastMember } t ? new byte[t.Size] : null;
    private long _position;
    private uint _crc;
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw DataFileErrors.AtByte(path, _position,
                $"the gzip data is corrupt ({e.Message}); expected a valid gzip stream.");
        }
        if (n > 0) Keep(buffer[..n]);
        else if (!buffer.IsEmpty && !_checked) CheckTrailer();
        return n;
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        _crc = Crc32.Append(_crc, bytes);
        if (_lastBytes is { } ring)
        {
            // A ring of the last ring.Length bytes: byte i of the stream sits at i mod ring.Length.
            var tail = bytes.Length > ring.Length ? bytes[^ring.Length..] : bytes;
            int at = (int)((_position + bytes.Length - tail.Length) % ring.Length);
            int first = Math.Min(tail.Length, ring.Length - at);
            tail[..first].CopyTo(ring.AsSpan(at));
            tail[first..].CopyTo(ring);
        }
        _position += bytes.Length;
    }

    private void CheckTrailer()
    {
        _checked = true;
        if (trailer is { } t && (uint)_position == t.Size && _crc == t.Crc) return;
        if (trailer is { } last && _lastBytes is { } ring && _position > ring.Length)
        {
            int start = (int)(_position % ring.Length);
            if (Crc32.Append(Crc32.Append(0, ring.AsSpan(start)), ring.AsSpan(0, start)) == last.Crc) return;
        }
        throw DataFileErrors.AtByte(path, _position,
            "the gzip data ends early: the file is truncated (the decompressed bytes do not match its gzip " +
            "trailer's length and CRC-32); expected a complete gzip file (copy or download it again).");
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) gzip.Dispose();
        base.Dispose(disposing);
    }
}
