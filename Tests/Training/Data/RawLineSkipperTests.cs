using System.Text;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// <see cref="RawLineSkipper"/> against the parsing path: on logs with every kind of line end (<c>\n</c>,
/// <c>\r\n</c>, a lone <c>\r</c>, split across buffer ends), empty lines, a byte-order mark, a header, no final line
/// end and gzip, the rows after a raw skip are the parsed rows after the same number, with the same line numbers, and
/// the raw count is the parsed count.
/// </summary>
public sealed class RawLineSkipperTests : IDisposable
{
    private static readonly string[] LineEnds = ["\n", "\r\n", "\r"];
    private readonly DataTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    // The lines of a synthetic Criteo log (or of the Avazu sample) joined by a seeded mix of line ends, with empty
    // lines between some rows.
    private string MessyLog(string name, string[] lines, int seed, bool bom, bool finalLineEnd, bool gzip)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bom ? "\uFEFF" : "");
        for (int i = 0; i < lines.Length; i++)
        {
            text.Append(lines[i]);
            if (i == lines.Length - 1 && !finalLineEnd) break;
            text.Append(LineEnds[random.Next(3)]);
            if (i > 0 && random.Next(8) == 0) text.Append(LineEnds[random.Next(3)]); // an empty line (or a \r\n)
        }
        return _files.WriteText(name, text.ToString(), gzip);
    }

    private static string[] CriteoLines(int rows, ulong seed)
    {
        var text = new StringWriter();
        SyntheticClickCriteoWriter.Write(text,
            new SyntheticClickLogOptions { Users = 50, Ads = 20, Seed = seed }, rows);
        return text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static List<(int, string, long)> Keys(IEnumerable<ClickRow> rows) =>
        [.. rows.Select(r => (r.Label, string.Join(',', r.FieldIds), r.Line))];

    public static TheoryData<int, bool, bool, bool> Cases() => new()
    {
        { 1, false, true, false },
        { 2, true, false, false },
        { 3, false, false, true },
        { 4, true, true, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SkippingRawGivesTheParsedRowsAfterTheSameNumber(int seed, bool bom, bool finalLineEnd, bool gzip)
    {
        var criteo = new CriteoOptions { HashBuckets = 100 };
        var avazu = new AvazuOptions { HashBuckets = 100 };
        string[] avazuLines = File.ReadAllLines("/work/shared/data/ctr/avazu_sample.txt");
        foreach (var (layout, path) in new (IClickLogLayout, string)[]
        {
            (criteo, MessyLog($"c{seed}.tsv", CriteoLines(60, (ulong)seed), seed, bom, finalLineEnd, gzip)),
            (avazu, MessyLog($"a{seed}.csv", avazuLines, seed, bom, finalLineEnd, gzip)), // with its header
            (avazu, MessyLog($"n{seed}.csv", avazuLines[1..], seed, bom, finalLineEnd, gzip)), // without
        })
        {
            var parsed = Keys(layout.ReadRows(path));
            Assert.True(parsed.Count >= 60);
            Assert.Equal(parsed.Count, ClickLogFiles.CountRows([path], layout));
            foreach (int bufferSize in new[] { 4, 5, 7, 64, 1 << 16 })
            {
                Assert.Equal(parsed.Count, RawLineSkipper.CountRows(path, layout, bufferSize));
                foreach (int start in new[] { 1, 2, 17, parsed.Count - 1, parsed.Count, parsed.Count + 5 })
                {
                    var skipped = RawLineSkipper.Skip(path, layout, start, bufferSize)!;
                    Assert.Equal(Math.Min(start, parsed.Count), skipped.RowsSkipped);
                    Assert.Equal(parsed.Skip(start), Keys(layout.ReadRows(path, skipped)));
                }
            }
        }
    }

    [Fact]
    public void SeveralFilesAreSkippedAsOneStream()
    {
        var layout = new CriteoOptions { HashBuckets = 100 };
        string[] files =
        [
            MessyLog("d0.tsv", CriteoLines(30, 1), 1, bom: false, finalLineEnd: true, gzip: true),
            MessyLog("d1.tsv", CriteoLines(25, 2), 2, bom: true, finalLineEnd: false, gzip: false),
            MessyLog("d2.tsv", CriteoLines(20, 3), 3, bom: false, finalLineEnd: false, gzip: true),
        ];
        var parsed = Keys(files.SelectMany(layout.ReadRows));
        Assert.Equal(75, parsed.Count);
        foreach (int start in new[] { 0, 1, 29, 30, 31, 55, 56, 74, 75 })
            Assert.Equal(parsed.Skip(start), Keys(ClickLogFiles.ReadRows(files, layout, start)));
        var part = ClickLogFiles.ReadDataset(files, layout, 40, 20, "part");
        Assert.Equal(20, part.Count);
        Assert.Equal(parsed[40].Item2, string.Join(',', part.Sample(0).ToArray()));
    }

    [Fact]
    public void AUtf16FileIsParsedInsteadOfSkippedRaw()
    {
        var layout = new CriteoOptions { HashBuckets = 100 };
        string path = _files.Write("wide.tsv",
            Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(string.Join("\r\n", CriteoLines(20, 4))))
                .ToArray());
        Assert.Null(RawLineSkipper.Skip(path, layout, 3));
        var parsed = Keys(layout.ReadRows(path));
        Assert.Equal(20, parsed.Count);
        Assert.Equal(20, ClickLogFiles.CountRows([path], layout));
        Assert.Equal(parsed.Skip(7), Keys(ClickLogFiles.ReadRows([path], layout, 7)));
    }

    [Fact]
    public void AMalformedHeaderOrRowAfterTheSkipIsReportedAsWhenParsed()
    {
        var lines = File.ReadAllLines("/work/shared/data/ctr/avazu_sample.txt");
        lines[0] = lines[0].Replace(",C1,", ",C2,", StringComparison.Ordinal);
        string badHeader = _files.WriteText("h.csv", string.Join("\r\n", lines));
        var error = Assert.Throws<InvalidDataException>(
            () => ClickLogFiles.ReadRows([badHeader], new AvazuOptions(), 10).ToList());
        Assert.Contains("line 1, column 4 ('C2')", error.Message);
        var rows = CriteoLines(30, 5);
        rows[20] = "2" + rows[20][1..];
        string badRow = _files.WriteText("r.tsv", string.Join("\r\n", rows));
        error = Assert.Throws<InvalidDataException>(
            () => ClickLogFiles.ReadRows([badRow], new CriteoOptions(), 10).ToList());
        Assert.Contains("line 21, column 1 ('label')", error.Message);
    }
}
