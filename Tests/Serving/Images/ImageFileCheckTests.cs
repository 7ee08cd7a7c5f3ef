using System.Buffers.Binary;
using System.IO.Compression;
using RocketNet.Serving.Images;
using RocketNet.Tests.Training.Data;
using RocketNet.Tests.Training.Data.Images;
using Xunit;
using Writer = StbImageWriteSharp;

namespace RocketNet.Tests.Serving.Images;

/// <summary>
/// Hostile image files (issue 27): files that hung the decoder, truncated files it filled in, and headers or
/// deflate streams that made it allocate hundreds of MB are refused, naming the file, before it runs.
/// </summary>
public class ImageFileCheckTests
{
    internal static byte[] Pixels(int width, int height) =>
        Enumerable.Range(0, width * height * 3).Select(i => (byte)(i * 7 % 251)).ToArray();

    internal static byte[] Jpeg(int width, int height)
    {
        using var stream = new MemoryStream();
        new Writer.ImageWriter().WriteJpg(Pixels(width, height), width, height, Writer.ColorComponents.RedGreenBlue,
            stream, 90);
        return stream.ToArray();
    }

    internal static byte[] Bmp(int width, int height)
    {
        using var stream = new MemoryStream();
        new Writer.ImageWriter().WriteBmp(Pixels(width, height), width, height, Writer.ColorComponents.RedGreenBlue,
            stream);
        return stream.ToArray();
    }

    // Runs a decode that must end: a hang fails the test after 20 s instead of stalling the run; the decoder's own
    // exception comes through unwrapped.
    internal static T Bounded<T>(Func<T> decode)
    {
        try
        {
            return Task.Run(decode).WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            Assert.Fail("the decoder did not return within 20 s (a hang)");
            throw;
        }
    }

    private static InvalidDataException Refused(byte[] bytes, string name = "x.jpg")
    {
        using var files = new DataTestFiles();
        string path = files.Write(name, bytes);
        var refused = Assert.Throws<InvalidDataException>(() => Bounded(() => ImagePreprocessor.Decode(path)));
        Assert.Contains(path, refused.Message);
        Assert.DoesNotMatch("[\\x00-\\x08\\x0E-\\x1F\\x7F-\\x9F]", refused.Message); // no binary garbage
        return refused;
    }

    [Fact]
    public void WholeFilesOfEachFormatDecode()
    {
        using var files = new DataTestFiles();
        foreach (var (name, bytes) in new[] { ("a.jpg", Jpeg(13, 9)), ("a.bmp", Bmp(13, 9)),
                     ("a.png", PngWriter.Encode(Pixels(13, 9), 13, 9)) })
        {
            var (rgb, width, height) = ImagePreprocessor.Decode(files.Write(name, bytes));
            Assert.Equal((13, 9, 13 * 9 * 3), (width, height, rgb.Length));
        }
    }

    [Fact]
    public void TheTwelveByteJpegAndAnOverlongApp0SegmentAreRefusedNotLoopedOn()
    {
        Assert.Contains("truncated",
            Refused([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01])
                .Message);
        var jpeg = Jpeg(16, 16);
        int app0 = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xE0]);
        Assert.True(app0 >= 0, "the writer's JPEG has no APP0 segment");
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(app0 + 2), 65535);
        Assert.Contains("truncated", Refused(jpeg).Message);
    }

    [Theory]
    [InlineData("x.jpg")]
    [InlineData("x.bmp")]
    [InlineData("x.png")]
    public void EveryTruncationIsRefusedRatherThanFilledIn(string name)
    {
        var whole = name switch
        {
            "x.jpg" => Jpeg(24, 17),
            "x.bmp" => Bmp(24, 17),
            _ => PngWriter.Encode(Pixels(24, 17), 24, 17),
        };
        using var files = new DataTestFiles();
        for (int cut = 0; cut < whole.Length; cut += 1 + cut / 64)
        {
            string path = files.Write(name, whole[..cut]);
            var e = Assert.Throws<InvalidDataException>(() => Bounded(() => ImagePreprocessor.Decode(path)));
            Assert.Contains(path, e.Message);
        }
    }

    [Fact]
    public void ABmpDeclaringMorePixelsThanItHoldsIsRefusedBeforeDecoding()
    {
        var bmp = Bmp(16, 16);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 8192);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 8192);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("truncated", Refused(bmp, "x.bmp").Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
    }

    [Fact]
    public void APngWhoseDataInflatesBeyondItsDeclaredSizeIsRefusedWithoutDecoding()
    {
        // Declares 64×64 RGB (12,352 filtered bytes) but its zlib stream holds 20 MB of zeros: a deflate bomb.
        var png = PngWriter.Encode(Pixels(64, 64), 64, 64);
        using var bomb = new MemoryStream();
        using (var z = new ZLibStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
            z.Write(new byte[20 << 20]);
        var refused = Refused(WithIdat(png, bomb.ToArray()), "bomb.png");
        Assert.Contains("inflates to more than the 12,352 bytes", refused.Message);
    }

    [Fact]
    public void APngDeclaringAHugeSizeSaysSoAndTheModelSizeBoundsWhatIsDecoded()
    {
        var png = PngWriter.Encode(Pixels(4, 4), 4, 4);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        Assert.Contains("declares 100,000×100,000 pixels", Refused(png, "big.png").Message);

        // 2500×2500 is within the reader's absolute bound but above what a 32×32 model decodes.
        Assert.Equal(1L << 22, ImagePreprocessor.MaxPixelsFor(32));
        Assert.Equal(16L * 1024 * 1024, ImagePreprocessor.MaxPixelsFor(1024));
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 2500);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 2500);
        using var files = new DataTestFiles();
        string path = files.Write("photo.png", png);
        var encoder = new ImagePreprocessor
        {
            ImageSize = 32,
            Mean = [0, 0, 0],
            Std = [1, 1, 1],
            ClassNames = ["a", "b"],
        };
        var e = Assert.Throws<InvalidDataException>(() => encoder.EncodeFile(path, new float[encoder.SampleSize]));
        Assert.Contains("more than the 4,194,304 this reader decodes", e.Message);
    }

    [Fact]
    public void AFileThatIsNoImageIsNamedWithoutQuotingItsBytes()
    {
        var refused = Refused([0x00, 0x01, 0x1B, (byte)'[', 0x07, 0xFE, 0x80], "garbage.png");
        Assert.Contains("not a PNG, JPEG or BMP file", refused.Message);
    }

    // The PNG with its IDAT chunk's data replaced (CRC not recomputed: the reader does not check CRCs).
    private static byte[] WithIdat(byte[] png, byte[] data)
    {
        int at = 8;
        while (!png.AsSpan(at + 4, 4).SequenceEqual("IDAT"u8))
            at += 12 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        var lengthBytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(lengthBytes, data.Length);
        return [.. png[..at], .. lengthBytes, .. "IDAT"u8, .. data, .. png[(at + 8 + length)..]];
    }
}
