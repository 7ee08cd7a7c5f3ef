namespace RocketNet.Serving;

/// <summary>
/// A read-only wrapper around a decompressing stream that turns the decompressor's own errors (which name no
/// file) into the readers' form: the file, the byte offset of the decompressed data reached, and the cause.
/// </summary>
internal sealed class GzipErrorNaming(Stream gzip, string path) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            int n = gzip.Read(buffer);
            _position += n;
            return n;
        }
        catch (InvalidDataException e)
        {
            throw DataFileErrors.AtByte(path, _position,
                $"the gzip data is corrupt ({e.Message}); expected a valid gzip stream.");
        }
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
