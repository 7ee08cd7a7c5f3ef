using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Cli.Reporting;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// What <c>train</c> and <c>launch</c> tell the user: the order of the final lines, which net the progress bar's
/// accuracy is, how log.csv's epochs relate to the console's, and the options launch's help lists.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class TrainConsoleTests : CliTestFolder
{
    [Fact]
    public void TheFinalTestLineFollowsTheLastEpochLineAndLogEpochsCountFromZero()
    {
        string run = Path.Combine(Dir, "run");
        var output = new StringWriter();
        Assert.Equal(0, TrainCommand.Run(new CliOptions(["--data", "digits", "--arch", "mlp", "--shared", "16",
            "--booster-hidden", "32", "--batch-size", "64", "--epochs", "2", "--threads", "1", "--limit", "300",
            "--validation", "0.2", "--checkpoint-dir", run]), output));
        var lines = output.ToString().Split(Environment.NewLine);
        int last = Array.FindIndex(lines, l => l.StartsWith("epoch 2/2", StringComparison.Ordinal));
        int test = Array.FindIndex(lines, l => l.StartsWith("test (read once, after the last epoch)",
            StringComparison.Ordinal));
        Assert.True(last >= 0 && test > last, output.ToString());

        // The console's epoch k/N is log.csv's row epoch k − 1, as train --help says.
        var log = File.ReadAllLines(Path.Combine(run, "log.csv"));
        Assert.StartsWith("0,", log[1]);
        Assert.StartsWith("1,", log[2]);
        Assert.Contains("log.csv's epoch column counts from 0 (row 0 is the console's 'epoch 1/N'", Help.For("train"));
    }

    [Fact]
    public void TheProgressBarNamesTheNetWhoseAccuracyItShows()
    {
        var output = new StringWriter();
        new ProgressReporter(output, live: true).Batch("rocket", 1, 2, 10, 10, 0.5, 0.9, 100);
        Assert.Contains("light acc 90", output.ToString());
        output = new StringWriter();
        new ProgressReporter(output, live: true) { AccuracyOf = "booster" }.Batch("booster", 1, 2, 10, 10, 0.5,
            0.9, 100);
        Assert.Contains("booster acc 90", output.ToString());
    }

    [Fact]
    public void LaunchHelpListsTheTableOptionsItReadsIncludingTest()
    {
        string help = Help.For("launch");
        foreach (string option in new[] { "--test FILE", "--test-fraction", "--categorical", "--numeric", "--ignore",
            "--min-category-count" })
            Assert.Contains(option, help);
    }
}
