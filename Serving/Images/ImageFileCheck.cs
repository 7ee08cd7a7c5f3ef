using System.Buffers.Binary;
using System.IO.Compression;

namespace RocketNet.Serving.Images;

/// <summary>The container of an image file, as its first bytes say.</summary>
public enum ImageFormat
{
    /// <summary>PNG (signature 89 50 4E 47 0D 0A 1A 0A).</summary>
    Png,

    /// <summary>JPEG (starts with the SOI marker FF D8).</summary>
    Jpeg,

    /// <summary>Windows bitmap (starts with "BM").</summary>
    Bmp,
}

/// <summary>What <see cref="ImageFileCheck.Inspect"/> read off a whole, well-formed image file.</summary>
/// <param name="Format">The container.</param>
/// <param name="Width">Declared width in pixels (positive).</param>
/// <param name="Height">Declared height in pixels (positive).</param>
public readonly record struct ImageHeader(ImageFormat Format, int Width, int Height)
{
    /// <summary>Width × height.</summary>
    public long Pixels => (long)Width * Height;
}

/// <summary>
/// Walks the structure of a PNG, JPEG or BMP file before the decoder sees it. StbImageSharp, like the C library
/// it ports, reads past the end of a file as zeros and fills a cut image in: a 12-byte JPEG made it loop forever,
/// truncated files decoded with their missing part invented, and a PNG whose deflate stream expands far beyond its
/// declared size was decoded into hundreds of MB. The check makes the decoder's input whole and bounded:
/// <list type="bullet">
/// <item>PNG: IHDR first, every chunk inside the file, an IEND chunk; the image data inflates to exactly the bytes
/// the declared size and pixel format need (no more: a deflate bomb; no fewer: truncated).</item>
/// <item>JPEG: every marker segment inside the file, a frame header (SOF) before the first scan (SOS), each
/// scan's entropy-coded data ending at a marker, and an EOI marker.</item>
/// <item>BMP: a known header, uncompressed or bit-field pixels, and the whole pixel array inside the file.</item>
/// </list>
/// Work and memory are linear in the file's length plus the declared image size, which the caller bounds first.
/// </summary>
public static class ImageFileCheck
{
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Checks <paramref name="bytes"/> (the whole file <paramref name="path"/>) and returns its declared size.
    /// The pixel count is compared with <paramref name="maxPixels"/> as soon as the header gives it, so a PNG's
    /// image data is never inflated for a size that will be refused.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a PNG, JPEG or BMP, truncated, malformed, or larger than
    /// <paramref name="maxPixels"/>; the message names the file and what was wrong.</exception>
    public static ImageHeader Inspect(ReadOnlySpan<byte> bytes, string path, long maxPixels)
    {
        if (bytes.StartsWith(PngSignature)) return Png(bytes, path, maxPixels);
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) return Jpeg(bytes, path, maxPixels);
        if (bytes.Length >= 2 && bytes[0] == (byte)'B' && bytes[1] == (byte)'M') return Bmp(bytes, path, maxPixels);
        throw new InvalidDataException(
            $"Image '{path}': not a PNG, JPEG or BMP file (its first bytes are none of their signatures; " +
            $"{bytes.Length:N0} bytes).");
    }

    private static InvalidDataException Bad(string path, ImageFormat format, string what) =>
        new($"Image '{path}': {what} (not a whole, well-formed {format.ToString().ToUpperInvariant()} file).");

    private static void CheckSize(string path, ImageFormat format, long width, long height, long maxPixels)
    {
        if (width <= 0 || height <= 0)
            throw Bad(path, format, $"declares a {width}×{height} image");
        if (width * height > maxPixels)
            throw new InvalidDataException(
                $"Image '{path}': declares {width:N0}×{height:N0} pixels, more than the {maxPixels:N0} this reader " +
                "decodes for the model's input size.");
    }

    // PNG: 8-byte signature, then chunks of [length:4 BE][type:4][data][crc:4]; IHDR first, IEND last.
    private static ImageHeader Png(ReadOnlySpan<byte> bytes, string path, long maxPixels)
    {
        const ImageFormat format = ImageFormat.Png;
        int pos = 8, width = 0, height = 0, bitDepth = 0, colourType = 0, interlace = 0;
        var idat = new List<(int Start, int Length)>();
        while (true)
        {
            if (bytes.Length - pos < 12)
                throw Bad(path, format, $"truncated: it ends at byte {bytes.Length:N0} without an IEND chunk");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(bytes[pos..]);
            var type = bytes.Slice(pos + 4, 4);
            if (length > (uint)(bytes.Length - pos - 12))
                throw Bad(path, format,
                    $"truncated: the chunk at byte {pos:N0} declares {length:N0} bytes, " +
                    $"{bytes.Length - pos - 12:N0} remain");
            var data = bytes.Slice(pos + 8, (int)length);
            bool first = pos == 8;
            if (first != type.SequenceEqual("IHDR"u8))
                throw Bad(path, format, "the first chunk is not IHDR");
            if (first)
            {
                if (length != 13) throw Bad(path, format, $"IHDR holds {length} bytes, not 13");
                long w = BinaryPrimitives.ReadUInt32BigEndian(data);
                long h = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
                CheckSize(path, format, w, h, maxPixels);
                (width, height, bitDepth, colourType, interlace) = ((int)w, (int)h, data[8], data[9], data[12]);
                if (Channels(colourType) == 0 || bitDepth is not (1 or 2 or 4 or 8 or 16) || interlace > 1)
                    throw Bad(path, format, $"IHDR declares colour type {colourType}, bit depth {bitDepth}, " +
                        $"interlace {interlace}");
            }
            else if (type.SequenceEqual("IDAT"u8)) idat.Add((pos + 8, (int)length));
            else if (type.SequenceEqual("IEND"u8)) break;
            pos += 12 + (int)length;
        }
        if (idat.Count == 0) throw Bad(path, format, "no IDAT chunk (no image data)");
        long expected = PngRawLength(width, height, Channels(colourType) * bitDepth, interlace == 1);
        long inflated = InflatedLength(bytes, idat, expected + 1, out string? error);
        if (error is not null) throw Bad(path, format, $"its image data is corrupt or truncated ({error})");
        if (inflated != expected)
            throw Bad(path, format, inflated > expected
                ? $"its image data inflates to more than the {expected:N0} bytes a {width}×{height} image needs"
                : $"truncated: its image data inflates to {inflated:N0} of the {expected:N0} bytes a " +
                  $"{width}×{height} image needs");
        return new ImageHeader(format, width, height);
    }

    private static int Channels(int colourType) => colourType switch
    {
        0 => 1, // grey
        2 => 3, // RGB
        3 => 1, // palette index
        4 => 2, // grey + alpha
        6 => 4, // RGBA
        _ => 0,
    };

    // Filtered scanline bytes: one filter byte per row plus ceil(width·bits/8), over the seven Adam7 passes if
    // interlaced (a pass with no pixel has no rows).
    private static long PngRawLength(long width, long height, int bitsPerPixel, bool interlaced)
    {
        static long Rows(long w, long h, int bits) => w == 0 || h == 0 ? 0 : h * (1 + (w * bits + 7) / 8);
        if (!interlaced) return Rows(width, height, bitsPerPixel);
        ReadOnlySpan<int> x0 = [0, 4, 0, 2, 0, 1, 0], y0 = [0, 0, 4, 0, 2, 0, 1];
        ReadOnlySpan<int> dx = [8, 8, 4, 4, 2, 2, 1], dy = [8, 8, 8, 4, 4, 2, 2];
        long total = 0;
        for (int p = 0; p < 7; p++)
            total += Rows((width - x0[p] + dx[p] - 1) / dx[p], (height - y0[p] + dy[p] - 1) / dy[p], bitsPerPixel);
        return total;
    }

    // Inflates the concatenated IDAT data (a zlib stream), counting bytes up to `limit`, in a fixed buffer.
    private static long InflatedLength(ReadOnlySpan<byte> bytes, List<(int Start, int Length)> idat, long limit,
        out string? error)
    {
        int total = idat.Sum(c => c.Length);
        var compressed = new byte[total];
        int at = 0;
        foreach (var (start, length) in idat)
        {
            bytes.Slice(start, length).CopyTo(compressed.AsSpan(at));
            at += length;
        }
        error = null;
        long count = 0;
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            var buffer = new byte[16384];
            int n;
            while (count < limit && (n = z.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - count))) > 0)
                count += n;
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
        }
        return count;
    }

    // JPEG: SOI, then marker segments [FF xx][length:2 BE, counting itself][payload]; a scan (SOS) is followed by
    // entropy-coded bytes in which FF is always followed by 00 (a stuffed FF) or a restart marker D0–D7.
    private static ImageHeader Jpeg(ReadOnlySpan<byte> bytes, string path, long maxPixels)
    {
        const ImageFormat format = ImageFormat.Jpeg;
        int pos = 2, width = 0, height = 0;
        while (true)
        {
            if (pos >= bytes.Length) throw Bad(path, format, "truncated: it ends before the EOI marker");
            if (bytes[pos] != 0xFF) throw Bad(path, format, $"byte {pos:N0} is not a marker (0x{bytes[pos]:X2})");
            while (pos < bytes.Length && bytes[pos] == 0xFF) pos++; // fill bytes before a marker
            if (pos >= bytes.Length) throw Bad(path, format, "truncated: it ends before the EOI marker");
            byte marker = bytes[pos++];
            if (marker == 0xD9) break; // EOI
            if (marker is 0xD8 or 0x00)
                throw Bad(path, format, $"unexpected marker 0xFF{marker:X2} at byte {pos - 2:N0}");
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // RSTn, TEM: no payload
            if (bytes.Length - pos < 2) throw Bad(path, format, "truncated inside a marker segment");
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[pos..]);
            if (length < 2 || length > bytes.Length - pos)
                throw Bad(path, format, length < 2
                    ? $"the segment 0xFF{marker:X2} at byte {pos - 2:N0} declares {length} bytes"
                    : $"truncated: the segment 0xFF{marker:X2} at byte {pos - 2:N0} declares {length:N0} bytes, " +
                      $"{bytes.Length - pos:N0} remain");
            bool frame = marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);
            if (frame)
            {
                if (length < 8) throw Bad(path, format, $"a {length}-byte frame header");
                height = BinaryPrimitives.ReadUInt16BigEndian(bytes[(pos + 3)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(bytes[(pos + 5)..]);
                CheckSize(path, format, width, height, maxPixels);
            }
            pos += length;
            if (marker != 0xDA) continue; // SOS: the entropy-coded data follows
            if (width == 0) throw Bad(path, format, "a scan before the frame header");
            while (true)
            {
                int ff = bytes[pos..].IndexOf((byte)0xFF);
                if (ff < 0 || pos + ff + 1 >= bytes.Length)
                    throw Bad(path, format,
                        "truncated: its last scan runs to the end of the file without an EOI marker");
                pos += ff;
                byte next = bytes[pos + 1];
                if (next == 0x00 || next is >= 0xD0 and <= 0xD7) pos += 2;
                else if (next == 0xFF) pos++;
                else break;
            }
        }
        if (width == 0) throw Bad(path, format, "no frame header (SOF) before EOI");
        return new ImageHeader(format, width, height);
    }

    // BMP: 14-byte file header ("BM", size, reserved, pixel offset), then a DIB header of its own stated size.
    private static ImageHeader Bmp(ReadOnlySpan<byte> bytes, string path, long maxPixels)
    {
        const ImageFormat format = ImageFormat.Bmp;
        if (bytes.Length < 26) throw Bad(path, format, $"truncated: {bytes.Length} bytes, shorter than its headers");
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(bytes[10..]);
        uint dibSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[14..]);
        long width, height;
        int bitsPerPixel, compression = 0;
        if (dibSize == 12) // OS/2 BITMAPCOREHEADER: 16-bit sizes
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(bytes[24..]);
        }
        else if (dibSize is 40 or 52 or 56 or 108 or 124 && bytes.Length >= 34)
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(bytes[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes[22..])); // negative: top-down
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]);
            compression = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[30..]);
        }
        else throw Bad(path, format, $"an unknown {dibSize}-byte bitmap header");
        CheckSize(path, format, width, height, maxPixels);
        if (bitsPerPixel is not (1 or 4 or 8 or 16 or 24 or 32))
            throw Bad(path, format, $"{bitsPerPixel} bits per pixel");
        if (compression is not (0 or 3 or 6)) // BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS; not RLE, JPEG or PNG
            throw Bad(path, format, $"compression method {compression} (only uncompressed bitmaps are read)");
        long rowBytes = (width * bitsPerPixel + 31) / 32 * 4;
        if (offset < 14 + dibSize || offset + rowBytes * height > bytes.Length)
            throw Bad(path, format,
                $"truncated: its pixel array ({rowBytes * height:N0} bytes from byte {offset:N0}) ends past the " +
                $"file's {bytes.Length:N0} bytes");
        return new ImageHeader(format, (int)width, (int)height);
    }
}
