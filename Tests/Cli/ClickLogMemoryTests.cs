using System.Diagnostics;
using RocketNet.Cli.Commands;
using Xunit;
using Xunit.Abstractions;

namespace RocketNet.Tests.Cli;

/// <summary>
/// A streamed click log trains in memory that does not grow with the log: <c>rocketnet train</c> in a child process
/// on 20,000 and on 160,000 generated rows peaks at the same resident set, and so does a test part of 100,000 rows
/// instead of 1,000 (it is read from the file as it is scored), while the in-memory reader on the larger log peaks
/// well above it (which shows the measurement can see the difference). Memory only, never time.
/// </summary>
public sealed class ClickLogMemoryTests(ITestOutputHelper log) : IDisposable
{
    private const long MiB = 1 << 20;
    private readonly string _dir = Directory.CreateDirectory(
        Path.Combine(Path.GetTempPath(), "rocketnet-clickmem-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Model =
        ["--arch", "ctr", "--embedding-dim", "2", "--booster-hidden", "8", "--light-hidden", "4", "--batch-size",
         "256", "--method", "base", "--epochs", "1", "--threads", "1", "--optimizer", "lazy-adam", "--lr", "0.01"];

    // Runs rocketnet with `args` in a child process; returns its peak resident set (the kernel's high-water mark,
    // read every 10 ms while it runs, so a peak between two reads is still counted by the next one).
    private static long PeakResidentBytes(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(TrainCommand).Assembly.Location);
        foreach (string a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException("could not start rocketnet");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!p.WaitForExit(10))
        {
            try
            {
                p.Refresh();
                peak = Math.Max(peak, p.PeakWorkingSet64);
            }
            catch (InvalidOperationException)
            {
                break; // exited between the wait and the read
            }
        }
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stdout.Result + stderr.Result);
        Assert.True(peak > 0, "no memory reading before the child exited");
        return peak;
    }

    private string Generate(string name, int rows)
    {
        string path = Path.Combine(_dir, name);
        Assert.Equal(0, ClickLogCommand.Run(new RocketNet.Cli.CliOptions(
            ["--rows", rows.ToString(), "--out", path, "--users", "300", "--ads", "60"]), TextWriter.Null));
        return path;
    }

    private long Train(string path, string folder, bool stream, int testRows = 1000) => PeakResidentBytes(
        ["train", "--data", "criteo", "--path", path, "--checkpoint-dir", Path.Combine(_dir, folder), .. Model,
         .. stream ? (string[])["--shuffle-buffer", "1000", "--test-rows", testRows.ToString()] : []]);

    [Fact]
    public void PeakMemoryOfAStreamedLogDoesNotGrowWithItsRows()
    {
        string small = Generate("small.tsv", 20_000), large = Generate("large.tsv", 160_000);
        long streamedSmall = Train(small, "s", stream: true);
        long streamedLarge = Train(large, "l", stream: true);
        long largeTestPart = Train(large, "t", stream: true, testRows: 100_000);
        long inMemoryLarge = Train(large, "m", stream: false);
        log.WriteLine($"peak RSS: streamed 20k rows {streamedSmall / MiB} MiB, streamed 160k rows " +
            $"{streamedLarge / MiB} MiB, with 100k test rows {largeTestPart / MiB} MiB, in memory 160k rows " +
            $"{inMemoryLarge / MiB} MiB");
        // 140,000 more rows are 21 MiB as float ids alone; the in-memory reader holds them two to three times over.
        Assert.True(streamedLarge - streamedSmall < 12 * MiB,
            $"streaming 8× the rows raised the peak from {streamedSmall / MiB} to {streamedLarge / MiB} MiB");
        // 99,000 more test rows would be 15 MiB as float ids, more while read; scored from the file they are a
        // score and a label each.
        Assert.True(largeTestPart - streamedLarge < 8 * MiB,
            $"a 100× larger test part raised the peak from {streamedLarge / MiB} to {largeTestPart / MiB} MiB");
        Assert.True(inMemoryLarge - streamedLarge > 32 * MiB,
            $"the in-memory reader peaked at {inMemoryLarge / MiB} MiB, streaming at {streamedLarge / MiB} MiB: " +
            "the measurement does not see the rows held in memory");
    }
}
