using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class CategoricalCsvReaderTests
{
    private const string Ticdata = "/work/shared/data/ctr/ticdata.csv";

    private const string Table =
        "city,age,\"kind\",target\n" +
        "\"Paris, FR\",31,a,yes\n" +
        "Rome,45,b,no\n" +
        "\"Paris, FR\",,a,no\n" +
        "Oslo,19,\"say \"\"hi\"\"\",YES\n" + // test part from here
        "Rome,70,c,0\n";

    [Fact]
    public void BuildsVocabulariesOnTheTrainingPartAndMapsUnseenToZero()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("table.csv", Table);
        var table = CategoricalCsvReader.Read(path, new CategoricalCsvOptions
        {
            TargetColumn = "target",
            TrainingRows = 3,
            NumericBuckets = new Dictionary<string, double[]> { ["age"] = [20, 40, 60] },
        });
        Assert.Equal(new[] { "city", "age", "kind" }, table.FieldNames);
        Assert.Equal(new[] { 3, 5, 3 }, table.VocabularySizes); // {Paris, Rome}+OOV, 4 buckets+missing, {a, b}+OOV
        Assert.Equal(new[] { 3 }, table.Training.SampleShape);
        Assert.Equal(2, table.Training.ClassCount);
        Assert.Equal(new float[] { 1, 2, 1, /**/ 2, 3, 2, /**/ 1, 0, 1 }, table.Training.Features);
        Assert.Equal(new[] { 1, 0, 0 }, table.Training.Labels);
        // Oslo and "say "hi"" were never seen in training → OOV 0; 19 < 20 → bucket 1; 70 ≥ 60 → bucket 4.
        Assert.Equal(new float[] { 0, 1, 0, /**/ 2, 4, 0 }, table.Test!.Features);
        Assert.Equal(new[] { 1, 0 }, table.Test.Labels);
        Assert.Equal(1, table.Vocabularies[0]["Paris, FR"]);
    }

    [Fact]
    public void MinimumCountSendsRareValuesToOov()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("table.csv.gz", Table, gzip: true);
        var table = CategoricalCsvReader.Read(path,
            new CategoricalCsvOptions { TargetColumn = "target", MinimumCount = 2, IgnoredColumns = ["age"] });
        Assert.Equal(new[] { "city", "kind" }, table.FieldNames);
        Assert.Equal(new[] { 3, 2 }, table.VocabularySizes); // Paris and Rome twice; only 'a' twice
        Assert.Null(table.Test);
    }

    [Fact]
    public void UnknownTargetValueNamesFileLineAndColumn()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("bad-target.csv", Table.Replace("Rome,70,c,0", "Rome,70,c,2"));
        var ex = Assert.Throws<InvalidDataException>(() => CategoricalCsvReader.Read(path,
            new CategoricalCsvOptions { TargetColumn = "target" }));
        Assert.Contains("bad-target.csv", ex.Message);
        Assert.Contains("line 6, column 4 ('target')", ex.Message);
        Assert.Contains("'2'", ex.Message);
    }

    [Fact]
    public void UnparsableNumericCellNamesFileLineAndColumn()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("bad-age.csv", Table.Replace("Rome,45", "Rome,forty"));
        var options = new CategoricalCsvOptions
        {
            TargetColumn = "target",
            NumericBuckets = new Dictionary<string, double[]> { ["age"] = [30] }
        };
        var ex = Assert.Throws<InvalidDataException>(() => CategoricalCsvReader.Read(path, options));
        Assert.Contains("bad-age.csv", ex.Message);
        Assert.Contains("line 3, column 2 ('age')", ex.Message);
    }

    [Fact]
    public void TruncatedRowAndUnclosedQuoteAreRejected()
    {
        using var files = new DataTestFiles();
        string shortRow = files.WriteText("short.csv", Table.Replace("Rome,45,b,no", "Rome,45"));
        var ex = Assert.Throws<InvalidDataException>(() => CategoricalCsvReader.Read(shortRow,
            new CategoricalCsvOptions { TargetColumn = "target" }));
        Assert.Contains("short.csv': at line 3, column 3", ex.Message);
        string unclosed = files.WriteText("quote.csv", Table.Replace("Oslo", "\"Oslo"));
        ex = Assert.Throws<InvalidDataException>(() => CategoricalCsvReader.Read(unclosed,
            new CategoricalCsvOptions { TargetColumn = "target" }));
        Assert.Contains("quote.csv': at line 5", ex.Message);
    }

    [Fact]
    public void MissingTargetColumnIsAnArgumentError()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("t.csv", Table);
        var ex = Assert.Throws<ArgumentException>(() => CategoricalCsvReader.Read(path,
            new CategoricalCsvOptions { TargetColumn = "CARAVAN" }));
        Assert.Contains("CARAVAN", ex.Message);
    }

    [Fact]
    public void TicdataHasTheOriginalSplitAndImbalance()
    {
        if (!File.Exists(Ticdata)) return; // optional: the shared data folder is not on every machine
        var table = Datasets.Ticdata(Ticdata);
        Assert.Equal(85, table.FieldNames.Count);
        Assert.Equal((5822, 4000), (table.Training.Count, table.Test!.Count));
        Assert.Equal(39 + 1, table.VocabularySizes[0]); // STYPE: 39 customer subtypes + OOV
        double positiveRate = table.Training.Labels.Average();
        Assert.InRange(positiveRate, 0.05, 0.07);
        for (int f = 0; f < 85; f++)
            for (int i = 0; i < table.Test.Count; i++)
                Assert.InRange(table.Test.Features[i * 85 + f], 0, table.VocabularySizes[f] - 1);
    }
}
