using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// <see cref="ClickLogStream"/> against the in-memory reader on small generated click logs: the same rows, a
/// shuffle that is a seeded permutation, several files (and gzip) as one stream, the temporal parts of
/// <see cref="ClickLogFiles"/>, and the epoch order a resumed run relies on.
/// </summary>
public sealed class ClickLogStreamTests : IDisposable
{
    private readonly DataTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Generate(string name, long rows, ulong seed = 1, bool gzip = false)
    {
        var text = new StringWriter();
        SyntheticClickCriteoWriter.Write(text, new SyntheticClickLogOptions { Users = 500, Ads = 100, Seed = seed },
            rows);
        return _files.WriteText(name, text.ToString(), gzip);
    }

    // Every (label, 39 ids) the stream yields in an epoch, as rows of 40 floats.
    private static List<float[]> StreamedRows(ClickLogStream stream, int epoch)
    {
        var rows = new List<float[]>();
        foreach (var (input, labels) in stream.Batches(epoch))
        {
            Assert.Equal([labels.Length, CriteoReader.FieldCount], input.Shape);
            for (int i = 0; i < labels.Length; i++)
                rows.Add([labels[i], .. input.Data.Slice(i * CriteoReader.FieldCount, CriteoReader.FieldCount)]);
        }
        return rows;
    }

    private static List<float[]> InMemoryRows(Dataset d) =>
        [.. Enumerable.Range(0, d.Count).Select(i => (float[])[d.Labels[i], .. d.Sample(i)])];

    private static string Key(float[] row) => string.Join(',', row);

