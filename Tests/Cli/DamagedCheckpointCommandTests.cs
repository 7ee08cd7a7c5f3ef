using System.Buffers.Binary;
using System.Text;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// A checkpoint whose architecture string was damaged (issue 27): the commands say the file is damaged, naming it,
/// instead of blaming the user's --data.
/// </summary>
[Collection(ThreadCountCollection.Name)] // eval sets the engine thread count
public sealed class DamagedCheckpointCommandTests : CliTestFolder
{
    [Fact]
    public void ADamagedArchitectureIsReportedAsTheFilesFaultBeforeAnyDataIsRead()
    {
        const string architecture = "mlp in=64 shared=8 booster=16 light= classes=10";
        string path = Path.Combine(Dir, "pair.safetensors");
        Checkpoint.Save(path, ArchitectureRegistry.BuildPair(architecture, new RandomGenerator(1)), architecture,
            epoch: 1, inputShape: [64]);
        var file = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, headerLength)
            .Replace("booster=16 ", "booster=1x ", StringComparison.Ordinal); // same length: offsets stay valid
        Encoding.UTF8.GetBytes(header).CopyTo(file, 8);
        File.WriteAllBytes(path, file);

        var e = Assert.Throws<InvalidDataException>(() => EvalCommand.Run(
            new CliOptions(["--checkpoint", path, "--data", "fashion-mnist", "--threads", "1"]), new StringWriter()));
        Assert.Contains(path, e.Message);
        Assert.Contains("architecture metadata", e.Message);
        Assert.DoesNotContain("--data", e.Message);
    }
}
