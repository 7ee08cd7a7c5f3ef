using System.Diagnostics;
using System.Globalization;
using System.Text;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// Output paths (issue 27): a write renames a temporary file over its target, so a link, a pipe or one of the
/// command's own inputs given as the output would be replaced. They are refused and left as they were; only new
/// paths and regular files are written, parent folders created.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class OutputPathTests : CliTestFolder
{
    private string PathOf(string name) => Path.Combine(Dir, name);

    private static void Write(string path, string text) =>
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void NewPathsAndRegularFilesAreWrittenLinksAndFoldersAreRefusedAndKept()
    {
        Write(PathOf("deep/er/new.txt"), "a");
        Assert.Equal("a", File.ReadAllText(PathOf("deep/er/new.txt")));
        Write(PathOf("deep/er/new.txt"), "b");
        Assert.Equal("b", File.ReadAllText(PathOf("deep/er/new.txt")));
        File.WriteAllText(PathOf("empty.txt"), "");
        Write(PathOf("empty.txt"), "c"); // an empty regular file is a file, not a pipe
        Assert.Equal("c", File.ReadAllText(PathOf("empty.txt")));

        Assert.Contains("is a directory", Assert.Throws<IOException>(() => Write(PathOf("deep"), "x")).Message);
        if (OperatingSystem.IsWindows()) return;
        File.CreateSymbolicLink(PathOf("link.txt"), PathOf("empty.txt"));
        var e = Assert.Throws<IOException>(() => Write(PathOf("link.txt"), "x"));
        Assert.Contains("symbolic link", e.Message);
        Assert.NotNull(new FileInfo(PathOf("link.txt")).LinkTarget);
        Assert.Equal("c", File.ReadAllText(PathOf("empty.txt")));
        Assert.Empty(Directory.GetFiles(Dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void AFileWhereAFolderShouldBeIsNamedNotReportedAsAlreadyExisting()
    {
        File.WriteAllText(PathOf("table.csv"), "a,y\n");
        var e = Assert.Throws<IOException>(() => Write(PathOf("table.csv/sub/out.txt"), "x"));
        Assert.Contains($"'{PathOf("table.csv")}' is a file, not a folder", e.Message);
        Assert.DoesNotContain("already exists", e.Message);
        Assert.Equal("a,y\n", File.ReadAllText(PathOf("table.csv")));

        var itself = Assert.Throws<IOException>(() => OutputPath.CheckFolder(PathOf("table.csv"), "--checkpoint-dir"));
        Assert.Equal($"--checkpoint-dir '{PathOf("table.csv")}' is a file, not a folder; expected a folder (it is " +
            "created if missing).", itself.Message);
        var inside = Assert.Throws<IOException>(
            () => OutputPath.CheckFolder(PathOf("table.csv/run"), "--checkpoint-dir"));
        Assert.Contains($"is inside '{PathOf("table.csv")}', which is a file", inside.Message);
        OutputPath.CheckFolder(PathOf("new/run"), "--checkpoint-dir"); // missing folders are fine
        Assert.False(Directory.Exists(PathOf("new"))); // and the check creates nothing

        var train = Assert.Throws<IOException>(() => Run(TrainCommand.Run, "--data", "digits", "--arch", "mlp",
            "--epochs", "1", "--limit", "64", "--threads", "1", "--checkpoint-dir", PathOf("table.csv")));
        Assert.Contains("--checkpoint-dir", train.Message);
        var clicklog = Assert.Throws<IOException>(() => Run(ClickLogCommand.Run, "--rows", "10", "--out",
            PathOf("table.csv/log.tsv")));
        Assert.Contains("is a file, not a folder", clicklog.Message);
    }

    [Fact]
    public void ANamedPipeIsRefusedAndStaysAPipe()
    {
        if (OperatingSystem.IsWindows()) return;
        string fifo = PathOf("scores.fifo");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var e = Assert.Throws<IOException>(() => Write(fifo, "x"));
        Assert.Contains("device, pipe or socket", e.Message);
        Assert.Equal(0, new FileInfo(fifo).Length);
        Assert.Throws<IOException>(() => Write(fifo, "x")); // still a pipe: refused again
    }

    [Fact]
    public void PredictAndExportRefuseToWriteOverTheirInputsAndCreateTheOutputFolder()
    {
        var csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 80; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{i % 7},{i * 0.5},{(i % 7 > 3 ? "hi" : "lo")}\n");
        string table = PathOf("t.csv");
        File.WriteAllText(table, csv.ToString());
        string run = PathOf("run");
        var said = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new CliOptions(["--data", table, "--target", "y", "--epochs", "1",
            "--threads", "1", "--checkpoint-dir", run]), said));
        string checkpoint = Path.Combine(run, TrainCommand.CheckpointFile);
        byte[] checkpointBytes = File.ReadAllBytes(checkpoint);

        var e = Assert.Throws<IOException>(() => ExportCommand.Run(
            new CliOptions(["--checkpoint", checkpoint, "--out", checkpoint]), new StringWriter()));
        Assert.Contains("--checkpoint", e.Message);
        Assert.Equal(checkpointBytes, File.ReadAllBytes(checkpoint));

        string light = PathOf("light.safetensors");
        Assert.Equal(0, ExportCommand.Run(new CliOptions(["--checkpoint", checkpoint, "--out", light]),
            new StringWriter()));
        string tableText = File.ReadAllText(table);
        e = Assert.Throws<IOException>(() => PredictCommand.Run(
            new CliOptions(["--model", light, "--input", table, "--output", table]), new StringWriter()));
        Assert.Contains("--input", e.Message);
        Assert.Equal(tableText, File.ReadAllText(table));
        byte[] lightBytes = File.ReadAllBytes(light);
        e = Assert.Throws<IOException>(() => PredictCommand.Run(
            new CliOptions(["--model", light, "--input", table, "--output", light]), new StringWriter()));
        Assert.Contains("--model", e.Message);
        Assert.Equal(lightBytes, File.ReadAllBytes(light));

        string scores = PathOf("new/folder/scores.csv");
        Assert.Equal(0, PredictCommand.Run(new CliOptions(["--model", light, "--input", table, "--output", scores]),
            new StringWriter()));
        Assert.Equal(81, File.ReadAllLines(scores).Length);
    }

    [Fact]
    public void ANameNearTheLengthLimitIsWrittenAndAFailedWriteNamesTheTargetNotTheTemporaryFile()
    {
        // 240 bytes: allowed, but with the temporary's 38 extra bytes over the usual 255-byte limit.
        string longName = PathOf(new string('s', 236) + ".csv");
        Write(longName, "a,b\n");
        Assert.Equal("a,b\n", File.ReadAllText(longName));
        Assert.Single(Directory.GetFiles(Dir));

        if (!OperatingSystem.IsLinux()) return; // /proc refuses new files whoever asks, root included
        var e = Assert.ThrowsAny<IOException>(() => Write("/proc/rocketnet-scores.csv", "x"));
        Assert.Contains("Cannot write '/proc/rocketnet-scores.csv'", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
    }
}
