using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>clicklog</c> and <c>train --data criteo --shuffle-buffer N</c>: the temporal layout of the parts, the position
/// a checkpoint records, a stopped and resumed run equal to an unbroken one, and the options' usage errors.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class ClickLogCommandTests : CliTestFolder
{
    private string PathOf(string name) => Path.Combine(Dir, name);

    private string Log(string name, int rows, int seed = 1)
    {
        string path = PathOf(name);
        Run(ClickLogCommand.Run, "--rows", rows.ToString(), "--out", path, "--users", "300", "--ads", "60",
            "--data-seed", seed.ToString());
        return path;
    }

    private string[] TrainArgs(string path, string folder, params string[] more) =>
        ["--data", "criteo", "--path", path, "--shuffle-buffer", "100", "--arch", "ctr", "--embedding-dim", "2",
         "--booster-hidden", "8", "--light-hidden", "4", "--hash-buckets", "50", "--batch-size", "32",
         "--optimizer", "lazy-adam", "--lr", "0.01", "--seed", "2", "--threads", "1",
         "--checkpoint-dir", PathOf(folder), .. more];

    [Fact]
    public void TheTestPartIsTheLastRowsAndValidationComesJustBeforeIt()
    {
        string log = Log("clicks.tsv.gz", 600);
        string text = Run(TrainCommand.Run, TrainArgs(log, "run", "--epochs", "1", "--test-rows", "100",
            "--validation", "0.2"));
        Assert.Contains("(400 train / 100 validation / 100 test)", text);
        Assert.Contains("train rows [0, 400), validation rows [400, 500), test 100 rows from row 500", text);
        var checkpoint = Checkpoint.Load(Path.Combine(PathOf("run"), TrainCommand.CheckpointFile));
        Assert.Equal("400", checkpoint.Metrics[ClickLogData.RowsMetric]);
        Assert.Equal("400", checkpoint.Metrics[ClickLogData.PositionMetric]);
        Assert.Equal("50", checkpoint.Metrics[ClickLogData.HashBucketsMetric]);
    }

    [Fact]
    public void TheLastOfSeveralFilesIsTheTestPartUnlessATestPathIsGiven()
    {
        string days = string.Join(',', Log("day_0.tsv", 300, 1), Log("day_1.tsv", 200, 2), Log("day_2.tsv", 80, 3));
        string text = Run(TrainCommand.Run, TrainArgs(days, "last-file", "--epochs", "1"));
        Assert.Contains("(500 train / 80 test)", text);
        Assert.Contains("test 80 rows of day_2.tsv", text);
        string separate = Log("later.tsv", 70, 4);
        text = Run(TrainCommand.Run, TrainArgs(days, "test-path", "--epochs", "1", "--test-path", separate));
        Assert.Contains("(580 train / 70 test)", text);
    }

    [Fact]
    public void AStoppedRunResumesAtTheNextEpochBitForBit()
    {
        string log = Log("clicks.tsv", 500);
        Run(TrainCommand.Run, TrainArgs(log, "whole", "--epochs", "3", "--test-rows", "100"));
        Run(TrainCommand.Run, TrainArgs(log, "split", "--epochs", "3", "--test-rows", "100", "--stop-after", "1"));
        string text = Run(TrainCommand.Run, TrainArgs(log, "split", "--epochs", "3", "--test-rows", "100",
            "--resume"));
        Assert.Contains("resuming from", text);
        Assert.Equal(File.ReadAllBytes(Path.Combine(PathOf("whole"), TrainCommand.CheckpointFile)),
            File.ReadAllBytes(Path.Combine(PathOf("split"), TrainCommand.CheckpointFile)));
        var resumed = Checkpoint.Load(Path.Combine(PathOf("split"), TrainCommand.CheckpointFile));
        Assert.Equal("1200", resumed.Metrics[ClickLogData.PositionMetric]); // 3 epochs × 400 rows
    }

    [Fact]
    public void ResumingOnAChangedLogOrBucketCountIsRefused()
    {
        string log = Log("clicks.tsv", 300);
        Run(TrainCommand.Run, TrainArgs(log, "run", "--epochs", "2", "--test-rows", "100", "--stop-after", "1"));
        var error = Assert.Throws<UsageException>(() => TrainCommand.Run(new CliOptions(
            TrainArgs(log, "run", "--epochs", "2", "--test-rows", "90", "--resume")), TextWriter.Null));
        Assert.Contains("click_rows is 200 but the click log and options give 210", error.Message);
    }

    [Fact]
    public void MinCountAddsOneRareIdPerCategoricalField()
    {
        string log = Log("clicks.tsv", 400);
        string text = Run(TrainCommand.Run, TrainArgs(log, "rare", "--epochs", "1", "--test-rows", "100",
            "--min-count", "3"));
        Assert.Contains("share one rare id", text);
        Assert.Contains("x51x51 dim=2", text); // 50 hashed ids + the rare id
        var checkpoint = Checkpoint.Load(Path.Combine(PathOf("rare"), TrainCommand.CheckpointFile));
        Assert.Equal("3", checkpoint.Metrics[ClickLogData.MinCountMetric]);
        // The rare-id map travels with the model, so eval maps the rows it reads as training did.
        Assert.Contains("light: accuracy", Run(EvalCommand.Run, "--checkpoint",
            Path.Combine(PathOf("rare"), TrainCommand.CheckpointFile), "--path", log));
    }

    [Theory]
    [InlineData("--min-count 3", "apply to a streamed click log: add --shuffle-buffer")]
    [InlineData("--shuffle-buffer 10 --test-rows 5 --min-count 2 --hash-buckets 16777216", "at most 16777215")]
    [InlineData("--test-rows 10", "apply to a streamed click log: add --shuffle-buffer")]
    [InlineData("--hash-buckets 100", "apply to a streamed click log: add --shuffle-buffer")]
    [InlineData("--shuffle-buffer 10", "needs a test part later in time")]
    [InlineData("--shuffle-buffer 10 --test-rows 5 --test-path x.tsv", "either as --test-path FILE or as --test-rows")]
    [InlineData("--shuffle-buffer 10 --test-rows 300", "--test-rows 300 leaves no training rows: the log has 200")]
    [InlineData("--shuffle-buffer 10 --hash-buckets 20000000", "--hash-buckets must be between 2 and 16777216")]
    public void BadStreamingOptionsAreUsageErrors(string options, string message)
    {
        string log = Log("clicks.tsv", 200);
        string[] args = ["--data", "criteo", "--path", log, "--arch", "ctr", "--checkpoint-dir", PathOf("run"),
            .. options.Split(' ')];
        var error = Assert.Throws<UsageException>(() => TrainCommand.Run(new CliOptions(args), TextWriter.Null));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ClickLogWritesTheSameFileForTheSameSeedAndNeedsItsOptions()
    {
        Assert.Equal(File.ReadAllBytes(Log("a.tsv.gz", 300)), File.ReadAllBytes(Log("b.tsv.gz", 300)));
        Assert.Empty(Directory.GetFiles(Dir, "*.partial"));
        Assert.Contains("--rows", Assert.Throws<UsageException>(() => ClickLogCommand.Run(
            new CliOptions(["--out", PathOf("c.tsv")]), TextWriter.Null)).Message);
        Assert.Contains("--out", Assert.Throws<UsageException>(() => ClickLogCommand.Run(
            new CliOptions(["--rows", "5"]), TextWriter.Null)).Message);
    }
}
