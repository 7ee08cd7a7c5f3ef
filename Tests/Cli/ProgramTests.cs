using System.Text.RegularExpressions;
using RocketNet.Cli;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>The top level of the installed tool: its version and its help.</summary>
public sealed class ProgramTests
{
    [Fact]
    public void VersionPrintsTheVersionOfDirectoryBuildProps()
    {
        string props = File.ReadAllText(Path.Combine("..", "..", "..", "..", "Directory.Build.props"));
        string version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.NotEmpty(version);
        Assert.StartsWith($"rocketnet {version}", Program.VersionText);
        Assert.Equal(0, Program.Main(["--version"]));
        Assert.Equal(0, Program.Main(["-V"]));
        Assert.Contains("--version", Program.Usage);
    }

    [Fact]
    public void TheInstalledToolsHelpDoesNotPointIntoTheSourceTree()
    {
        // An installed tool has no Benchmarks project beside it: say where the benchmarks live instead.
        Assert.DoesNotContain("--project Benchmarks", Program.Usage);
        Assert.Contains("source repository", Program.Usage);
        foreach (string command in new[] { "launch", "train", "eval", "export", "predict", "nonsense" })
            Assert.DoesNotContain("--project", Help.For(command));
    }
}
