using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving.Images;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Tests.Training.Data.Images;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// What <c>predict</c> reports beyond the scores: per-class precision and recall and a confusion matrix on labelled
/// input, and a warning when an image model scores the folder it was trained on.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class PredictReportTests : CliTestFolder
{
    [Fact]
    public void TheClassReportGivesPrecisionRecallAndTheConfusionMatrixRowsTrueColumnsPredicted()
    {
        var scores = new ScoreWriter(TextWriter.Null, "line", ["cat", "dog", "emu"]);
        Assert.Empty(scores.ClassReportLines()); // nothing labelled, nothing to report
        // (truth, predicted): cat 3× right, 1× as dog; dog 2× right; emu never seen, once predicted for a dog.
        foreach (var (truth, predicted) in new[] { (0, 0), (0, 0), (0, 0), (0, 1), (1, 1), (1, 1), (1, 2) })
        {
            var logits = new float[3];
            logits[predicted] = 5;
            scores.Write("x", logits, truth);
        }
        var lines = scores.ClassReportLines().ToArray();
        Assert.StartsWith("per class", lines[0]);
        Assert.Equal(["class", "precision", "recall", "count"], Cells(lines[1]));
        Assert.Equal(["cat", "100.00%", "75.00%", "4"], Cells(lines[2])); // 3 of 3 predicted cats; 3 of 4 cats
        Assert.Equal(["dog", "66.67%", "66.67%", "3"], Cells(lines[3]));
        Assert.Equal(["emu", "0.00%", "-", "0"], Cells(lines[4]));
        Assert.Contains("rows: true class, columns: predicted class", lines[5]);
        Assert.Equal(["cat", "dog", "emu"], Cells(lines[6]));
        Assert.Equal(["cat", "3", "1", "0"], Cells(lines[7]));
        Assert.Equal(["dog", "0", "2", "1"], Cells(lines[8]));
        Assert.Equal(["emu", "0", "0", "0"], Cells(lines[9]));
        Assert.Equal(10, lines.Length);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void ManyClassesGetPrecisionAndRecallButNoMatrix()
    {
        var names = Enumerable.Range(0, ClassReport.MaxMatrixClasses + 1).Select(i => $"c{i}").ToArray();
        var scores = new ScoreWriter(TextWriter.Null, "line", names);
        scores.Write("x", new float[names.Length], 0);
        var lines = scores.ClassReportLines().ToArray();
        Assert.Equal(2 + names.Length + 1, lines.Length);
        Assert.Contains("confusion matrix left out", lines[^1]);
    }

    [Fact]
    public void PredictOnAnImageFolderReportsPerClassAndWarnsWhenItScoresTheTrainingImages()
    {
        string folder = Path.Combine(Dir, "digits");
        PngWriter.WriteDigitsFolder(folder, 200);
        string run = Path.Combine(Dir, "run");
        Run(TrainCommand.Run, "--data", folder, "--shared", "16", "--booster-hidden", "32", "--epochs", "1",
            "--batch-size", "32", "--threads", "1", "--checkpoint-dir", run);
        string model = Path.Combine(run, TrainCommand.CheckpointFile);
        string scores = Path.Combine(Dir, "scores.csv");

        string said = Run(PredictCommand.Run, "--model", model, "--input", folder, "--output", scores);
        Assert.Contains("warning: '" + folder + "' is the folder this model was trained on", said);
        Assert.Contains("per class", said);
        Assert.Contains("confusion matrix (rows: true class, columns: predicted class)", said);
        said = Run(PredictCommand.Run, "--model", model, "--input", Path.Combine(folder, "3"), "--output", scores);
        Assert.Contains("is the folder this model was trained on, or inside it", said);

        // The same images elsewhere are not recognised (only the path's digest is recorded), and no path is stored.
        string copy = Path.Combine(Dir, "copy");
        foreach (string file in Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories))
        {
            string to = Path.Combine(copy, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        said = Run(PredictCommand.Run, "--model", model, "--input", copy, "--output", scores);
        Assert.DoesNotContain("warning", said);
        Assert.Contains("confusion matrix", said);
        var preprocessing = RocketNet.Serving.Checkpoint.Load(model).Preprocessing!;
        Assert.DoesNotContain(Dir, preprocessing);
        Assert.Equal(ImagePreprocessor.FolderDigest(folder),
            ImagePreprocessor.FromJson(preprocessing, model).TrainingFolderDigest);
    }

    [Fact]
    public void WithTrainAndTestFoldersScoringTestIsFineAndScoringTheirParentWarns()
    {
        string root = Path.Combine(Dir, "split");
        PngWriter.WriteDigitsFolder(Path.Combine(root, "train"), 150);
        PngWriter.WriteDigitsFolder(Path.Combine(root, "test"), 50);
        string run = Path.Combine(Dir, "run");
        Run(TrainCommand.Run, "--data", root, "--shared", "16", "--booster-hidden", "32", "--epochs", "1",
            "--batch-size", "32", "--threads", "1", "--checkpoint-dir", run);
        string model = Path.Combine(run, TrainCommand.CheckpointFile);
        string scores = Path.Combine(Dir, "scores.csv");
        Assert.DoesNotContain("warning", Run(PredictCommand.Run, "--model", model, "--input",
            Path.Combine(root, "test"), "--output", scores));
        Assert.Contains($"holds the folder this model was trained on ('train')", Run(PredictCommand.Run, "--model",
            model, "--input", root, "--output", scores));
    }

    [Fact]
    public void NetBoosterScoresWithThePairsBoosterAndIsRefusedForAnExportedLightNet()
    {
        string folder = Path.Combine(Dir, "digits");
        PngWriter.WriteDigitsFolder(folder, 100);
        string run = Path.Combine(Dir, "run");
        Run(TrainCommand.Run, "--data", folder, "--shared", "16", "--booster-hidden", "32", "--epochs", "1",
            "--batch-size", "32", "--threads", "1", "--checkpoint-dir", run);
        string model = Path.Combine(run, TrainCommand.CheckpointFile);
        string lightScores = Path.Combine(Dir, "light.csv"), boosterScores = Path.Combine(Dir, "booster.csv");
        Assert.Contains("with the light net", Run(PredictCommand.Run, "--model", model, "--input", folder,
            "--output", lightScores));
        Assert.Contains("with the booster net", Run(PredictCommand.Run, "--model", model, "--input", folder,
            "--output", boosterScores, "--net", "booster"));

        // The first row is what the pair's booster gives for that file, and not what the light net gives.
        var checkpoint = RocketNet.Serving.Checkpoint.Load(model);
        var image = ImagePreprocessor.FromJson(checkpoint.Preprocessing!, model);
        var booster = new RocketNet.Serving.Predictor(CheckpointNets.LoadPair(checkpoint).Booster,
            checkpoint.InputShape!)
        { Image = image };
        string[] row = File.ReadAllLines(boosterScores)[1].Split(',');
        var expected = booster.PredictImageFile(Path.Combine(folder, row[0]));
        for (int k = 0; k < expected.Length; k++)
            Assert.Equal(expected[k], float.Parse(row[2 + k], System.Globalization.CultureInfo.InvariantCulture), 5);
        Assert.NotEqual(File.ReadAllLines(lightScores)[1], File.ReadAllLines(boosterScores)[1]);

        string light = Path.Combine(Dir, "light.safetensors");
        Run(ExportCommand.Run, "--checkpoint", model, "--out", light);
        var e = Assert.Throws<UsageException>(() => Run(PredictCommand.Run, "--model", light, "--input", folder,
            "--output", boosterScores, "--net", "booster"));
        Assert.Contains("exported light net, which has no booster", e.Message);
        e = Assert.Throws<UsageException>(() => Run(PredictCommand.Run, "--model", model, "--input", folder,
            "--output", boosterScores, "--net", "teacher"));
        Assert.Contains("--net must be one of light, booster; got 'teacher'", e.Message);
    }
}
