using System.Buffers.Binary;
using System.IO.Compression;

namespace RocketNet.Tests.Training.Data.Images;

/// <summary>
/// Writes minimal 8-bit RGB PNG files for tests (IHDR, one zlib IDAT of unfiltered scanlines, IEND): enough
/// for the reader under test, without an image library in the test project.
/// </summary>
internal static class PngWriter
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>PNG bytes of a width×height image; <paramref name="rgb"/> is row-major, 3 bytes per pixel.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(rgb.Slice(y * width * 3, width * 3));
            }
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++) typed[i] = (byte)type[i];
        data.CopyTo(typed, 4);
        png.Write(typed);
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in typed) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc ^ 0xFFFFFFFFu);
        png.Write(word);
    }

    /// <summary>
    /// Writes the embedded digits as <paramref name="root"/>/&lt;digit&gt;/&lt;index&gt;.png (grey as RGB), the first
    /// <paramref name="count"/>.
    /// </summary>
    public static void WriteDigitsFolder(string root, int count)
    {
        var digits = RocketNet.Training.Data.Datasets.Digits();
        for (int i = 0; i < Math.Min(count, digits.Count); i++)
        {
            var rgb = new byte[64 * 3];
            var pixels = digits.Features.AsSpan(i * 64, 64);
            for (int p = 0; p < 64; p++)
                rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = (byte)Math.Round(pixels[p] * 255);
            string dir = Directory.CreateDirectory(Path.Combine(root, digits.Labels[i].ToString())).FullName;
            File.WriteAllBytes(Path.Combine(dir, $"{i:D4}.png"), Encode(rgb, 8, 8));
        }
    }
}
