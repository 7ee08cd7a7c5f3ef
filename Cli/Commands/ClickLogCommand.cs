using System.Globalization;
using System.IO.Compression;
using RocketNet.Serving;
using RocketNet.Training.Data;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet clicklog --rows N --out FILE[.gz]</c>: writes N impressions of the synthetic click model as a
/// Criteo-format click log (<see cref="SyntheticClickCriteoWriter"/>), to try <c>train --data criteo</c> at any
/// scale on clicks a hidden model decided.
/// </summary>
public static class ClickLogCommand
{
    /// <summary>Parses the options, writes the file, reports.</summary>
    /// <exception cref="UsageException">A missing or invalid option.</exception>
    public static int Run(CliOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        long rows = options.Int("rows", 0, 1);
        string path = options.StringOrNull("out")
            ?? throw new UsageException("clicklog needs --out FILE (ending in .gz to compress)");
        var world = new SyntheticClickLogOptions
        {
            Users = options.Int("users", 100_000, 1),
            Ads = options.Int("ads", 5_000, 1),
            Seed = (ulong)options.Int("data-seed", 1, 0),
        };
        options.RejectUnknown("clicklog");
        if (rows == 0) throw new UsageException("clicklog needs --rows N (impressions to write)");
        OutputPath.CheckWritable(path);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        // Written beside the target and renamed at the end, so a killed run leaves no truncated log behind.
        string partial = path + ".partial";
        using (var file = File.Create(partial))
        using (Stream body = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.Fastest) : file)
        using (var writer = new StreamWriter(body, bufferSize: 1 << 16))
            SyntheticClickCriteoWriter.Write(writer, world, rows);
        File.Move(partial, path, overwrite: true);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {rows:N0} rows ({world.Users:N0} users, {world.Ads:N0} ads, seed {world.Seed}) to {path}"));
        return 0;
    }
}
