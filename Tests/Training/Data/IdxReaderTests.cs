using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class IdxReaderTests
{
    private static byte[] Pixels(int count, int rows, int columns) =>
        Enumerable.Range(0, count * rows * columns).Select(i => (byte)(i * 7 % 256)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsImagesAndLabelsPlainOrGzip(bool gzip)
    {
        using var files = new DataTestFiles();
        var pixels = Pixels(5, 3, 4);
        string images = files.Write("images-idx3-ubyte.gz",
            DataTestFiles.Idx(IdxReader.ImagesMagic, [5, 3, 4], pixels), gzip);
        string labels = files.Write("labels-idx1-ubyte",
            DataTestFiles.Idx(IdxReader.LabelsMagic, [5], [3, 0, 9, 1, 1]), gzip);
        var dataset = IdxReader.ReadDataset(images, labels, "tiny");
        Assert.Equal(new[] { 1, 3, 4 }, dataset.SampleShape);
        Assert.Equal(new[] { 3, 0, 9, 1, 1 }, dataset.Labels);
        Assert.Equal(pixels.Select(p => p / 255f), dataset.Features);
        var firstTwo = IdxReader.ReadDataset(images, labels, "tiny", maxCount: 2);
        Assert.Equal(2, firstTwo.Count);
        Assert.Equal(dataset.Features.Take(24), firstTwo.Features);
    }

    [Fact]
    public void WrongMagicNamesFileAndOffset()
    {
        using var files = new DataTestFiles();
        string labels =
            files.Write("swapped.idx", DataTestFiles.Idx(IdxReader.LabelsMagic, [2, 2, 2], new byte[8]), gzip: true);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(labels));
        Assert.Contains("swapped.idx", ex.Message);
        Assert.Contains("byte offset 0", ex.Message);
        Assert.Contains("0x00000801", ex.Message);
    }

    [Fact]
    public void TruncatedImageRecordNamesFileRecordAndOffset()
    {
        using var files = new DataTestFiles();
        // Header says 3 images of 2x2 but only 2.5 images follow: data ends at offset 16 + 10 = 26.
        string images = files.Write("short-images.gz",
            DataTestFiles.Idx(IdxReader.ImagesMagic, [3, 2, 2], new byte[10]), gzip: true);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(images));
        Assert.Contains("short-images.gz", ex.Message);
        Assert.Contains("byte offset 26", ex.Message);
        Assert.Contains("image record 2", ex.Message);
        Assert.Equal(2, IdxReader.ReadImages(images, maxCount: 2).Count);
    }

    [Fact]
    public void LabelOutOfRangeNamesFileRecordAndOffset()
    {
        using var files = new DataTestFiles();
        string labels = files.Write("bad-labels", DataTestFiles.Idx(IdxReader.LabelsMagic, [4], [1, 2, 10, 3]));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(labels, classCount: 10));
        Assert.Contains("bad-labels", ex.Message);
        Assert.Contains("byte offset 10", ex.Message);
        Assert.Contains("label record 2 is 10", ex.Message);
    }

    [Fact]
    public void MismatchedCountsAreRejected()
    {
        using var files = new DataTestFiles();
        string images = files.Write("i", DataTestFiles.Idx(IdxReader.ImagesMagic, [2, 1, 1], [1, 2]));
        string labels = files.Write("l", DataTestFiles.Idx(IdxReader.LabelsMagic, [3], [1, 2, 3]));
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(images, labels, "x"));
        Assert.Contains("3 labels", ex.Message);
    }

    [Fact]
    public void FashionMnistLoadsFromAFolderOfGzipFiles()
    {
        using var files = new DataTestFiles();
        foreach (var (split, n) in new[] { ("train", 6), ("t10k", 2) })
        {
            files.Write($"{split}-images-idx3-ubyte.gz",
                DataTestFiles.Idx(IdxReader.ImagesMagic, [n, 28, 28], Pixels(n, 28, 28)), gzip: true);
            files.Write($"{split}-labels-idx1-ubyte.gz",
                DataTestFiles.Idx(IdxReader.LabelsMagic, [n], Enumerable.Range(0, n).Select(i => (byte)i).ToArray()),
                gzip: true);
        }
        var (train, test) = Datasets.FashionMnist(files.Root);
        Assert.Equal((6, 2), (train.Count, test.Count));
        Assert.Equal(new[] { 1, 28, 28 }, test.SampleShape);
        Assert.Equal("Ankle boot", train.ClassNames![9]);
    }

    [Fact]
    public void InstalledFashionMnistReadsWhenPresent()
    {
        // optional: only with dataset-fashion-mnist installed
        if (!Directory.Exists(Datasets.DebianFashionMnistDirectory)) return;
        var (train, test) = Datasets.FashionMnist(maxCount: 500);
        Assert.Equal((500, 500), (train.Count, test.Count));
        Assert.All(train.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.True(train.Labels.Distinct().Count() == 10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AHeaderClaimingMillionsOfImagesFailsWithoutAllocatingThem(bool gzip)
    {
        using var files = new DataTestFiles();
        // 16 bytes of header claiming 2·10⁶ images of 28x28 (1.6 GB, which one array could hold), then 100 bytes.
        string images =
            files.Write("liar-images",
            DataTestFiles.Idx(IdxReader.ImagesMagic, [2_000_000, 28, 28], new byte[100]), gzip);
        string labels =
            files.Write("liar-labels", DataTestFiles.Idx(IdxReader.LabelsMagic, [100_000_000], new byte[100]), gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(images));
        Assert.Contains("liar-images", ex.Message);
        Assert.Contains("image record 0 of 2000000", ex.Message);
        Assert.Contains("truncated",
            Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(labels, 10)).Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 8L << 20);
        // 10⁸ images cannot be one array at all: refused from the header alone.
        string huge = files.Write("huge-images", DataTestFiles.Idx(IdxReader.ImagesMagic, [100_000_000, 28, 28],
            new byte[100]), gzip);
        Assert.Contains("do not fit in one array",
            Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(huge)).Message);
    }

    [Fact]
    public void CorruptGzipDataNamesTheFile()
    {
        using var files = new DataTestFiles();
        string images = files.Write("broken-images.gz",
            DataTestFiles.Idx(IdxReader.ImagesMagic, [50, 8, 8], Pixels(50, 8, 8)), gzip: true);
        var bytes = File.ReadAllBytes(images);
        for (int i = 10; i < bytes.Length - 8; i++) bytes[i] = 0xFF; // keep the gzip header, ruin the deflate stream
        File.WriteAllBytes(images, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(images));
        Assert.Contains("broken-images.gz", ex.Message);
        Assert.Contains("gzip", ex.Message);
    }
}
