using RocketNet.Serving;
using System.Buffers.Binary;

namespace RocketNet.Training.Data;

/// <summary>
/// Reads a non-seekable (e.g. decompressing) stream exactly, counting the byte offset so that a short
/// read becomes an <see cref="InvalidDataException"/> naming the file and where the data ended.
/// </summary>
internal sealed class PositionedReader(Stream stream, string fileName)
{
    /// <summary>Name used in error messages (a file, or "archive.tar.gz, entry x").</summary>
    public string FileName { get; } = fileName;

    /// <summary>Bytes consumed so far.</summary>
    public long Offset { get; private set; }

    /// <summary>
    /// Fills <paramref name="buffer"/> or throws naming <paramref name="what"/> and where the data ended.
    /// </summary>
    public void ReadExactly(Span<byte> buffer, string what)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = stream.Read(buffer[done..]);
            if (n == 0)
                throw DataFileErrors.AtByte(FileName, Offset + done,
                    $"the file is truncated: {what} needs {buffer.Length} bytes from offset " +
                    $"{Offset} but only {done} remain.");
            done += n;
        }
        Offset += buffer.Length;
    }

    /// <summary>
    /// Reads <paramref name="records"/> records of <paramref name="recordSize"/> bytes that a header declared,
    /// without trusting the declaration for the allocation: the array starts at most 1 MiB and doubles as the
    /// bytes arrive, so a 16-byte file that claims 10⁸ images fails at its end having allocated about what it
    /// holds, not what it claims. Memory peaks at about twice the data actually present.
    /// </summary>
    /// <exception cref="InvalidDataException">The data ends inside record k; the message names the record and
    /// offset.</exception>
    public byte[] ReadDeclaredRecords(int records, int recordSize, string recordName)
    {
        long total = (long)records * recordSize;
        if (total > Array.MaxLength)
            throw DataFileErrors.AtByte(FileName, Offset,
                $"{records} {recordName} records of {recordSize} bytes do not fit in one array.");
        const int FirstChunk = 1 << 20;
        var data = new byte[Math.Min(total, FirstChunk)];
        long done = 0;
        while (done < total)
        {
            if (done == data.Length)
                Array.Resize(ref data, (int)Math.Min(total, Math.Max(2L * data.Length, FirstChunk)));
            int n = stream.Read(data.AsSpan((int)done, (int)(data.Length - done)));
            if (n == 0)
            {
                long record = done / recordSize;
                throw DataFileErrors.AtByte(FileName, Offset + done,
                    $"the file is truncated: it ends inside {recordName} record {record} of {records} (the header " +
                    $"declares {total} bytes of records, {done} are there).");
            }
            done += n;
        }
        Offset += total;
        return data;
    }

    /// <summary>
    /// Reads until <paramref name="buffer"/> is full or the data ends; returns the number of bytes read.
    /// </summary>
    public int ReadAtMost(Span<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = stream.Read(buffer[done..]);
            if (n == 0) break;
            done += n;
        }
        Offset += done;
        return done;
    }

    /// <summary>Reads a big-endian 32-bit integer (IDX headers).</summary>
    public int ReadInt32BigEndian(string what)
    {
        Span<byte> b = stackalloc byte[4];
        ReadExactly(b, what);
        return BinaryPrimitives.ReadInt32BigEndian(b);
    }

    /// <summary>Reads and discards <paramref name="count"/> bytes, failing if fewer remain.</summary>
    public void Skip(long count, string what)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long left = count;
        while (left > 0)
        {
            int n = stream.Read(scratch[..(int)Math.Min(left, scratch.Length)]);
            if (n == 0)
                throw DataFileErrors.AtByte(FileName, Offset,
                    $"the file is truncated: {what} needs {left} more bytes.");
            left -= n;
            Offset += n;
        }
    }
}
