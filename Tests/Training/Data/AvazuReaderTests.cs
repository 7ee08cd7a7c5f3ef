using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// <see cref="AvazuReader"/> on the shared Avazu sample and on small edited copies: the ids of every field, files
/// with and without the header (CRLF, gzip) as one stream, and malformed rows named by line and column.
/// </summary>
public sealed class AvazuReaderTests : IDisposable
{
    private const string SharedSample = "/work/shared/data/ctr/avazu_sample.txt";
    private readonly DataTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string[] SampleLines() => File.ReadAllLines(SharedSample);

    [Fact]
    public void EveryFieldOfTheSampleBecomesItsId()
    {
        var options = new AvazuOptions { HashBuckets = 1000 };
        var rows = AvazuReader.ReadRows(SharedSample, options).ToList();
        var lines = SampleLines();
        Assert.Equal(lines.Length - 1, rows.Count);
        Assert.Equal(100, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            string[] cells = lines[i + 1].Split(',');
            Assert.Equal(int.Parse(cells[1]), rows[i].Label);
            Assert.Equal(i + 2, rows[i].Line);
            // 14102100: 21 October 2014, a Tuesday, hour 0.
            Assert.Equal((0, 1), (rows[i].FieldIds[0], rows[i].FieldIds[1]));
            for (int c = 3; c < 24; c++)
                Assert.Equal(FeatureHashing.Bucket(cells[c], 1000), rows[i].FieldIds[c - 1]);
        }
        Assert.Contains(rows, r => r.Label == 1);
        Assert.Equal([24, 7, .. Enumerable.Repeat(1000, 21)], options.VocabularySizes());
    }

    [Theory]
    [InlineData("14102813", 13, 1)] // Tuesday 28 October 2014
    [InlineData("14102623", 23, 6)] // Sunday
    [InlineData("14102700", 0, 0)]  // Monday
    public void TheHourGivesHourOfDayAndDayOfWeek(string hour, int hourOfDay, int weekday)
    {
        string row = SampleLines()[1].Replace(",14102100,", $",{hour},", StringComparison.Ordinal);
        var read = AvazuReader.ReadRows(_files.WriteText("one.csv", row + "\n")).Single();
        Assert.Equal((hourOfDay, weekday), (read.FieldIds[0], read.FieldIds[1]));
    }

    [Fact]
    public void FilesWithoutHeaderWithCrlfOrGzipReadAsOneStream()
    {
        var lines = SampleLines();
        string first = _files.WriteText("day_0.csv", string.Join("\r\n", lines[..61]) + "\r\n", gzip: true);
        string second = _files.WriteText("day_1.csv", string.Join("\n", lines[61..]) + "\n"); // no header
        var layout = new AvazuOptions { HashBuckets = 500 };
        var expected = AvazuReader.ReadRows(SharedSample, layout).ToList();
        var streamed = ClickLogFiles.ReadRows([first, second], layout).ToList();
        Assert.Equal(expected.Select(r => (r.Label, string.Join(',', r.FieldIds))),
            streamed.Select(r => (r.Label, string.Join(',', r.FieldIds))));
        Assert.Equal(100, ClickLogFiles.CountRows([first, second], layout));
        var stream = new ClickLogStream([first, second], layout, batchSize: 16, shuffleBuffer: 0, seed: 1);
        var part = ClickLogFiles.ReadDataset([first, second], layout, 0, 100, "all");
        var batches = stream.Batches(0).SelectMany(b => b.Input.Data.ToArray()).ToArray();
        Assert.Equal(part.Features, batches);
    }

    [Theory]
    [InlineData(2, "1,2", "line 3, column 24 ('C21'): the row ends after 23 cells")]
    [InlineData(2, "1,2,", "line 3, column 25 ('(none)'): the row has more than 24 cells")]
    [InlineData(2, "click=2", "line 3, column 2 ('click'): click '2' is not 0 or 1")]
    [InlineData(2, "hour=14102124", "line 3, column 3 ('hour'): hour '14102124' is not a valid date and hour")]
    [InlineData(2, "hour=14023100", "line 3, column 3 ('hour'): hour '14023100' is not a valid date and hour")]
    [InlineData(2, "hour=1410210", "line 3, column 3 ('hour'): hour '1410210' is not 8 digits")]
    [InlineData(0, "header", "line 1, column 4 ('C2'): the header names column 4 'C2'; the Avazu layout has 'C1'")]
    [InlineData(0, "short header", "line 1, column 24 ('(none)'): the header has 23 columns")]
    public void MalformedRowsAreNamedByLineAndColumn(int line, string edit, string message)
    {
        var lines = SampleLines()[..5];
        lines[line] = edit switch
        {
            "1,2" => lines[line][..lines[line].LastIndexOf(',')],
            "1,2," => lines[line] + ",7",
            "header" => lines[line].Replace(",C1,", ",C2,", StringComparison.Ordinal),
            "short header" => lines[line][..lines[line].LastIndexOf(',')],
            _ when edit.StartsWith("click=", StringComparison.Ordinal) => ReplaceCell(lines[line], 1, edit[6..]),
            _ => ReplaceCell(lines[line], 2, edit[5..]),
        };
        string path = _files.WriteText("bad.csv", string.Join('\n', lines));
        var error = Assert.Throws<InvalidDataException>(() => AvazuReader.ReadRows(path).ToList());
        Assert.Contains($"File '{path}': at {message}", error.Message);
    }

    private static string ReplaceCell(string line, int column, string value)
    {
        string[] cells = line.Split(',');
        cells[column] = value;
        return string.Join(',', cells);
    }
}
