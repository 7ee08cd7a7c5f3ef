using System.Globalization;
using System.Text;
using RocketNet.Serving.Tables;
using RocketNet.Tests.Training.Data;
using RocketNet.Training.Data.Tables;
using Xunit;
using Xunit.Abstractions;

namespace RocketNet.Tests.Serving.Tables;

/// <summary>
/// Seeded fuzzing of the table path (RawTable, TablePreprocessor, TableData): a valid small CSV mutated the
/// ways damaged or odd files are (bit flips, cuts, stray quotes and separators, huge or non-finite numbers,
/// bytes that are not UTF-8, gzip cut short or damaged) must either load, with every feature finite, or be
/// refused with an <see cref="InvalidDataException"/> naming the file; any other exception, or a case still
/// running after <see cref="CaseTimeout"/>, fails. A gzip cut short must never load. Set ROCKETNET_FUZZ_CASES
/// for a longer local run (default 300).
/// </summary>
public class TableFuzzTests(ITestOutputHelper log)
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("ROCKETNET_FUZZ_CASES"),
        out int n) && n > 0 ? n : 300;

    // 60 rows: a fractional number, a whole-number code, a category, a quoted cell holding the separator, and
    // a three-class target.
    private static byte[] ValidCsv()
    {
        var text = new StringBuilder("amount,code,colour,note,y\n");
        string[] colours = ["red", "green", "blue", "teal"];
        for (int i = 0; i < 60; i++)
            text.Append(CultureInfo.InvariantCulture,
                $"{i * 0.75 - 3:F2},{i % 6},{colours[i % 4]},\"n{i % 5}, \"\"q\"\"\",{(char)('a' + i % 3)}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static readonly string[] OddCells = ["1e400", "-1e400", "1e308", "1e-400", "NaN", "Infinity", "-inf",
        "99999999999999999999999999", "", "\"", "\"\"", "a,b", "\"x\ny\"", "0x1F", "1,5", "∞", "NA"];

    // One mutation of the text (two in a quarter of the cases), then, for a third of the cases, gzip (sometimes
    // cut or damaged).
    private static (byte[] Bytes, bool Gzip, bool CutGzip) Mutate(byte[] valid, RandomGenerator random)
    {
        var bytes = (byte[])valid.Clone();
        for (int m = random.NextInt(4) == 0 ? 2 : 1; m > 0; m--)
        {
            int at = random.NextInt(bytes.Length + 1);
            bytes = random.NextInt(7) switch
            {
                0 => Flip(bytes, random),
                1 => bytes[..(random.NextInt(2) == 0 ? at : LineStart(bytes, at))], // mid-row or at a row end
                2 => [.. bytes[..at], .. "\""u8, .. bytes[at..]],
                3 => [.. bytes[..at], (byte)",\n\t\r"[random.NextInt(4)], .. bytes[at..]],
                4 => ReplaceCell(bytes, at, OddCells[random.NextInt(OddCells.Length)]),
                5 => [.. bytes[..at], (byte)(0x80 + random.NextInt(128)), .. bytes[at..]], // not UTF-8
                _ => DuplicateLine(bytes, at),
            };
            if (bytes.Length == 0) break;
        }
        if (random.NextInt(3) != 0) return (bytes, false, false);
        var gzip = DataTestFiles.Gzip(bytes);
        if (gzip.Length == 0) return (gzip, true, false); // GZipStream writes nothing for no data
        return random.NextInt(3) switch
        {
            0 => (gzip[..random.NextInt(gzip.Length)], true, true),
            1 => (Flip(gzip, random), true, false),
            _ => (gzip, true, false),
        };
    }

    private static byte[] Flip(byte[] bytes, RandomGenerator random)
    {
        var flipped = (byte[])bytes.Clone();
        for (int k = 1 + random.NextInt(4); k > 0 && flipped.Length > 0; k--)
            flipped[random.NextInt(flipped.Length)] ^= (byte)(1 << random.NextInt(8));
        return flipped;
    }

    // The cell around byte `at` (between separators or line ends) replaced by `cell`.
    private static byte[] ReplaceCell(byte[] bytes, int at, string cell)
    {
        int start = Math.Min(at, bytes.Length), end = start;
        while (start > 0 && bytes[start - 1] is not (byte)',' and not (byte)'\n') start--;
        while (end < bytes.Length && bytes[end] is not (byte)',' and not (byte)'\n') end++;
        return [.. bytes[..start], .. Encoding.UTF8.GetBytes(cell), .. bytes[end..]];
    }

    private static int LineStart(byte[] bytes, int at)
    {
        int start = Math.Min(at, bytes.Length);
        while (start > 0 && bytes[start - 1] != (byte)'\n') start--;
        return start;
    }

    private static byte[] DuplicateLine(byte[] bytes, int at)
    {
        int start = LineStart(bytes, at), end = start;
        while (end < bytes.Length && bytes[end] != (byte)'\n') end++;
        return [.. bytes[..end], .. bytes[start..end], .. bytes[end..]];
    }

    // A refusal's kind, for the log: its message without the file, the position and the quoted values.
    private static string Reason(string message, string path)
    {
        string text = message.Replace($"File '{path}': ", "");
        int at = text.IndexOf(": ", StringComparison.Ordinal);
        if (text.StartsWith("at ", StringComparison.Ordinal) && at > 0) text = text[(at + 2)..];
        text = System.Text.RegularExpressions.Regex.Replace(text, "'[^']*'|[0-9,.]+", "…");
        return text.Length <= 90 ? text : text[..90];
    }

    [Fact]
    public async Task MutatedTablesLoadOrAreRefusedNamingTheFile()
    {
        using var files = new DataTestFiles();
        var valid = ValidCsv();
        var random = new RandomGenerator(27);
        int loaded = 0, refused = 0, other = 0, hangs = 0;
        var failures = new List<string>();
        var reasons = new Dictionary<string, int>();
        for (int c = 0; c < Cases; c++)
        {
            var (bytes, gzip, cut) = Mutate(valid, random);
            string path = files.Write($"case-{c}.csv{(gzip ? ".gz" : "")}", bytes);
            var run = Task.Run(() => TableData.Load(path, new TableOptions { Target = "y" }));
            try
            {
                var data = await run.WaitAsync(CaseTimeout);
                loaded++;
                if (cut) failures.Add($"case {c}: a gzip cut short loaded ({data.Train.Count} training rows)");
                if (!data.Train.Features.All(float.IsFinite) || !data.Test.Features.All(float.IsFinite))
                    failures.Add($"case {c}: loaded with a feature that is not finite");
            }
            catch (TimeoutException) when (!run.IsCompleted)
            {
                hangs++;
                failures.Add($"case {c}: still running after {CaseTimeout.TotalSeconds} s");
                break; // the stuck task keeps its thread; stop rather than pile up more
            }
            catch (InvalidDataException e)
            {
                refused++;
                string reason = Reason(e.Message, path);
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                if (!e.Message.Contains(path, StringComparison.Ordinal))
                    failures.Add($"case {c}: the message does not name the file: {e.Message}");
            }
            catch (Exception e)
            {
                other++;
                failures.Add($"case {c} ({bytes.Length} bytes{(gzip ? ", gzip" : "")}): {e.GetType().Name} " +
                    $"instead of InvalidDataException: {e.Message}");
            }
        }
        log.WriteLine($"{Cases} cases: {loaded} loaded, {refused} refused naming the file, {other} other " +
            $"exceptions, {hangs} hangs; {failures.Count} failure(s)");
        foreach (var (reason, count) in reasons.OrderByDescending(p => p.Value)) log.WriteLine($"{count,6}  {reason}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.True(loaded > 0 && refused > 0, "the mutations should both keep and break some files");
    }
}
