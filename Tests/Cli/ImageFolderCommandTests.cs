using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Serving.Images;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Tests.Training.Data.Images;
using RocketNet.Training.Data.Images;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// An image folder end to end: the digits as PNG class folders, trained, exported, served from image files.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class ImageFolderCommandTests : CliTestFolder
{
    [Fact]
    public void LaunchComparesTheFourRowsOnAnImageFolder()
    {
        string folder = Path.Combine(Dir, "digits");
        PngWriter.WriteDigitsFolder(folder, 300);
        string said = Run(LaunchCommand.Run, "--data", folder, "--seeds", "1", "--epochs", "2", "--threads", "1");
        Assert.Contains("10 classes, 8×8 RGB images", said);
        Assert.Contains("pair: mlp in=192 shared=64 booster=512", said);
        Assert.Contains("| rocket λ=0.03 |", said);
        Assert.Contains("table options apply to a table file",
            Assert.Throws<UsageException>(() => Run(LaunchCommand.Run, "--data", folder, "--target", "x")).Message);
    }

    [Fact]
    public void AnImageModelServedFromFilesPredictsWhatItComputesOnTheEncodedImages()
    {
        string folder = Path.Combine(Dir, "digits");
        PngWriter.WriteDigitsFolder(folder, 600);
        string run = Path.Combine(Dir, "run");
        string trained = Run(TrainCommand.Run, "--data", folder, "--shared", "32", "--booster-hidden", "128",
            "--epochs", "8", "--lr", "0.05",
            "--batch-size", "32", "--threads", "1", "--checkpoint-dir", run);
        Assert.Contains("mlp in=192", trained);
        string light = Path.Combine(Dir, "light.safetensors");
        Run(ExportCommand.Run, "--checkpoint", Path.Combine(run, TrainCommand.CheckpointFile), "--out", light);

        var predictor = Predictor.FromCheckpoint(light,
            a => ArchitectureRegistry.BuildLight(a, new RandomGenerator(0)));
        var image = Assert.IsType<ImagePreprocessor>(predictor.Image);
        Assert.Null(predictor.Table);
        var encoded = new float[image.SampleSize];
        var logits = new float[10];
        var files = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order(
            StringComparer.Ordinal).Take(50).ToArray();
        int correct = 0;
        foreach (string file in files)
        {
            image.EncodeFile(file, encoded);
            predictor.Predict(encoded, logits);
            Predictor.Softmax(logits);
            var probabilities = predictor.PredictImageFile(file);
            Assert.Equal(logits, probabilities);
            var (rgb, width, height) = ImagePreprocessor.Decode(file);
            Assert.Equal(probabilities, predictor.PredictImagePixels(rgb, width, height));
            if (image.ClassNames[Array.IndexOf(probabilities, probabilities.Max())] == Path.GetFileName(
                Path.GetDirectoryName(file))) correct++;
        }
        Assert.True(correct >= 35, $"only {correct} of 50 training-folder images right");

        string scores = Path.Combine(Dir, "scores.csv");
        string said = Run(PredictCommand.Run, "--model", light, "--input", folder, "--output", scores);
        Assert.Contains("scored 600 images", said);
        Assert.Contains("accuracy on the 600 images in a folder named like a class", said);
        var lines = File.ReadAllLines(scores);
        Assert.Equal(601, lines.Length);
        Assert.StartsWith(Path.Combine("0", "0000.png") + ",", lines[1]);

        // One image: the folder's row for it, and the predicted class on the console; a non-image file is refused.
        string one = Path.Combine(Dir, "one.csv"), png = Path.Combine(folder, "0", "0000.png");
        string told = Run(PredictCommand.Run, "--model", light, "--input", png, "--output", one);
        var row = File.ReadAllLines(one);
        Assert.Equal([lines[0], "0000.png" + lines[1][lines[1].IndexOf(',', StringComparison.Ordinal)..]], row);
        string predicted = row[1].Split(',')[1];
        Assert.Contains($"\n{png}: {predicted} with the light net (probability 0.", told);
        Assert.Contains("is the folder this model was trained on", told); // inside the training folder
        File.WriteAllText(Path.Combine(Dir, "notes.txt"), "not an image");
        var e = Assert.Throws<UsageException>(() => Run(PredictCommand.Run, "--model", light, "--input",
            Path.Combine(Dir, "notes.txt"), "--output", scores));
        Assert.Contains("an image (.png, .jpg, .jpeg, .bmp) or a folder of images", e.Message);
    }
}
