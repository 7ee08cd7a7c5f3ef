using System.Globalization;
using System.Text;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>What a shipped model file records about where it was trained: names, not paths.</summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class ModelMetadataTests : CliTestFolder
{
    [Fact]
    public void AnExportedModelRecordsTheTrainingFilesNameNotItsAbsolutePath()
    {
        var csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 80; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{i % 7},{i * 0.5},{(i % 7 > 3 ? "hi" : "lo")}\n");
        string table = Path.GetFullPath(Path.Combine(Dir, "customers.csv"));
        File.WriteAllText(table, csv.ToString());
        string run = Path.Combine(Dir, "run"), light = Path.Combine(Dir, "light.safetensors");
        Assert.Equal(0, TrainCommand.Run(new CliOptions(["--data", table, "--target", "y", "--epochs", "1",
            "--threads", "1", "--checkpoint-dir", run]), new StringWriter()));
        Assert.Equal(0, ExportCommand.Run(new CliOptions(["--checkpoint", run, "--out", light]), new StringWriter()));
        foreach (string file in new[] { Path.Combine(run, TrainCommand.CheckpointFile), light })
        {
            var checkpoint = Checkpoint.Load(file);
            Assert.Equal("customers.csv", checkpoint.Metrics[DataSources.DataMetric]);
            Assert.DoesNotContain(checkpoint.Metrics.Values, v => v.Contains(Dir, StringComparison.Ordinal));
            Assert.DoesNotContain(Dir, checkpoint.Preprocessing!);
            Assert.DoesNotContain(Dir, checkpoint.Architecture);
        }
        Assert.Equal("digits", DataSources.RecordedName("digits"));
    }
}
