using System.Globalization;
using System.Text;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>What a shipped model file records about where it was trained: names, not paths.</summary>
[Collection(Kernels.ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class ModelMetadataTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rocketnet-meta-" + Guid.NewGuid().ToString("N"));

    public ModelMetadataTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AnExportedModelRecordsTheTrainingFilesNameNotItsAbsolutePath()
    {
        var csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 80; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{i % 7},{i * 0.5},{(i % 7 > 3 ? "hi" : "lo")}\n");
        string table = Path.GetFullPath(Path.Combine(_dir, "customers.csv"));
        File.WriteAllText(table, csv.ToString());
        string run = Path.Combine(_dir, "run"), light = Path.Combine(_dir, "light.safetensors");
        Assert.Equal(0, TrainCommand.Run(new CliOptions(["--data", table, "--target", "y", "--epochs", "1",
            "--threads", "1", "--checkpoint-dir", run]), new StringWriter()));
        Assert.Equal(0, ExportCommand.Run(new CliOptions(["--checkpoint", run, "--out", light]), new StringWriter()));
        foreach (string file in new[] { Path.Combine(run, TrainCommand.CheckpointFile), light })
        {
            var checkpoint = Checkpoint.Load(file);
            Assert.Equal("customers.csv", checkpoint.Metrics[DataSources.DataMetric]);
            Assert.DoesNotContain(checkpoint.Metrics.Values, v => v.Contains(_dir, StringComparison.Ordinal));
            Assert.DoesNotContain(_dir, checkpoint.Preprocessing!);
            Assert.DoesNotContain(_dir, checkpoint.Architecture);
        }
        Assert.Equal("digits", DataSources.RecordedName("digits"));
    }
}
