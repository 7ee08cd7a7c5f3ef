using RocketNet.Cli;
using RocketNet.Cli.Commands;
using Xunit;

namespace RocketNet.Tests.Cli;

public class CliOptionsTests
{
    [Fact]
    public void ParsesValuesFlagsAndEqualsSyntax()
    {
        var o = new CliOptions(["--epochs", "5", "--augment", "--lr=0.05", "--seeds", "1,2,3"]);
        Assert.Equal(5, o.Int("epochs", 1));
        Assert.True(o.Flag("augment"));
        Assert.Equal(0.05, o.Double("lr", 0.1));
        Assert.Equal([1, 2, 3], o.IntList("seeds", [9]));
        Assert.Equal("digits", o.String("data", "digits"));
        o.RejectUnknown("test");
    }

    [Fact]
    public void UnknownOptionIsNamedWithTheKnownOnes()
    {
        var o = new CliOptions(["--epocs", "3"]);
        o.Int("epochs", 1);
        var e = Assert.Throws<UsageException>(() => o.RejectUnknown("train"));
        Assert.Contains("--epocs", e.Message);
        Assert.Contains("--epochs", e.Message);
    }

    [Theory]
    [InlineData("--epochs", "abc", "integer")]
    [InlineData("--epochs", "0", "between")]
    [InlineData("--lr", "NaN", "number")]
    public void BadValuesAreRejectedWithTheOptionName(string name, string value, string expected)
    {
        var o = new CliOptions([name, value]);
        var e = Assert.Throws<UsageException>(() =>
        {
            o.Int("epochs", 1, 1);
            o.Double("lr", 0.1, 1e-9);
        });
        Assert.Contains(name, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void PositionalArgumentsRepeatsAndBadChoicesAreRejected()
    {
        Assert.Throws<UsageException>(() => new CliOptions(["stray"]));
        Assert.Throws<UsageException>(() => new CliOptions(["--a", "1", "--a", "2"]));
        var e = Assert.Throws<UsageException>(() => new CliOptions(["--method", "magic"]).Choice("method",
            "rocket", "base", "rocket"));
        Assert.Contains("base, rocket", e.Message);
    }

    [Fact]
    public void SyntheticClickOptionsSizeAndSeedTheLogAndAreChecked()
    {
        var s = TrainSettings.Parse(
            new CliOptions(["--data", "synthetic-clicks", "--impressions", "1000", "--data-seed", "9"]));
        Assert.Equal((1000, 250, 9UL), (s.SyntheticClicks.TrainImpressions, s.SyntheticClicks.TestImpressions,
            s.SyntheticClicks.Seed));
        Assert.Equal(TrainSettings.DefaultImpressions,
            TrainSettings.Parse(new CliOptions(["--data", "synthetic-clicks"])).Impressions);
        var e = Assert.Throws<UsageException>(() => TrainSettings.Parse(new CliOptions(["--impressions", "0"])));
        Assert.Contains("--impressions", e.Message);
        Assert.Throws<UsageException>(() => TrainSettings.Parse(new CliOptions(["--data-seed", "-1"])));
        Assert.Contains("--impresions",
            Assert.Throws<UsageException>(() => TrainSettings.Parse(new CliOptions(["--impresions", "5"]))).Message);
    }

    [Theory]
    [InlineData("launch")]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("export")]
    [InlineData("predict")]
    public void EveryCommandHasHelp(string command) => Assert.StartsWith("rocketnet " + command, Help.For(command));

    [Fact]
    public void EveryOptionOfTrainAndExportIsInItsHelp()
    {
        // An unknown option's error lists every option the command reads.
        static IEnumerable<string> Read(Action parse) =>
            System.Text.RegularExpressions.Regex.Matches(
                Assert.Throws<UsageException>(parse).Message.Split("(options: ")[1], "--[a-z-]+").Select(m => m.Value);
        var train = Read(() => TrainSettings.Parse(new CliOptions(["--no-such-option", "1"])));
        var export = Read(() => ExportCommand.Run(new CliOptions(["--checkpoint", "c", "--out", "o",
            "--no-such-option", "1"]), TextWriter.Null));
        Assert.Contains("--early-stop", train);
        Assert.Contains("--which", export);
        foreach (var (command, options) in new[] { ("train", train), ("export", export) })
        {
            string help = Help.For(command);
            foreach (string option in options)
                Assert.True(System.Text.RegularExpressions.Regex.IsMatch(help, option + "(?![a-z-])"),
                    $"'rocketnet {command} --help' does not mention {option}");
        }
    }
}
