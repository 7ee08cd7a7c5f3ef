using System.Globalization;
using System.Xml.Linq;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Cli.Reporting;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>The commands end to end on the embedded digits, in a temporary folder.</summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class CommandTests : CliTestFolder
{
    private string[] TrainArgs(string folder, params string[] more) =>
        ["--data", "digits", "--arch", "mlp", "--shared", "16", "--booster-hidden", "64", "--batch-size", "64",
         "--lr", "0.05", "--seed", "4", "--threads", "1", "--checkpoint-dir", Path.Combine(Dir, folder),
         .. more.Contains("--epochs") ? more : [.. more, "--epochs", "3"]];

    [Fact]
    public void ResumingAnInterruptedRunGivesTheSameCheckpointAsAnUninterruptedOne()
    {
        Run(TrainCommand.Run, TrainArgs("whole"));
        var first = Run(TrainCommand.Run, TrainArgs("split", "--stop-after", "1"));
        Assert.Contains("--resume", first);
        Run(TrainCommand.Run, TrainArgs("split", "--resume"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir, "whole", TrainCommand.CheckpointFile)),
                     File.ReadAllBytes(Path.Combine(Dir, "split", TrainCommand.CheckpointFile)));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(Dir, "split", "log.csv")).Length); // header + 3 epochs
        XDocument.Load(Path.Combine(Dir, "split", "curve.svg")); // well-formed SVG
    }

    [Fact]
    public void ResumeDropsALogRowWhoseCheckpointWasNeverSavedAndRestartsARunKilledInItsFirstEpoch()
    {
        Run(TrainCommand.Run, TrainArgs("whole"));
        // A kill between the log row of epoch 2 and its checkpoint: the log has one row more than the checkpoint.
        Run(TrainCommand.Run, TrainArgs("killed", "--stop-after", "1"));
        string log = Path.Combine(Dir, "killed", "log.csv");
        File.AppendAllText(log, File.ReadAllLines(log)[1] + "\n");
        Run(TrainCommand.Run, TrainArgs("killed", "--resume"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir, "whole", TrainCommand.CheckpointFile)),
                     File.ReadAllBytes(Path.Combine(Dir, "killed", TrainCommand.CheckpointFile)));
        Assert.Equal(4, File.ReadAllLines(log).Length);

        // A kill during the first epoch: a log, no checkpoint. --resume starts again; a plain rerun does too.
        Directory.CreateDirectory(Path.Combine(Dir, "early"));
        File.WriteAllText(Path.Combine(Dir, "early", "log.csv"), File.ReadAllLines(log)[0] + "\n");
        Assert.Contains("starting from epoch 0", Run(TrainCommand.Run, TrainArgs("early", "--resume")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(Dir, "whole", TrainCommand.CheckpointFile)),
                     File.ReadAllBytes(Path.Combine(Dir, "early", TrainCommand.CheckpointFile)));
    }

    [Fact]
    public void WithAValidationSplitEpochsAreEvaluatedOnItAndTheTestPartOnceAtTheEnd()
    {
        var text = Run(TrainCommand.Run, TrainArgs("val", "--validation", "0.2", "--epochs", "2"));
        Assert.Contains("validation", text);
        Assert.Contains("| val light", text);
        Assert.Contains("test (read once, after the last epoch)", text);
        var test = File.ReadAllLines(Path.Combine(Dir, "val", RunLog.TestFile));
        Assert.Equal(2, test.Length);
        Assert.StartsWith("test_light_acc,", test[0]);
        var checkpoint = Checkpoint.Load(Path.Combine(Dir, "val", TrainCommand.CheckpointFile));
        Assert.True(checkpoint.Metrics.ContainsKey("val_light_accuracy"));
        Assert.Equal(double.Parse(test[1].Split(',')[0], CultureInfo.InvariantCulture),
                     double.Parse(checkpoint.Metrics["test_light_accuracy"], CultureInfo.InvariantCulture), 5);
    }

    [Fact]
    public void SharedGradAndFeatureHintTrainAnMlpPairAndAreRefusedWhereTheyDoNotApply()
    {
        var text = Run(TrainCommand.Run, TrainArgs("variants", "--epochs", "1", "--light-hidden", "64",
            "--shared-grad", "booster", "--feature-hint", "cosine"));
        Assert.Contains("epoch 1/1", text);
        var e = Assert.Throws<UsageException>(
            () => Run(TrainCommand.Run, TrainArgs("base-variant", "--method", "base", "--shared-grad", "booster")));
        Assert.Contains("joint training", e.Message);
    }

    [Fact]
    public void DivergenceStopsTrainingWithAClearErrorAndKeepsTheLastGoodCheckpoint()
    {
        Run(TrainCommand.Run, TrainArgs("diverge", "--stop-after", "1"));
        string checkpoint = Path.Combine(Dir, "diverge", TrainCommand.CheckpointFile);
        var good = File.ReadAllBytes(checkpoint);
        var huge = TrainArgs("diverge", "--resume", "--lambda", "1000");
        huge[Array.IndexOf(huge, "--lr") + 1] = "100";
        var e = Assert.Throws<RocketNet.Training.Rocket.TrainingDivergedException>(() => Run(TrainCommand.Run, huge));
        Assert.Contains("diverged at epoch 2", e.Message);
        Assert.Contains("loss is", e.Message);
        Assert.Equal(good, File.ReadAllBytes(checkpoint));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(Dir, "diverge", "log.csv")).Length); // header + the good epoch
        Assert.Equal(1, Program.Main(["train", .. huge]));
    }

    [Fact]
    public void ARunFolderIsNeverSilentlyOverwritten()
    {
        Run(TrainCommand.Run, TrainArgs("once", "--epochs", "1"));
        var e = Assert.Throws<UsageException>(() => Run(TrainCommand.Run, TrainArgs("once", "--epochs", "1")));
        Assert.Contains("--resume", e.Message);
    }

    [Fact]
    public void ExportedLightNetEvaluatesLikeThePairsLightNet()
    {
        Run(TrainCommand.Run, TrainArgs("run", "--epochs", "2"));
        string checkpoint = Path.Combine(Dir, "run", TrainCommand.CheckpointFile),
            light = Path.Combine(Dir, "light.safetensors");
        var pairLines = Run(EvalCommand.Run, "--checkpoint", checkpoint, "--threads", "1").Split('\n');
        Assert.Contains("exported the light net", Run(ExportCommand.Run, "--checkpoint", checkpoint, "--out", light));
        var lightLines = Run(EvalCommand.Run, "--checkpoint", light, "--threads", "1").Split('\n');
        Assert.StartsWith("light: accuracy", pairLines[0]);
        Assert.Equal(pairLines[0], lightLines[0]);
        Assert.StartsWith("booster: accuracy", pairLines[1]);
    }

    [Fact]
    public void TrainLimitEvalEveryAndTimingDoWhatTheySay()
    {
        Run(TrainCommand.Run, TrainArgs("limited", "--epochs", "3", "--train-limit", "100", "--eval-every", "2"));
        var stdout = File.ReadAllLines(Path.Combine(Dir, "limited", "log.csv"));
        Assert.Equal(4, stdout.Length);
        var header = stdout[0].Split(',');
        int validation = Array.IndexOf(header, "val_light_acc"), train = Array.IndexOf(header, "train_seconds");
        Assert.Equal("NaN", stdout[1].Split(',')[validation]); // epoch 1: not evaluated
        Assert.NotEqual("NaN", stdout[2].Split(',')[validation]); // epoch 2
        Assert.NotEqual("NaN", stdout[3].Split(',')[validation]); // the last epoch always
        Assert.True(double.Parse(stdout[3].Split(',')[train], System.Globalization.CultureInfo.InvariantCulture) > 0);
        var text = Run(TrainCommand.Run, TrainArgs("limited-text", "--epochs", "1", "--train-limit", "100"));
        Assert.Contains("(100 train /", text);
        string checkpoint = Path.Combine(Dir, "limited", TrainCommand.CheckpointFile);
        var cost = Run(EvalCommand.Run, "--checkpoint", checkpoint, "--threads", "1", "--timing");
        // light: 64 -> 16 (shared) -> 10; multiplications 64·16 + 16·10, parameters those plus 16 + 10 biases
        Assert.Matches(
            @"light cost: 1,210 parameters, 1,184 FC multiplications per sample, " +
            @"[0-9.]+ µs per single-sample request " +
            @"\(median over 32 test samples, 90th percentile [0-9.]+ µs; 1 threads\)", cost);
        Assert.Matches(@"booster cost: [0-9,]+ parameters, [0-9,]+ FC multiplications", cost);
    }

    [Fact]
    public void SyntheticClicksTrainAndEvalOnTheSameRegeneratedTestPart()
    {
        var text = Run(TrainCommand.Run, "--data", "synthetic-clicks", "--impressions", "4000", "--data-seed",
            "3", "--arch", "ctr",
            "--embedding-dim", "4", "--booster-hidden", "32x16", "--light-hidden", "8", "--optimizer",
            "adam", "--lr", "0.01",
            "--batch-size", "128", "--epochs", "1", "--threads", "1", "--checkpoint-dir", Path.Combine(Dir, "clicks"));
        Assert.Contains("synthetic-clicks (4000 train / 1000 test)", text);
        Assert.Contains("ctr-towers vocab=100000x7x3x5x24x3x8x5000x24x500x1500x10x4x24x7x10x3x4 dim=4", text);
        Assert.Contains("hidden model on the full test part: AUC 0.", text);
        Assert.Contains("val_light_gauc", File.ReadAllLines(Path.Combine(Dir, "clicks", "log.csv"))[0]);
        string checkpoint = Path.Combine(Dir, "clicks", TrainCommand.CheckpointFile);
        var recorded = Checkpoint.Load(checkpoint).Metrics;
        Assert.Equal(("4000", "3"), (recorded[DataSources.ImpressionsMetric], recorded[DataSources.DataSeedMetric]));
        Assert.Equal("synthetic-clicks", recorded[DataSources.DataMetric]);
        // Without --data/--impressions/--data-seed, eval regenerates the checkpoint's own test part.
        var lines = Run(EvalCommand.Run, "--checkpoint", checkpoint, "--threads", "1").Split('\n');
        string auc = double.Parse(recorded["test_light_auc"], CultureInfo.InvariantCulture).ToString("F4",
            CultureInfo.InvariantCulture);
        Assert.StartsWith("light: accuracy", lines[0]);
        Assert.Contains($", AUC {auc}, GAUC ", lines[0]);
        Assert.Contains("1000 samples", lines[0]);
        Assert.StartsWith("synthetic click log (seed 3)", lines[2]);
        // Other data of another sample shape: a usage error naming both shapes, not an error from deep in a layer.
        var e = Assert.Throws<UsageException>(() => Run(EvalCommand.Run, "--checkpoint", checkpoint, "--data",
            "digits", "--threads", "1"));
        Assert.Contains("[18]", e.Message);
        Assert.Contains("--data digits gives [1, 8, 8]", e.Message);
        Assert.Contains("(synthetic-clicks)", e.Message);
    }

    [Fact]
    public void TeacherMethodsNeedATeacher()
    {
        var e = Assert.Throws<UsageException>(() => Run(TrainCommand.Run, TrainArgs("kd", "--method", "kd")));
        Assert.Contains("--teacher", e.Message);
    }

    [Fact]
    public void LaunchPrintsTheTable()
    {
        var text = Run(LaunchCommand.Run, "--seeds", "1", "--epochs", "2", "--threads", "1");
        Assert.Contains("| light alone (base) | 610 | 592 |", text);
        Assert.Contains("| light in rocket | 610 | 592 |", text);
        Assert.Contains("| booster alone |", text);
    }

    [Fact]
    public void ProgressIsPlainLinesWhenNotATerminal()
    {
        var output = new StringWriter();
        var progress = new ProgressReporter(output, live: false);
        progress.Batch("rocket", 1, 2, 3, 10, 0.5, 0.9, 100);
        progress.Epoch("epoch 1/2 done");
        Assert.Equal("epoch 1/2 done" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void SvgChartIsWellFormedAndRejectsEmptyInput()
    {
        var svg = SvgChart.Render("t <&>", "x", "y",
            [("a", [(0.0, 1.0), (1.0, 2.0)]), ("b", [(0.0, double.NaN), (1.0, 3.0)])]);
        var doc = XDocument.Parse(svg);
        Assert.Equal(2, doc.Descendants().Count(e => e.Name.LocalName == "polyline"));
        Assert.Throws<ArgumentException>(() => SvgChart.Render("t", "x", "y", []));
    }
}
