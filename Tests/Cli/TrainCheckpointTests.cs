using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Training.Rocket;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>train</c>'s run folder on the embedded digits: best.safetensors, --early-stop, the run log on --resume, a
/// blown-up run stopped before it saves, and <c>export</c> of a run folder.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class TrainCheckpointTests : CliTestFolder
{
    private string Folder(string name) => Path.Combine(Dir, name);

    // With lr 1e-8 the validation accuracy of epoch 1 is never beaten: the patience runs out after epoch 1 + N.
    private string[] TrainArgs(string folder, string lr, params string[] more) =>
        ["--data", "digits", "--arch", "mlp", "--shared", "16", "--booster-hidden", "64", "--batch-size", "64",
         "--lr", lr, "--seed", "4", "--threads", "1", "--validation", "0.2", "--checkpoint-dir", Folder(folder),
         .. more];

    private byte[] Bytes(string folder, string file) => File.ReadAllBytes(Path.Combine(Folder(folder), file));

    private void AssertSameFiles(string a, string b)
    {
        foreach (string file in new[] { TrainCommand.BestCheckpointFile, TrainCommand.CheckpointFile, RunLog.TestFile })
            Assert.True(Bytes(a, file).AsSpan().SequenceEqual(Bytes(b, file)), $"{file} of {b} differs from {a}'s");
        Assert.Equal(File.ReadAllLines(Path.Combine(Folder(a), "log.csv")).Select(l => l.Split(',')[0]),
                     File.ReadAllLines(Path.Combine(Folder(b), "log.csv")).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void BestCheckpointIsTheBestValidationEpochAndResumesBitForBit()
    {
        // lr 0.05 over 4 epochs: the validation accuracy still rises after the split, so best is rewritten after it.
        Run(TrainCommand.Run, TrainArgs("whole", "0.05", "--epochs", "4"));
        Run(TrainCommand.Run, TrainArgs("split", "0.05", "--epochs", "4", "--stop-after", "2"));
        var text = Run(TrainCommand.Run, TrainArgs("split", "0.05", "--epochs", "4", "--resume"));
        AssertSameFiles("whole", "split");
        var best = Checkpoint.Load(Path.Combine(Folder("whole"), TrainCommand.BestCheckpointFile));
        var rows = File.ReadAllLines(Path.Combine(Folder("whole"), "log.csv")).Skip(1)
            .Select(l => double.Parse(l.Split(',')[9], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(rows.IndexOf(rows.Max()) + 1, best.Epoch); // the first epoch of the highest val_light_acc
        Assert.Equal("val_light_accuracy", best.Metrics[RunMonitor.SelectedByMetric]);
        Assert.Equal(best.Epoch.ToString(), best.Metrics[RunMonitor.BestEpochMetric]);
        Assert.True(best.Metrics.ContainsKey("test_light_accuracy")); // its own final test
        Assert.Empty(best.Extra); // no optimiser state: it is for export and eval, not for --resume
        Assert.Contains($"best epoch {best.Epoch} (val_light_accuracy", text);
    }

    [Fact]
    public void EarlyStopEndsTheRunAtTheBestEpochPlusPatienceAndResumesBitForBit()
    {
        var text = Run(TrainCommand.Run, TrainArgs("whole", "1e-8", "--epochs", "10", "--early-stop", "2"));
        Assert.Contains("early stop after epoch 3 of 10: no better val_light_accuracy in 2 evaluated epochs; " +
                        "best epoch 1 (", text);
        Assert.Contains("test (read once, after the last epoch)", text);
        Assert.Contains("test (of best.safetensors, epoch 1, what export ships)", text);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(Folder("whole"), "log.csv")).Length);
        Assert.Equal(1, Checkpoint.Load(Path.Combine(Folder("whole"), TrainCommand.BestCheckpointFile)).Epoch);
        Assert.Equal(3, Checkpoint.Load(Path.Combine(Folder("whole"), TrainCommand.CheckpointFile)).Epoch);

        Run(TrainCommand.Run, TrainArgs("split", "1e-8", "--epochs", "10", "--early-stop", "2", "--stop-after", "2"));
        Run(TrainCommand.Run, TrainArgs("split", "1e-8", "--epochs", "10", "--early-stop", "2", "--resume"));
        AssertSameFiles("whole", "split");
        // Resumed again with the same options, the run stays stopped.
        var again = Run(TrainCommand.Run, TrainArgs("split", "1e-8", "--epochs", "10", "--early-stop", "2",
            "--resume"));
        Assert.Contains("the run already stopped early (--early-stop 2): best epoch 1", again);
        AssertSameFiles("whole", "split");
    }

    [Fact]
    public void EarlyStopNeedsAValidationSplit()
    {
        var e = Assert.Throws<UsageException>(() => Run(TrainCommand.Run, "--data", "digits", "--early-stop", "3",
            "--checkpoint-dir", Folder("none")));
        Assert.Contains("--early-stop 3 needs --validation", e.Message);
    }

    [Fact]
    public void ExportTakesTheBestCheckpointOfARunFolderAndSaysWhichEpoch()
    {
        Run(TrainCommand.Run, TrainArgs("run", "1e-8", "--epochs", "10", "--early-stop", "2"));
        string light = Path.Combine(Dir, "light.safetensors");
        var text = Run(ExportCommand.Run, "--checkpoint", Folder("run"), "--out", light);
        Assert.Contains("best.safetensors: epoch 1, the best epoch by val_light_accuracy", text);
        Assert.Equal(1, Checkpoint.Load(light).Epoch);
        text = Run(ExportCommand.Run, "--checkpoint", Folder("run"), "--which", "last", "--out", light);
        Assert.Contains("last.safetensors: epoch 3", text);
        Assert.Equal(3, Checkpoint.Load(light).Epoch);

        // A run without a validation split has no best: the default takes last and says so; --which best refuses.
        Run(TrainCommand.Run, "--data", "digits", "--arch", "mlp", "--shared", "16", "--booster-hidden", "64",
            "--epochs", "1", "--threads", "1", "--checkpoint-dir", Folder("plain"));
        Assert.Contains("has no best.safetensors (the run had no --validation): exporting the last epoch",
            Run(ExportCommand.Run, "--checkpoint", Folder("plain"), "--out", light));
        var missing = Assert.Throws<FileNotFoundException>(() => Run(ExportCommand.Run, "--checkpoint",
            Folder("plain"), "--which", "best", "--out", light));
        Assert.Contains("holds no best.safetensors", missing.Message);
        var e = Assert.Throws<UsageException>(() => Run(ExportCommand.Run, "--checkpoint",
            Path.Combine(Folder("run"), TrainCommand.CheckpointFile), "--which", "best", "--out", light));
        Assert.Contains("is a file", e.Message);
    }

    [Fact]
    public void ResumeRefusesARunLogShorterThanTheCheckpoint()
    {
        var args = TrainArgs("cut", "0.05", "--epochs", "4", "--stop-after", "2");
        Run(TrainCommand.Run, args);
        string log = Path.Combine(Folder("cut"), "log.csv");
        var lines = File.ReadAllLines(log);
        string[] resume = [.. TrainArgs("cut", "0.05", "--epochs", "4", "--resume")];
        var checkpoint = Bytes("cut", TrainCommand.CheckpointFile);

        File.WriteAllText(log, ""); // what a kill during an in-place rewrite left
        var e = Assert.Throws<InvalidDataException>(() => Run(TrainCommand.Run, resume));
        Assert.Contains($"'{log}' is empty but the checkpoint is after epoch 2", e.Message);
        File.WriteAllLines(log, lines.Take(2));
        e = Assert.Throws<InvalidDataException>(() => Run(TrainCommand.Run, resume));
        Assert.Contains($"'{log}' holds 1 epoch rows but the checkpoint is after epoch 2; expected 2 epoch rows",
            e.Message);
        Assert.Equal(1, Program.Main(["train", .. resume]));
        Assert.Equal(checkpoint, Bytes("cut", TrainCommand.CheckpointFile));
        Assert.Equal(lines.Take(2), File.ReadAllLines(log)); // refused, not rewritten

        File.WriteAllLines(log, lines);
        Run(TrainCommand.Run, resume);
        Assert.Equal(5, File.ReadAllLines(log).Length);
    }

    [Fact]
    public void TheRunLogIsReplacedByARenameNeverRewrittenInPlace()
    {
        Run(TrainCommand.Run, TrainArgs("log", "0.05", "--epochs", "3", "--stop-after", "1"));
        string log = Path.Combine(Folder("log"), "log.csv");
        File.AppendAllText(log, File.ReadAllLines(log)[1] + "\n"); // a row whose checkpoint was never saved
        string before = File.ReadAllText(log);
        // The handle keeps the file it opened: a rename leaves that file as it was, an in-place rewrite would not.
        using var held = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Run(TrainCommand.Run, TrainArgs("log", "0.05", "--epochs", "3", "--resume"));
        Assert.Equal(before, new StreamReader(held).ReadToEnd());
        Assert.Equal(4, File.ReadAllLines(log).Length);
        Assert.Empty(Directory.GetFiles(Folder("log"), "*.tmp"));
    }

    [Fact]
    public void AFiniteBlowUpStopsTheRunWithoutTouchingItsCheckpoints()
    {
        Run(TrainCommand.Run, TrainArgs("blow", "0.05", "--epochs", "4", "--stop-after", "1"));
        var (last, best) = (Bytes("blow", TrainCommand.CheckpointFile), Bytes("blow", TrainCommand.BestCheckpointFile));
        // lr 100 after a good epoch: the loss stays finite but grows by orders of magnitude in epoch 2.
        string[] huge = [.. TrainArgs("blow", "100", "--epochs", "4", "--resume")];
        var e = Assert.Throws<TrainingDivergedException>(() => Run(TrainCommand.Run, huge));
        Assert.Contains("Training diverged in epoch 2: its loss", e.Message);
        Assert.Contains("times the lowest epoch loss", e.Message);
        Assert.Contains("last.safetensors keeps epoch 1 and best.safetensors epoch 1", e.Message);
        Assert.Equal(last, Bytes("blow", TrainCommand.CheckpointFile));
        Assert.Equal(best, Bytes("blow", TrainCommand.BestCheckpointFile));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(Folder("blow"), "log.csv")).Length);
        Assert.Equal(1, Program.Main(["train", .. huge]));
    }
}
