using System.Globalization;
using System.IO.Compression;
using System.Text;
using RocketNet.Serving.Tables;
using RocketNet.Tests.Training.Data;
using RocketNet.Training.Data.Tables;
using Xunit;

namespace RocketNet.Tests.Serving.Tables;

/// <summary>
/// Issue 27's table defects: files the reader used to crash on, accept in part, or describe wrongly must be
/// refused with a message naming the file and where, and type decisions must be told.
/// </summary>
public class TableReliabilityTests
{
    // n rows "i,x{i % 4},{i * 0.5},class{i % 3}" under the header "n,letter,half,y".
    private static string Rows(int count, int first = 0)
    {
        var text = new StringBuilder();
        for (int i = first; i < first + count; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 7},x{i % 4},{i * 0.5},class{i % 3}\n");
        return text.ToString();
    }

    [Fact]
    public void ARowLongerThanSixteenMebicharactersIsRefusedNamingFileAndLine()
    {
        using var files = new DataTestFiles();
        var text = new StringBuilder("a,b,y\n1,x,0\n2,");
        text.Append('z', 17 << 20).Append(",1\n3,x,0\n");
        string path = files.WriteText("long.csv", text.ToString());
        var e = Assert.Throws<InvalidDataException>(() => RawTable.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("longer than 16,777,216 characters", e.Message);

        string header = files.WriteText("long-header.csv", new string('h', 17 << 20) + ",y\n1,0\n");
        e = Assert.Throws<InvalidDataException>(() => RawTable.Read(header));
        Assert.Contains("line 1", e.Message);
    }

    // A gzip of 600 rows written in two halves with a flush between, so that the compressed bytes before
    // `boundary` decompress to exactly the first 300 rows (a cut at a row boundary).
    private static (byte[] Gzip, int Boundary) TwoHalvesGzip()
    {
        using var packed = new MemoryStream();
        int boundary;
        using (var gzip = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes("n,letter,half,y\n" + Rows(300)));
            gzip.Flush();
            boundary = (int)packed.Length;
            gzip.Write(Encoding.UTF8.GetBytes(Rows(300, first: 300)));
        }
        return (packed.ToArray(), boundary);
    }

