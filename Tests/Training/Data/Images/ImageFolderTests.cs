using RocketNet.Serving.Images;
using RocketNet.Training.Data.Images;
using Xunit;

namespace RocketNet.Tests.Training.Data.Images;

public class ImageFolderTests
{
    [Fact]
    public void ReadsClassFoldersChoosesTheCommonSizeAndStandardisesWithTrainingStatistics()
    {
        using var files = new DataTestFiles();
        PngWriter.WriteDigitsFolder(files.Root, 200);
        var data = ImageFolderData.Load(files.Root);
        Assert.Equal(8, data.Preprocessor.ImageSize);
        Assert.Equal([3, 8, 8], data.Train.SampleShape);
        Assert.Equal(Enumerable.Range(0, 10).Select(d => d.ToString()), data.Preprocessor.ClassNames);
        Assert.Equal(200, data.Train.Count + data.Test.Count);
        Assert.InRange(data.Test.Count, 30, 50); // a stratified fifth
        // Training channels standardised: mean 0, std 1 over the training part.
        double mean = 0;
        int plane = 64;
        for (int i = 0; i < data.Train.Count; i++)
            foreach (float v in data.Train.Features.AsSpan(i * 192, plane)) mean += v;
        Assert.Equal(0, mean / (data.Train.Count * plane), 4);
        // The preprocessing encodes a file as the loader did.
        var encoded = new float[data.Preprocessor.SampleSize];
        data.Preprocessor.EncodeFile(Path.Combine(files.Root, "0", "0000.png"), encoded);
        Assert.Contains(
            Enumerable.Range(0, data.Train.Count).Concat(Enumerable.Range(0, data.Test.Count).Select(i => -1 - i)),
            i => (i >= 0 ? data.Train.Features.AsSpan(i * 192, 192) : data.Test.Features.AsSpan((-1 - i) * 192,
                192)).SequenceEqual(encoded));
    }

    [Fact]
    public void TrainAndTestSubfoldersAreUsedAsGiven()
    {
        using var files = new DataTestFiles();
        PngWriter.WriteDigitsFolder(Path.Combine(files.Root, "train"), 100);
        PngWriter.WriteDigitsFolder(Path.Combine(files.Root, "test"), 30);
        var data = ImageFolderData.Load(files.Root, new ImageFolderOptions { ImageSize = 16 });
        Assert.Equal((100, 30), (data.Train.Count, data.Test.Count));
        Assert.Equal([3, 16, 16], data.Train.SampleShape);
    }

    [Fact]
    public void AFolderWhoseClassesHaveOneImageEachIsRefusedForLeavingNoTestPart()
    {
        using var files = new DataTestFiles();
        foreach (string label in new[] { "cat", "dog" })
        {
            string dir = Directory.CreateDirectory(Path.Combine(files.Root, label)).FullName;
            File.WriteAllBytes(Path.Combine(dir, "only.png"), PngWriter.Encode(new byte[8 * 8 * 3], 8, 8));
        }
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderData.Load(files.Root));
        Assert.Contains(files.Root, e.Message);
        Assert.Contains("2 image(s) leave no test part", e.Message);
        Assert.Contains("test/<class>", e.Message);
    }

    [Fact]
    public void ACorruptImageIsAnErrorNamingItOrIsSkippedAndCounted()
    {
        using var files = new DataTestFiles();
        PngWriter.WriteDigitsFolder(files.Root, 60);
        string bad = Path.Combine(files.Root, "3", "broken.png");
        var png = PngWriter.Encode(new byte[8 * 8 * 3], 8, 8);
        File.WriteAllBytes(bad, png[..40]); // header intact, data cut
        File.WriteAllBytes(Path.Combine(files.Root, "3", "text.jpg"), "not an image"u8.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderData.Load(files.Root));
        Assert.True(e.Message.Contains("broken.png") || e.Message.Contains("text.jpg"), e.Message);
        var skipped = ImageFolderData.Load(files.Root, new ImageFolderOptions { SkipBadImages = true });
        Assert.Contains(skipped.Notes, n => n.Contains("unreadable image(s) skipped"));
        Assert.Equal(60, skipped.Train.Count + skipped.Test.Count);
    }

    [Fact]
    public void AHeaderClaimingAHugeImageIsRefusedBeforeDecoding()
    {
        using var files = new DataTestFiles();
        var png = PngWriter.Encode(new byte[4 * 4 * 3], 4, 4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 60_000); // IHDR width
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 60_000); // IHDR height
        string path = files.Write("huge.png", png);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => ImagePreprocessor.Decode(path));
        Assert.Contains("huge.png", e.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1 << 20);
    }

    [Fact]
    public void ResizingTakesTheCentredSquareAndKeepsConstantColours()
    {
        // 12×8 image: left and right 2 columns red, the centre 8×8 square green → all green after the crop.
        var rgb = new byte[12 * 8 * 3];
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 12; x++)
                rgb[(y * 12 + x) * 3 + (x is >= 2 and < 10 ? 1 : 0)] = 255;
        var output = new float[3 * 4 * 4];
        ImagePreprocessor.Resize(rgb, 12, 8, 4, output);
        Assert.All(output[..16], v => Assert.Equal(0f, v));
        Assert.All(output[16..32], v => Assert.Equal(1f, v));
    }
}
