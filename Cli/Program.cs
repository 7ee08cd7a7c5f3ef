using System.Reflection;
using RocketNet.Cli.Commands;

namespace RocketNet.Cli;

/// <summary>
/// Entry point of the <c>rocketnet</c> command. Every failure a user can cause (unknown option, bad
/// value, missing or corrupt file) ends in one line on stderr and a non-zero exit code, never a stack trace.
/// </summary>
public static class Program
{
    /// <summary>The text of <c>rocketnet --help</c>.</summary>
    internal const string Usage =
        "usage: rocketnet <command> [options]\n" +
        "  launch   train booster/light pairs on the embedded digits (base, rocket, booster; several " +
        "seeds) and print a table\n" +
        "  train    train one booster/light pair (see 'rocketnet train --help')\n" +
        "  eval     evaluate a checkpoint on a dataset\n" +
        "  export   write the light net of a checkpoint as a standalone model file\n" +
        "  predict  score a table file or an image folder with a model trained on one: --model F --input " +
        "new.csv|folder --output scores.csv\n" +
        "  clicklog write a Criteo-format click log of N rows from the synthetic click model: --rows N --out F\n" +
        "  --version, -V  print the version\n" +
        "  (the benchmarks are not part of the tool: they live in the Benchmarks project of the RocketNet " +
        "source repository)";

    /// <summary>
    /// "rocketnet VERSION": the assembly's informational version (Directory.Build.props' Version, plus the source
    /// commit when the build knew it).
    /// </summary>
    internal static string VersionText =>
        "rocketnet " + (typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()
            ?.InformationalVersion ?? typeof(Program).Assembly.GetName().Version?.ToString() ?? "unknown");

    /// <summary>Runs a command; returns 0 on success, 1 on a runtime failure, 2 on a usage error.</summary>
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version" or "-V")
        {
            Console.WriteLine(VersionText);
            return 0;
        }
        if (args.Length > 1 && args[1] is "-h" or "--help")
        {
            Console.WriteLine(Help.For(args[0]));
            return 0;
        }
        try
        {
            var rest = args[1..];
            return args[0] switch
            {
                "launch" => LaunchCommand.Run(new CliOptions(rest), Console.Out),
                "train" => TrainCommand.Run(new CliOptions(rest), Console.Out),
                "eval" => EvalCommand.Run(new CliOptions(rest), Console.Out),
                "export" => ExportCommand.Run(new CliOptions(rest), Console.Out),
                "predict" => PredictCommand.Run(new CliOptions(rest), Console.Out),
                "clicklog" => ClickLogCommand.Run(new CliOptions(rest), Console.Out),
                _ => throw new UsageException(
                    $"unknown command '{args[0]}' (commands: launch, train, eval, export, predict, clicklog; " +
                    "rocketnet --help lists them, rocketnet --version prints the version)"),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"rocketnet: error: {e.Message}");
            return 2;
        }
        catch (OutOfMemoryException)
        {
            // Reached only when an allocation really exceeds what the process may use; the readers bound what
            // files can ask for. The exception does not carry the size asked for, so say what is known.
            long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            Console.Error.WriteLine(
                $"rocketnet: error: out of memory: an allocation did not fit in the {limit / (1 << 20):N0} " +
                "MiB this process may use " +
                $"({GC.GetTotalMemory(false) / (1 << 20):N0} MiB in use after the failure); use " +
                "a smaller --batch-size, --limit or model");
            return 1;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException
            or ArgumentException or InvalidOperationException)
        {
            // FileNotFoundException and DirectoryNotFoundException are IOExceptions; their messages name the path.
            Console.Error.WriteLine($"rocketnet: error: {e.Message}");
            return 1;
        }
    }
}