    [Fact]
    public void ATruncatedGzipTableIsRefusedWhereverItIsCut()
    {
        using var files = new DataTestFiles();
        var (gzip, boundary) = TwoHalvesGzip();
        Assert.Equal(600, RawTable.Read(files.Write("whole.csv.gz", gzip)).Rows.Count);
        foreach (int cut in new[] { boundary, gzip.Length / 2, boundary + 7, gzip.Length - 8, gzip.Length - 1, 30 })
        {
            string path = files.Write($"cut-{cut}.csv.gz", gzip[..cut]);
            var e = Assert.Throws<InvalidDataException>(() => RawTable.Read(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void AGzipOfSeveralMembersIsStillRead()
    {
        using var files = new DataTestFiles();
        var first = DataTestFiles.Gzip(Encoding.UTF8.GetBytes("n,letter,half,y\n" + Rows(10)));
        var second = DataTestFiles.Gzip(Encoding.UTF8.GetBytes(Rows(5, first: 10)));
        Assert.Equal(15, RawTable.Read(files.Write("two.csv.gz", [.. first, .. second])).Rows.Count);
        var cut = files.Write("two-cut.csv.gz", [.. first, .. second[..^3]]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => RawTable.Read(cut)).Message);
    }

    // 100 rows; column "v" numeric (ten fractional values) except `odd` written on rows 10 and 20.
    private static string WithOddValues(string odd)
    {
        var text = new StringBuilder("v,w,y\n");
        for (int i = 0; i < 100; i++)
            text.Append(CultureInfo.InvariantCulture,
                $"{(i is 10 or 20 ? odd : (i % 10 * 1.25).ToString(CultureInfo.InvariantCulture))},{i % 5},c{i % 2}\n");
        return text.ToString();
    }

    [Fact]
    public void ASemicolonOrTabSeparatedFileIsNamedAsSuchNotReadAsOneColumn()
    {
        using var files = new DataTestFiles();
        string semicolons = files.WriteText("excel.csv", "a;b;y\n0,5;1,5;x\n2,5;3,5;z\n");
        var e = Assert.Throws<InvalidDataException>(
            () => TableData.Load(semicolons, new TableOptions { Target = "y" }));
        Assert.Contains(semicolons, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("looks semicolon-separated", e.Message);
        Assert.Contains("'.' as the decimal mark", e.Message);
        string tabs = files.WriteText("tabs.csv", "a\tb\ty\n1\t2\tx\n3\t4\tz\n");
        var t = Assert.Throws<InvalidDataException>(() => TableData.Load(tabs, new TableOptions { Target = "y" }));
        Assert.Contains("'a\\tb\\ty' is one column holding tabs", t.Message);
        Assert.Contains("Expected a .tsv name", t.Message);
        // the same tabs under a .tsv name are a table
        string tsv = files.WriteText("tabs.tsv", "a\tb\ty\n" + string.Concat(Enumerable.Range(0, 20).Select(
            i => $"{i}\t{i % 3}\t{(i % 2 == 0 ? "x" : "z")}\n")));
        Assert.Equal(3, RawTable.Read(tsv).Header.Count);
    }

    [Fact]
    public void ATableWhoseClassesHaveOneRowEachIsRefusedForLeavingNoTestPart()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("tiny.csv", "a,b,y\n1,2,x\n3,4,y\n");
        var e = Assert.Throws<InvalidDataException>(() => TableData.Load(path, new TableOptions { Target = "y" }));
        Assert.Contains(path, e.Message);
        Assert.Contains("2 labelled row(s) leave no test part", e.Message);
        Assert.Contains("--test FILE", e.Message);
        // with its own test file the same two rows are a (tiny) training part
        string test = files.WriteText("tiny-test.csv", "a,b,y\n5,6,x\n");
        Assert.Equal(2, TableData.Load(path, new TableOptions { Target = "y" }, test).Train.Count);
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("Infinity")]
    [InlineData("-inf")]
    public void ANonFiniteNumberInANumericColumnIsRefusedInEitherPart(string odd)
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("odd.csv", WithOddValues(odd));
        var e = Assert.Throws<InvalidDataException>(() => TableData.Load(path, new TableOptions { Target = "y" }));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 12, column 1 ('v')", e.Message);
        Assert.Contains($"'{odd}' is not a finite number", e.Message);
        Assert.Contains("--categorical v", e.Message);
        // Read as categories when asked.
        var data = TableData.Load(path, new TableOptions { Target = "y", Categorical = ["v"] });
        Assert.Equal(ColumnKind.Categorical, data.Preprocessor.Columns.Single(c => c.Name == "v").Kind);
    }

    [Fact]
    public void NumbersNearTheDoubleLimitAreStandardisedWithoutOverflow()
    {
        // Found by TableFuzzTests: squares of 1e308 overflowed, making the column's std infinite and features NaN.
        using var files = new DataTestFiles();
        string path = files.WriteText("huge.csv", WithOddValues("1e308").Replace("\n7.5,", "\n-1e308,"));
        var data = TableData.Load(path, new TableOptions { Target = "y" });
        Assert.All(data.Train.Features.Concat(data.Test.Features), f => Assert.True(float.IsFinite(f)));
        var v = data.Preprocessor.Columns.Single(c => c.Name == "v");
        Assert.True(double.IsFinite(v.Std) && v.Std > 0);
        // A served value that far from a small column's values cannot become a float: refused, not infinity.
        var small = TableData.Load(files.WriteText("small.csv", WithOddValues("1")), new TableOptions { Target = "y" });
        var e = Assert.Throws<ArgumentException>(() => small.Preprocessor.Encode(
            new Dictionary<string, string> { ["v"] = "1e300", ["w"] = "1" }));
        Assert.Contains("standard deviations from the training mean of column 'v'", e.Message);
    }

    [Fact]
    public void AMostlyNumericColumnReadAsCategoricalAndFewWholeNumbersAreNoted()
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("mixed.csv", WithOddValues("unknown"));
        var data = TableData.Load(path, new TableOptions { Target = "y" });
        Assert.Equal(ColumnKind.Categorical, data.Preprocessor.Columns.Single(c => c.Name == "v").Kind);
        Assert.Contains(data.Notes, n => n.Contains("column 'v' read as categorical: 2 of 100 values are not numbers")
            && n.Contains("'unknown' on line 12") && n.Contains("--numeric v"));
        Assert.Contains(data.Notes, n => n.Contains("whole numbers") && n.Contains(": w;"));
        // Whichever part the text falls in, the column is categorical: rows 10 and 20 cannot both be training rows
        // for every split seed, and no seed may fail on them.
        for (ulong seed = 1; seed <= 5; seed++)
        {
            var split = TableData.Load(path, new TableOptions { Target = "y", SplitSeed = seed });
            Assert.Equal(ColumnKind.Categorical, split.Preprocessor.Columns.Single(c => c.Name == "v").Kind);
        }
    }

    [Fact]
    public void TextThatIsNotUtf8IsNamedWithItsLineAndByteOffset()
    {
        using var files = new DataTestFiles();
        string header = files.Write("latin1-header.csv", [.. "caf"u8, 0xE9, .. ",y\n1,a\n2,b\n"u8]);
        var e = Assert.Throws<InvalidDataException>(() => RawTable.Read(header));
        Assert.Contains(header, e.Message);
        Assert.Contains("line 1 (byte offset 3, byte 0xE9)", e.Message);
        Assert.Contains("not UTF-8", e.Message);
        Assert.DoesNotContain("distinct", e.Message);

        string cell = files.Write("latin1-cell.csv.gz",
            [.. "a,y\n1,x\n2,x\nd"u8, 0xE9, .. "j"u8, 0xE0, .. ",y\n"u8], gzip: true);
        e = Assert.Throws<InvalidDataException>(() => RawTable.Read(cell));
        Assert.Contains("line 4 (byte offset 13, byte 0xE9)", e.Message);
        Assert.Contains("re-save it as UTF-8", e.Message);
    }

    [Fact]
    public void AContinuousTargetIsNamedAsSuch()
    {
        using var files = new DataTestFiles();
        var text = new StringBuilder("a,price\n");
        for (int i = 0; i < 80; i++) text.Append(CultureInfo.InvariantCulture, $"{i % 3},{i * 1.37 + 0.5}\n");
        string path = files.WriteText("prices.csv", text.ToString());
        var e = Assert.Throws<InvalidDataException>(() => TableData.Load(path, new TableOptions { Target = "price" }));
        Assert.Contains(path, e.Message);
        Assert.Contains("target column 'price' has 80 distinct values over 80 labelled rows", e.Message);
        Assert.Contains("continuous", e.Message);
        Assert.Contains("classifiers", e.Message);
    }
}
