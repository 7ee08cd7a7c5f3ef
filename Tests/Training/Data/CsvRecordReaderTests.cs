using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// The record splitter's own line reader: the same lines as <see cref="TextReader.ReadLine"/> for any mix of "\n",
/// "\r\n" and "\r" wherever the read buffer cuts them, and a bound on the length of a line or a record.
/// </summary>
public sealed class CsvRecordReaderTests
{
    private static List<List<string>> ReadAll(string text, int bufferSize, int maxLineLength = 1 << 20)
    {
        var reader = new CsvRecordReader(new StringReader(text), "t.csv", ',', maxLineLength, bufferSize);
        var records = new List<List<string>>();
        var cells = new List<string>();
        while (reader.Read(cells)) records.Add([.. cells]);
        return records;
    }

    [Fact]
    public void SplitsLinesAsReadLineDoesWhereverTheBufferCutsThem()
    {
        // Unquoted text from an alphabet rich in terminators: the reference is ReadLine's lines, blank ones
        // skipped, split at the commas and trimmed.
        var random = new Random(20261207);
        const string alphabet = "ab ,\r\n\n\r";
        for (int trial = 0; trial < 400; trial++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 40))
                .Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var expected = new List<List<string>>();
            using (var lines = new StringReader(text))
                for (string? line = lines.ReadLine(); line is not null; line = lines.ReadLine())
                    if (line.Length > 0) expected.Add([.. line.Split(',').Select(c => c.Trim())]);
            foreach (int bufferSize in new[] { 1, 2, 3, 7, 64 })
                Assert.Equal(expected, ReadAll(text, bufferSize));
        }
    }

    [Fact]
    public void AQuotedCellKeepsItsLineBreaksAndTheRecordItsFirstLine()
    {
        var records = ReadAll("a,\"x\r\ny\",b\r\nc,d", bufferSize: 3);
        Assert.Equal([["a", "x\ny", "b"], ["c", "d"]], records);
    }

    [Fact]
    public void ALineOrARecordLongerThanTheBoundIsRefusedNamingFileAndLine()
    {
        var line = Assert.Throws<InvalidDataException>(() =>
            ReadAll("a,b\n" + new string('x', 100) + "\nc,d\n", bufferSize: 16, maxLineLength: 50));
        Assert.Contains("t.csv", line.Message);
        Assert.Contains("line 2", line.Message);
        Assert.Contains("line is longer than 50 characters", line.Message);

        // Each line of this quoted record fits, the record does not.
        var record = Assert.Throws<InvalidDataException>(() =>
            ReadAll("h\n\"" + string.Join("\n", Enumerable.Repeat(new string('y', 30), 3)) + "\"\n",
                bufferSize: 16, maxLineLength: 50));
        Assert.Contains("line 2", record.Message);
        Assert.Contains("record is longer than 50 characters", record.Message);

        // At the bound itself a line is accepted.
        Assert.Single(ReadAll(new string('z', 50), bufferSize: 7, maxLineLength: 50));
        Assert.Equal(16 * 1024 * 1024, CsvRecordReader.MaxLineLength);
    }
}