    [Fact]
    public void WithoutShufflingTheStreamIsTheInMemoryReaderBatchByBatch()
    {
        string path = Generate("log.tsv", 1000);
        var options = new CriteoOptions { HashBuckets = 5000 };
        var stream = new ClickLogStream([path], options, batchSize: 64, shuffleBuffer: 0, seed: 7);
        Assert.Equal((1000L, 16), (stream.RowCount, stream.BatchesPerEpoch)); // 15 × 64 + 40
        var expected = InMemoryRows(CriteoReader.ReadDataset(path, int.MaxValue, options));
        var streamed = StreamedRows(stream, 0);
        Assert.Equal(expected.Count, streamed.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], streamed[i]);
    }

    [Fact]
    public void TheShuffleBufferPermutesEachEpochBySeedAndEpochOnly()
    {
        string path = Generate("log.tsv", 2000);
        var options = new CriteoOptions();
        var fileOrder = InMemoryRows(CriteoReader.ReadDataset(path, int.MaxValue, options)).Select(Key).ToList();
        var stream = new ClickLogStream([path], options, batchSize: 100, shuffleBuffer: 300, seed: 3);
        var epoch0 = StreamedRows(stream, 0).Select(Key).ToList();
        var epoch1 = StreamedRows(stream, 1).Select(Key).ToList();
        Assert.Equal(fileOrder.Order(StringComparer.Ordinal), epoch0.Order(StringComparer.Ordinal));
        Assert.Equal(fileOrder.Order(StringComparer.Ordinal), epoch1.Order(StringComparer.Ordinal));
        Assert.NotEqual(fileOrder, epoch0);
        Assert.NotEqual(epoch0, epoch1);
        // A fresh stream (a resumed process) gives epoch 1 the same order without having read epoch 0.
        var resumed = new ClickLogStream([path], options, batchSize: 100, shuffleBuffer: 300, seed: 3);
        Assert.Equal(epoch1, StreamedRows(resumed, 1).Select(Key).ToList());
        // The buffer shuffles locally: no row moves earlier than the buffer allows.
        var position = fileOrder.Select((key, i) => (key, i)).GroupBy(p => p.key).ToDictionary(g => g.Key,
            g => g.Min(p => p.i));
        for (int i = 0; i < epoch0.Count; i++) Assert.True(position[epoch0[i]] <= i + 300, $"row {i} came too early");
    }

    [Fact]
    public void SeveralFilesAFolderAndGzipAreOneStream()
    {
        string whole = Generate("whole.tsv", 900);
        var lines = File.ReadAllLines(whole);
        _files.WriteText(Path.Combine("days", "day_0.gz"), string.Join('\n', lines[..300]) + "\n", gzip: true);
        _files.WriteText(Path.Combine("days", "day_1"), string.Join('\n', lines[300..700]) + "\n");
        _files.WriteText(Path.Combine("days", "day_2.gz"), string.Join('\n', lines[700..]) + "\n", gzip: true);
        var options = new CriteoOptions();
        var folder = ClickLogFiles.Resolve(_files.PathOf("days"));
        Assert.Equal(["day_0.gz", "day_1", "day_2.gz"], folder.Select(Path.GetFileName));
        var list = ClickLogFiles.Resolve(string.Join(',', folder));
        Assert.Equal(folder, list);
        var expected = StreamedRows(new ClickLogStream([whole], options, 128, 0, 1), 0);
        Assert.Equal(expected, StreamedRows(new ClickLogStream(folder, options, 128, 0, 1), 0));
        // A part by row position crosses file boundaries: rows [250, 350) start in day_0 and end in day_1.
        var part = ClickLogFiles.ReadDataset(folder, options, 250, 100, "part");
        Assert.Equal(InMemoryRows(CriteoReader.ReadDataset(whole, 350, options))[250..],
            InMemoryRows(part));
    }

    [Fact]
    public void AFinalSingleRowIsLeftOutAndRowCountCapsTheEpoch()
    {
        string path = Generate("log.tsv", 129);
        var stream = new ClickLogStream([path], new CriteoOptions(), batchSize: 64, shuffleBuffer: 10, seed: 1);
        Assert.Equal((2, 128L), (stream.BatchesPerEpoch, stream.RowsPerEpoch)); // batch norm needs two rows
        Assert.Equal(128, StreamedRows(stream, 0).Count);
        var capped = new ClickLogStream([path], new CriteoOptions(), batchSize: 50, shuffleBuffer: 0, seed: 1,
            rowCount: 120);
        Assert.Equal([50, 50, 20], capped.Batches(0).Select(b => b.Labels.Length));
    }

    [Fact]
    public void AStreamLongerThanTheFilesFailsClearly()
    {
        string path = Generate("log.tsv", 100);
        var stream = new ClickLogStream([path], new CriteoOptions(), 10, 0, 1, rowCount: 150);
        var error = Assert.Throws<InvalidDataException>(() => stream.Batches(0).Count());
        Assert.Contains("ended after 100 rows; it had 150", error.Message);
    }

    [Fact]
    public void VocabulariesBeyondExactFloatIdsAreRejected()
    {
        string path = Generate("log.tsv", 10);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ClickLogStream([path],
            new CriteoOptions { HashBuckets = ClickLogStream.MaxExactVocabulary + 1 }, 4, 0, 1));
        Assert.Contains("exact only below 16777216", error.Message);
        // The largest accepted vocabulary keeps its largest id exact in the float batch.
        Assert.Equal(ClickLogStream.MaxExactVocabulary - 1, (int)(float)(ClickLogStream.MaxExactVocabulary - 1));
    }

    [Fact]
    public void MissingFilesAndEmptyFoldersAreNamed()
    {
        Assert.Contains("nope.tsv", Assert.Throws<FileNotFoundException>(
            () => ClickLogFiles.Resolve(_files.PathOf("nope.tsv"))).Message);
        Directory.CreateDirectory(_files.PathOf("empty"));
        Assert.Contains("holds no files", Assert.Throws<ArgumentException>(
            () => ClickLogFiles.Resolve(_files.PathOf("empty"))).Message);
    }

    [Fact]
    public void TheSyntheticWriterIsDeterministicAndHitsItsClickThroughRate()
    {
        string a = Generate("a.tsv", 20_000), b = Generate("b.tsv", 20_000);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(Generate("c.tsv", 20_000, seed: 2)));
        var rows = CriteoReader.ReadRows(a).ToList();
        Assert.Equal(20_000, rows.Count);
        double ctr = rows.Average(r => r.Label);
        Assert.InRange(ctr, 0.03, 0.05); // the default target is 4 %
        Assert.All(rows, r => Assert.NotEqual(0, r.FieldIds[CriteoReader.IntegerFieldCount])); // C1 (user) present
        Assert.All(rows, r => Assert.Equal(0, r.FieldIds[^1])); // C26 unused
    }

    [Fact]
    public void RareIdsOfTheTrainingRowsShareOneIdAfterTheHashedOnes()
    {
        string path = Generate("log.tsv", 3000);
        var options = new CriteoOptions { HashBuckets = 2000 };
        var map = RareIdCounter.Count([path], options, rows: 2000, minCount: 5);
        // Reference: count each (field, id) over the first 2000 rows by brute force.
        var rows = CriteoReader.ReadRows(path, options).ToList();
        var counts = new Dictionary<(int, int), int>();
        foreach (var row in rows.Take(2000))
        {
            for (int f = CriteoReader.IntegerFieldCount; f < CriteoReader.FieldCount; f++)
                counts[(f, row.FieldIds[f])] = counts.GetValueOrDefault((f, row.FieldIds[f])) + 1;
        }
        int rareSeen = 0;
        foreach (var row in rows)
        {
            int[] mapped = (int[])row.FieldIds.Clone();
            map.Apply(mapped);
            for (int f = 0; f < CriteoReader.FieldCount; f++)
            {
                int id = row.FieldIds[f];
                bool rare = f >= CriteoReader.IntegerFieldCount && id != 0 && counts.GetValueOrDefault((f, id)) < 5;
                Assert.Equal(rare ? 2000 : id, mapped[f]);
                if (rare) rareSeen++;
            }
        }
        Assert.True(rareSeen > 0 && map.RareIdCount > 0, "the generated log has no rare ids: the test checks nothing");
        Assert.Equal(2001, map.VocabularySizes(options.VocabularySizes())[^1]);
        // The stream and the in-memory parts apply the same map.
        var stream = new ClickLogStream([path], options, 100, 0, 1, rareIds: map);
        var part = ClickLogFiles.ReadDataset([path], options, 0, 3000, "all", map);
        Assert.Equal(InMemoryRows(part), StreamedRows(stream, 0));
    }
}
