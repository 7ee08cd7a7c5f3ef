using System.IO.Compression;

namespace RocketNet.Serving;

/// <summary>Opens a data file for sequential reading, decompressing it when it is gzip.</summary>
public static class CompressedFile
{
    /// <summary>
    /// Opens <paramref name="path"/>; if it starts with the gzip magic bytes 1F 8B (whatever its name)
    /// the returned stream yields the decompressed bytes, and corrupt gzip data is an
    /// <see cref="InvalidDataException"/> naming the file and the decompressed offset reached.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
            FileOptions.SequentialScan);
        try
        {
            return IsGzip(file)
                ? new GzipErrorNaming(new GZipStream(file, CompressionMode.Decompress, leaveOpen: false), path) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
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
