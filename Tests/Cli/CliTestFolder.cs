using RocketNet.Cli;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// Base of the command tests: a temporary folder per test class instance (<see cref="Dir"/>, deleted on dispose)
/// and <see cref="Run"/>, which runs a command as the CLI would and requires exit code 0.
/// </summary>
public abstract class CliTestFolder : IDisposable
{
    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), "rocketnet-cli-" + Guid.NewGuid().ToString("N"));

    protected CliTestFolder() => Directory.CreateDirectory(Dir);

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="command"/> with <paramref name="args"/>; returns what it printed.</summary>
    protected static string Run(Func<CliOptions, TextWriter, int> command, params string[] args)
    {
        var output = new StringWriter();
        Assert.Equal(0, command(new CliOptions(args), output));
        return output.ToString();
    }
}
