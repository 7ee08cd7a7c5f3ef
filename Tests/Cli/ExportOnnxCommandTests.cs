using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>export --format onnx</c> of a trained digits pair: ONNX Runtime gives what RocketNet's exported light net gives.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class ExportOnnxCommandTests : CliTestFolder
{
    [Fact]
    public void TheOnnxExportOfATrainedLightNetAgreesWithItsSafetensorsExport()
    {
        string run = Path.Combine(Dir, "run"), onnx = Path.Combine(Dir, "light.onnx"),
            light = Path.Combine(Dir, "light.safetensors");
        string[] train = ["--data", "digits", "--arch", "mlp", "--shared", "16", "--booster-hidden", "64", "--epochs",
            "2", "--threads", "1", "--checkpoint-dir", run];
        Assert.Equal(0, TrainCommand.Run(new CliOptions(train), new StringWriter()));
        string checkpoint = Path.Combine(run, TrainCommand.CheckpointFile);
        var said = new StringWriter();
        Assert.Equal(0,
            ExportCommand.Run(new CliOptions(["--checkpoint", checkpoint, "--out", onnx, "--format", "onnx"]), said));
        Assert.Contains("as ONNX (opset 17", said.ToString());
        Assert.Equal(0, ExportCommand.Run(new CliOptions(["--checkpoint", checkpoint, "--out", light]),
            new StringWriter()));
        // An exported light net converts to the same ONNX model (issue 27: it asked for the missing booster).
        string fromLight = Path.Combine(Dir, "from-light.onnx");
        Assert.Equal(0, ExportCommand.Run(
            new CliOptions(["--checkpoint", light, "--out", fromLight, "--format", "onnx"]), new StringWriter()));
        Assert.Equal(File.ReadAllBytes(onnx), File.ReadAllBytes(fromLight));

        var predictor = Predictor.FromCheckpoint(light,
            a => ArchitectureRegistry.BuildLight(a, new RandomGenerator(0)));
        var test = DataSources.Flatten(Datasets.DigitsSplit(seed: 0).Test);
        var input = test.Features.AsSpan(0, 20 * 64).ToArray();
        var expected = new float[20 * 10];
        predictor.PredictBatch(input, expected);
        using var session = new InferenceSession(onnx);
        using var results =
            session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, [20, 64]))]);
        var actual = results.Single().AsTensor<float>().ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])), $"value {i}");
    }
}
