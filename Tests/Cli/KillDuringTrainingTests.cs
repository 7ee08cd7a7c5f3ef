using System.Diagnostics;
using RocketNet.Cli.Commands;
using Xunit;
using Xunit.Abstractions;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>rocketnet train</c> in a child process, killed (SIGKILL) at seeded random moments and restarted until
/// it finishes: every restart must be accepted, the finished run must equal an uninterrupted one byte for
/// byte, the log must hold one row per epoch, and no temporary file may survive a restart.
/// </summary>
/// <remarks>
/// The pair is sized so that saving its checkpoint (weights and momentum, ~10 MB) is most of an epoch,
/// so the kills land in saves as well as in training steps. Each kill waits for one more finished epoch first,
/// then a random 0–400 ms, so kills land at every stage of later epochs on a fast or a loaded machine.
/// </remarks>
public sealed class KillDuringTrainingTests(ITestOutputHelper log) : IDisposable
{
    private const int Epochs = 120;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rocketnet-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Root => Directory.CreateDirectory(_dir).FullName;

    private static string[] TrainArgs(string folder) =>
        ["train", "--data", "digits", "--arch", "mlp", "--shared", "64", "--booster-hidden", "2048x512",
            "--train-limit", "64",
         "--batch-size", "64", "--epochs", Epochs.ToString(), "--lr", "0.05", "--seed", "3", "--threads", "1",
         "--eval-every", "1000", "--checkpoint-dir", folder];

    private static Process Start(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(TrainCommand).Assembly.Location);
        foreach (string a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start rocketnet");
    }

    private static (int ExitCode, string Output) RunToEnd(IEnumerable<string> args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    // Rows of a run's log (header excluded), 0 while it does not exist or is being rewritten.
    private static int Rows(string log)
    {
        try
        {
            return File.Exists(log) ? Math.Max(0, File.ReadAllLines(log).Length - 1) : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [Fact]
    public void RunningOutOfMemoryIsOneErrorLineAndExitCodeOne()
    {
        // A 20,000 × 2,000 booster layer (160 MB of weights) under a 128 MiB heap limit.
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_GCHeapHardLimit"] = "0x8000000";
        info.ArgumentList.Add(typeof(TrainCommand).Assembly.Location);
        foreach (string a in (string[])["train", "--data", "digits", "--arch", "mlp", "--booster-hidden",
            "20000x2000", "--epochs", "1",
                     "--threads", "1", "--checkpoint-dir", Path.Combine(Root, "oom")])
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        _ = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(1, p.ExitCode);
        Assert.StartsWith("rocketnet: error: out of memory: an allocation did not fit in the 128 MiB", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void KilledAtRandomMomentsTheRunResumesToTheUninterruptedResult()
    {
        string whole = Path.Combine(Root, "whole"), killed = Path.Combine(Root, "killed");
        var (code, output) = RunToEnd(TrainArgs(whole));
        Assert.True(code == 0, output);

        var random = new Random(20261202);
        int kills = 0, killsAfterAFirstCheckpoint = 0, killsDuringASave = 0;
        string checkpoint = Path.Combine(killed, TrainCommand.CheckpointFile);
        for (int attempt = 0; attempt < 40 && kills < 8; attempt++)
        {
            bool resume = File.Exists(checkpoint);
            using var p = Start(resume ? [.. TrainArgs(killed), "--resume"] : TrainArgs(killed));
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Kill at a random moment after this start has finished at least one more epoch, so every attempt makes
            // progress whatever the machine's load (process start-up alone can take seconds on a busy machine, and an
            // epoch over a minute when other processes crowd the core: a shorter bound let every kill land before
            // the first checkpoint).
            string log = Path.Combine(killed, "log.csv");
            int rowsAtStart = Rows(log);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!p.HasExited && Rows(log) <= rowsAtStart && waited.Elapsed < TimeSpan.FromMinutes(10))
                Thread.Sleep(5);
            if (p.WaitForExit(random.Next(0, 400))) break; // finished before the kill: checked below
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            kills++;
            if (resume) killsAfterAFirstCheckpoint++;
            if (Directory.Exists(killed) && Directory.GetFiles(killed, "*.tmp").Length > 0) killsDuringASave++;
        }
        log.WriteLine(
            $"{kills} kills, {killsAfterAFirstCheckpoint} after a first checkpoint, {killsDuringASave} during a save " +
            "(a temporary file left behind)");
        Assert.True(kills >= 3, $"only {kills} kills landed before the run finished");
        Assert.True(killsAfterAFirstCheckpoint >= 1, "no kill landed after the first checkpoint");

        // Whatever state the kills left, the next start accepts it and finishes the run.
        (code, output) = RunToEnd(File.Exists(checkpoint) ? [.. TrainArgs(killed), "--resume"] : TrainArgs(killed));
        Assert.True(code == 0, output);

        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, TrainCommand.CheckpointFile)),
            File.ReadAllBytes(checkpoint));
        var rows = File.ReadAllLines(Path.Combine(killed, "log.csv")).Skip(1).Select(
            line => line.Split(',')[0]).ToArray();
        Assert.Equal(Enumerable.Range(0, Epochs).Select(e => e.ToString()), rows);
        Assert.Empty(Directory.GetFiles(killed, "*.tmp"));
    }
}
