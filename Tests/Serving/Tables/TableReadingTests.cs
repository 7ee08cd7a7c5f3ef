using RocketNet.Serving.Tables;
using RocketNet.Tests.Training.Data;
using RocketNet.Training.Data.Tables;
using Xunit;

namespace RocketNet.Tests.Serving.Tables;

public class TableReadingTests
{
    [Fact]
    public void ReadsQuotedCellsTabsAndGzip()
    {
        using var files = new DataTestFiles();
        var csv = RawTable.Read(files.WriteText("t.csv", "name,city,y\n\"Smith, J\",\"Paris\",1\nLee,Rome,0\n\n"));
        Assert.Equal(["name", "city", "y"], csv.Header);
        Assert.Equal(["Smith, J", "Paris", "1"], csv.Rows[0]);
        Assert.Equal([2, 3], csv.Lines);
        var tsv = RawTable.Read(files.WriteText("t.tsv.gz", "a\tb\n1,5\tx\n", gzip: true));
        Assert.Equal(["1,5", "x"], tsv.Rows[0]);
    }

    [Theory]
    [InlineData("a,b\n1,2\n3\n", "line 3", "1 cells where the header has 2 columns")]
    [InlineData("a,a\n1,2\n", "line 1", "column names must be distinct")]
    [InlineData("a, a\n1,2\n", "line 1, column 2", "repeats column 1")]
    [InlineData("a,,c\n1,2,3\n", "line 1, column 2", "empty column name")]
    public void MalformedTablesNameTheFileAndLine(string text, string where, string what)
    {
        using var files = new DataTestFiles();
        string path = files.WriteText("bad.csv", text);
        var e = Assert.Throws<InvalidDataException>(() => RawTable.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void InvalidUtf8IsAnErrorNamingTheFile()
    {
        using var files = new DataTestFiles();
        string path = files.Write("latin1.csv", [.. "a,b\n"u8, 0xE9, (byte)',', (byte)'1', (byte)'\n']);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => RawTable.Read(path)).Message);
    }
}
