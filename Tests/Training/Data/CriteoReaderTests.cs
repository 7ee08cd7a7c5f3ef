using System.Text;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class CriteoReaderTests
{
    private const string SharedSample = "/work/shared/data/ctr/criteo_sample.txt";

    private static string TsvRow(string label, string firstInteger = "5", string firstCategory = "68fd1e64") =>
        string.Join('\t', [label, firstInteger, .. Enumerable.Repeat("", 12), firstCategory,
            .. Enumerable.Range(0, 25).Select(i => i % 3 == 0 ? "" : $"{i:x8}")]);

    [Theory]
    [InlineData("", 0x811C9DC5u)]
    [InlineData("a", 0xE40C292Cu)]
    [InlineData("foobar", 0xBF9CF968u)]
    public void Fnv1aMatchesTheReferenceVectors(string value, uint expected) =>
        Assert.Equal(expected, FeatureHashing.Fnv1a(value));

    [Fact]
    public void HashBucketsAreStableAndReserveZeroForMissing()
    {
        Assert.Equal(0, FeatureHashing.Bucket("", 100));
        Assert.Equal(1 + (int)(0xBF9CF968u % 99), FeatureHashing.Bucket("foobar", 100));
        Assert.InRange(FeatureHashing.Bucket("05db9164", 10), 1, 9);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 5)]    // ln²3 = 1.2 → 4 + 1
    [InlineData(100, 25)] // ln²100 = 21.2 → 4 + 21
    [InlineData(1e12, 127)] // clamped
    public void IntegersAreLogBucketised(double value, int bucket) =>
        Assert.Equal(bucket, CriteoReader.IntegerBucket(value, 128));

    [Fact]
    public void StreamsTabSeparatedRowsIntoFieldIds()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("day_0.gz", TsvRow("1") + "\n" + TsvRow("0", "", "") + "\n", gzip: true);
        var rows = CriteoReader.ReadRows(path, new CriteoOptions { HashBuckets = 1000 }).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal((1, 0), (rows[0].Label, rows[1].Label));
        Assert.Equal(CriteoReader.IntegerBucket(5, 128), rows[0].FieldIds[0]);
        Assert.Equal(0, rows[0].FieldIds[1]);
        Assert.Equal(FeatureHashing.Bucket("68fd1e64", 1000), rows[0].FieldIds[13]);
        Assert.Equal((0, 0), (rows[1].FieldIds[0], rows[1].FieldIds[13]));
        Assert.Equal(2, rows[1].Line);
    }

    [Fact]
    public void RowsAreProducedLazilyOneLineAtATime()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("lazy.txt", TsvRow("1") + "\nthis line is broken\n");
        Assert.Single(CriteoReader.ReadRows(path).Take(1));
        Assert.Throws<InvalidDataException>(() => CriteoReader.ReadRows(path).ToList());
    }

    [Fact]
    public void BadCellsNameFileLineAndColumn()
    {
        using var files = new DataTestFiles();
        string badLabel = files.WriteText("bad-label.tsv", TsvRow("1") + "\n" + TsvRow("2") + "\n");
        var ex = Assert.Throws<InvalidDataException>(() => CriteoReader.ReadRows(badLabel).ToList());
        Assert.Contains("bad-label.tsv': at line 2, column 1 ('label')", ex.Message);

        string badInteger = files.WriteText("bad-int.tsv", TsvRow("0", "x7"));
        ex = Assert.Throws<InvalidDataException>(() => CriteoReader.ReadRows(badInteger).ToList());
        Assert.Contains("bad-int.tsv': at line 1, column 2 ('I1')", ex.Message);

        string huge = files.WriteText("huge-int.tsv", TsvRow("0", "1e400"));
        ex = Assert.Throws<InvalidDataException>(() => CriteoReader.ReadRows(huge).ToList());
        Assert.Contains("huge-int.tsv': at line 1, column 2 ('I1')", ex.Message);
        Assert.Contains("out of range", ex.Message);

        string shortRow = files.WriteText("short.tsv", "0\t1\t2\n");
        ex = Assert.Throws<InvalidDataException>(() => CriteoReader.ReadRows(shortRow).ToList());
        Assert.Contains("short.tsv': at line 1, column 4", ex.Message);
    }

    [Fact]
    public void CsvWithHeaderIsDetectedAndMaterialised()
    {
        using var files = new DataTestFiles();
        var csv = new StringBuilder("label," + string.Join(",", CriteoReader.FieldNames) + "\n");
        csv.Append(TsvRow("1", "3.0").Replace('\t', ',')).Append('\n');
        csv.Append(TsvRow("0").Replace('\t', ',')).Append('\n');
        csv.Append(TsvRow("1").Replace('\t', ',')).Append('\n');
        string path = files.WriteText("sample.csv", csv.ToString());
        var dataset = CriteoReader.ReadDataset(path, maxRows: 2);
        Assert.Equal(2, dataset.Count);
        Assert.Equal(new[] { 39 }, dataset.SampleShape);
        Assert.Equal(new[] { 1, 0 }, dataset.Labels);
        Assert.Equal(5f, dataset.Features[0]);
    }

    [Fact]
    public void SharedSampleReadsWithIdsInsideTheVocabularies()
    {
        if (!File.Exists(SharedSample)) return; // optional: the shared data folder is not on every machine
        var options = new CriteoOptions { HashBuckets = 5000 };
        var dataset = CriteoReader.ReadDataset(SharedSample, maxRows: 1000, options);
        Assert.Equal(200, dataset.Count);
        var sizes = CriteoReader.VocabularySizes(options);
        for (int i = 0; i < dataset.Count; i++)
            for (int f = 0; f < 39; f++)
                Assert.InRange(dataset.Features[i * 39 + f], 0, sizes[f] - 1);
        Assert.Contains(1, dataset.Labels);
    }
}
