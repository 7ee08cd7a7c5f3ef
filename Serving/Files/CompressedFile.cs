using System.Buffers.Binary;
using System.IO.Compression;

namespace RocketNet.Serving;

/// <summary>Opens a data file for sequential reading, decompressing it when it is gzip.</summary>
public static class CompressedFile
{
    /// <summary>
    /// Opens <paramref name="path"/>; if it starts with the gzip magic bytes 1F 8B (whatever its name)
    /// the returned stream yields the decompressed bytes, and corrupt or truncated gzip data (checked against the
    /// trailer's CRC-32 and length when the end is read) is an <see cref="InvalidDataException"/> naming the file
    /// and the decompressed offset reached.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
            FileOptions.SequentialScan);
        try
        {
            if (!IsGzip(file)) return file;
            var trailer = ReadTrailer(file);
            return new GzipErrorNaming(new GZipStream(file, CompressionMode.Decompress, leaveOpen: false), path,
                trailer);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    // The last 8 bytes of a gzip file: CRC-32 and length mod 2^32 of the last member's data. Null when the
    // file cannot hold a 10-byte header, an empty deflate block and the trailer. The position is restored.
    private static (uint Crc, uint Size)? ReadTrailer(FileStream file)
    {
        if (file.Length < 20) return null;
        long start = file.Position;
        Span<byte> bytes = stackalloc byte[8];
        file.Position = file.Length - 8;
        file.ReadExactly(bytes);
        file.Position = start;
        return (BinaryPrimitives.ReadUInt32LittleEndian(bytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]));
    }

    /// <summary>
    /// True if the seekable <paramref name="stream"/> starts with the gzip magic; the position is restored.
    /// </summary>
    internal static bool IsGzip(Stream stream)
    {
        long start = stream.Position;
        int b0 = stream.ReadByte();
        int b1 = stream.ReadByte();
        stream.Position = start;
        return b0 == 0x1F && b1 == 0x8B;
    }
}
