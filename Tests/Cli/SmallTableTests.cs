using System.Globalization;
using System.Text;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// Small tables as users bring them: a training part that leaves one sample for the last batch must not stop
/// training (batch norm in the booster cannot train on one value per channel); found by the own-data suite on
/// ionosphere (225 training rows at batch 32); and a training part of one sample is refused, naming the parts.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class SmallTableTests : CliTestFolder
{
    private string Table(string name, int rows)
    {
        var text = new StringBuilder("a,b,y\n");
        for (int i = 0; i < rows; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 7},{i * 0.25},{(i % 3 == 0 ? "yes" : "no")}\n");
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void ALastBatchOfOneSampleIsDroppedSoTheBoostersBatchNormTrains()
    {
        Assert.True(BatchLoader.LastBatchIsSingle(33, 32));
        Assert.False(BatchLoader.LastBatchIsSingle(32, 32));
        Assert.False(BatchLoader.LastBatchIsSingle(1, 32)); // one sample is the whole (only) batch
        string train = Table("train.csv", 33), test = Table("test.csv", 12);
        Assert.Contains("epoch 1/1", Run(TrainCommand.Run, "--data", train, "--target", "y", "--test", test,
            "--method", "rocket", "--epochs", "1", "--batch-size", "32", "--threads", "1",
            "--checkpoint-dir", Path.Combine(Dir, "run")));
        // launch's validation split leaves 41 − 8 = 33 training rows: the same last batch of one.
        Assert.Contains("choice: ", Run(LaunchCommand.Run, "--data", Table("launch.csv", 41), "--target", "y",
            "--test", test, "--seeds", "2", "--epochs", "1", "--batch-size", "32", "--threads", "1"));
    }

    [Fact]
    public void ATrainingPartOfOneSampleIsRefusedNamingThePartsNotBatchNorm()
    {
        // 4 rows, two per class: 2 go to the test part, 1 of the other 2 to the validation share, 1 is left.
        string table = Table("four.csv", 4);
        string run = Path.Combine(Dir, "run");
        var e = Assert.Throws<UsageException>(() => Run(TrainCommand.Run, "--data", table, "--target", "y",
            "--epochs", "1", "--threads", "1", "--checkpoint-dir", run));
        Assert.Contains($"'{table}': the training part has 1 sample(s) after 1 were held out for validation " +
            "(--validation 0.2); training needs at least 2", e.Message);
        Assert.Contains("or --validation 0", e.Message);
        Assert.DoesNotContain("BatchNorm", e.Message);
        Assert.False(Directory.Exists(run)); // refused before anything is written
        var launch = Assert.Throws<UsageException>(() => Run(LaunchCommand.Run, "--data", table, "--target", "y",
            "--seeds", "2", "--epochs", "1", "--threads", "1"));
        Assert.Contains("the training part has 1 sample(s) after 1 were held out", launch.Message);
        // the remedy the message names works: both rows train
        Assert.Contains("epoch 1/1", Run(TrainCommand.Run, "--data", table, "--target", "y", "--validation", "0",
            "--epochs", "1", "--threads", "1", "--checkpoint-dir", run));
    }
}
