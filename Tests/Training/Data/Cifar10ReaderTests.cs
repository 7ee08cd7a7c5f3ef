using System.Formats.Tar;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class Cifar10ReaderTests
{
    private const string RealArchive = "/work/shared/data/cifar-10-binary.tar.gz";

    private static void AssertRecord(Dataset dataset, int sample, int recordIndex)
    {
        Assert.Equal(recordIndex % 10, dataset.Labels[sample]);
        var values = dataset.Sample(sample);
        foreach (int p in new[] { 0, 1023, 1024, 3071 }) Assert.Equal((recordIndex + p) % 256 / 255f, values[p]);
    }

    [Fact]
    public void ReadsTrainBatchesInOrderFromAScrambledTarGz()
    {
        using var files = new DataTestFiles();
        string archive = files.Write("cifar-10-binary.tar.gz",
            DataTestFiles.Tar(DataTestFiles.CifarEntries(perBatch: 3)), gzip: true);
        var (train, test) = Datasets.Cifar10(archive);
        Assert.Equal((15, 3), (train.Count, test.Count));
        Assert.Equal(new[] { 3, 32, 32 }, train.SampleShape);
        for (int i = 0; i < 15; i++) AssertRecord(train, i, i);
        AssertRecord(test, 2, 1002);
        Assert.Equal("c9", train.ClassNames![9]);
    }

    [Fact]
    public void MaxRecordsTakesTheFirstRecordsOfEachSplit()
    {
        using var files = new DataTestFiles();
        string archive = files.Write("c.tar", DataTestFiles.Tar(DataTestFiles.CifarEntries(perBatch: 3)));
        var (train, test) = Cifar10Reader.Load(archive, maxRecordsPerSplit: 5);
        Assert.Equal((5, 3), (train.Count, test.Count));
        AssertRecord(train, 4, 4); // second record of data_batch_2
    }

    [Fact]
    public void ReadsAnExtractedFolder()
    {
        using var files = new DataTestFiles();
        foreach (var (name, data) in DataTestFiles.CifarEntries(perBatch: 2).Where(e => e.Data.Length > 0))
            files.Write(name, data);
        var (train, test) = Cifar10Reader.Load(files.Root);
        Assert.Equal((10, 2), (train.Count, test.Count));
        AssertRecord(train, 7, 7);
        Assert.Equal("c0", test.ClassNames![0]);
    }

    [Fact]
    public void ReadsArchivesWrittenBySystemFormatsTarWithLongNames()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("pax.tar");
        string longDir = new string('d', 120) + "/cifar-10-batches-bin/";
        using (var stream = File.Create(path))
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            foreach (var (name, data) in DataTestFiles.CifarEntries(perBatch: 1).Where(e => e.Data.Length > 0))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile,
                    longDir + name[(name.IndexOf('/') + 1)..])
                { DataStream = new MemoryStream(data) };
                writer.WriteEntry(entry);
            }
        }
        var (train, test) = Cifar10Reader.Load(path);
        Assert.Equal((5, 1), (train.Count, test.Count));
        AssertRecord(train, 3, 3);
    }

    [Fact]
    public void TruncatedRecordNamesArchiveEntryAndRecord()
    {
        using var files = new DataTestFiles();
        var entries = DataTestFiles.CifarEntries(perBatch: 2);
        int i = entries.FindIndex(e => e.Name.EndsWith("data_batch_5.bin"));
        entries[i] = (entries[i].Name, entries[i].Data[..^100]);
        string archive = files.Write("trunc.tar.gz", DataTestFiles.Tar(entries), gzip: true);
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Load(archive));
        Assert.Contains("trunc.tar.gz", ex.Message);
        Assert.Contains("data_batch_5.bin", ex.Message);
        Assert.Contains("record 1 (byte offset 3073)", ex.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesFileRecordAndOffset()
    {
        using var files = new DataTestFiles();
        foreach (var (name, data) in DataTestFiles.CifarEntries(perBatch: 2).Where(e => e.Data.Length > 0))
        {
            if (name.EndsWith("test_batch.bin")) data[3073] = 10;
            files.Write(name, data);
        }
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Load(files.Root));
        Assert.Contains("test_batch.bin", ex.Message);
        Assert.Contains("record 1 (byte offset 3073)", ex.Message);
        Assert.Contains("label 10", ex.Message);
    }

    [Fact]
    public void CorruptTarHeaderIsRejectedWithItsOffset()
    {
        using var files = new DataTestFiles();
        var tar = DataTestFiles.Tar(DataTestFiles.CifarEntries(perBatch: 1));
        tar[512 + 3] ^= 0x55; // second header (the first is the folder entry, no data)
        string archive = files.Write("corrupt.tar", tar);
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Load(archive));
        Assert.Contains("corrupt.tar", ex.Message);
        Assert.Contains("byte offset 512", ex.Message);
        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public void MissingBatchIsReported()
    {
        using var files = new DataTestFiles();
        var entries = DataTestFiles.CifarEntries(perBatch: 1).Where(e => !e.Name.EndsWith("test_batch.bin"));
        string archive = files.Write("partial.tar", DataTestFiles.Tar(entries));
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Load(archive));
        Assert.Contains("test_batch.bin", ex.Message);
    }

    [Fact]
    public void RealArchiveFirstRecordsLookLikeCifar()
    {
        if (!File.Exists(RealArchive)) return; // optional: the shared data folder is not on every machine
        var (train, test) = Cifar10Reader.Load(RealArchive, maxRecordsPerSplit: 300);
        Assert.Equal((300, 300), (train.Count, test.Count));
        Assert.Equal("airplane", train.ClassNames![0]);
        Assert.Equal(10, train.Labels.Distinct().Count());
        // Channel means of CIFAR-10 are about (0.49, 0.48, 0.45); 300 images land within a few hundredths.
        var stats = ChannelNormalizer.FromDataset(train);
        Assert.InRange(stats.Mean[0], 0.44f, 0.54f);
        Assert.InRange(stats.Mean[2], 0.40f, 0.50f);
        Assert.InRange(stats.Std[1], 0.2f, 0.3f);
    }

    // Replaces the size field of the tar header at headerOffset and recomputes the header checksum.
    private static byte[] WithSizeField(byte[] tar, int headerOffset, byte[] sizeField)
    {
        var copy = (byte[])tar.Clone();
        sizeField.CopyTo(copy, headerOffset + 124);
        for (int i = 148; i < 156; i++) copy[headerOffset + i] = (byte)' ';
        int sum = copy.AsSpan(headerOffset, 512).ToArray().Sum(b => b);
        System.Text.Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(copy,
            headerOffset + 148);
        return copy;
    }

    [Theory]
    // 2^32 bytes: read as it arrives
    [InlineData(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0 }, "truncated")]
    [InlineData(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0 }, "truncated")]               // 2^31 bytes
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE }, "negative")]
    [InlineData(new byte[] { 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "does not fit")]
    public void AHugeOrNegativeTarSizeIsAnInvalidDataErrorWithoutAHugeAllocation(byte[] sizeField, string expected)
    {
        using var files = new DataTestFiles();
        // The second header (offset 512) is data_batch_4.bin's.
        var tar = WithSizeField(DataTestFiles.Tar(DataTestFiles.CifarEntries(perBatch: 1)), 512, sizeField);
        string archive = files.Write("huge-size.tar", tar);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10Reader.Load(archive));
        Assert.Contains("huge-size.tar", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 16L << 20);
    }
}
