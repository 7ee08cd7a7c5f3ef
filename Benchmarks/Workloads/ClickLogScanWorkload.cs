using RocketNet.Training.Data;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// The passes over a click log that only count rows or seek to a row (the validation and test parts at the end of
/// a streamed log), on a 100,000-row synthetic Criteo file written once to the temp folder (about 19 MB): raw
/// (<see cref="RawLineSkipper"/>: line ends counted in the bytes) against what they did before (every line decoded
/// to a string to count it; every row before the seek position parsed).
/// </summary>
public sealed class ClickLogScanWorkload : IWorkload
{
    private const int Rows = 100_000;
    private const long SeekTo = Rows - 10;
    private static readonly Lazy<string> File = new(WriteLog);
    private readonly string _mode;
    private readonly CriteoOptions _layout = new();

    /// <summary>Prepares the file; <paramref name="mode"/> is count-raw, count-decoded, seek-raw or
    /// seek-parsed.</summary>
    public ClickLogScanWorkload(string mode)
    {
        _mode = mode is "count-raw" or "count-decoded" or "seek-raw" or "seek-parsed" ? mode
            : throw new ArgumentException($"Unknown click-log scan '{mode}'.", nameof(mode));
        _ = File.Value;
    }

    /// <inheritdoc />
    public string Name => "clicklog-" + _mode;

    /// <inheritdoc />
    public double? FlopsPerRun => null;

    /// <summary>The rows the last run counted, or the line it reached (kept, so no pass can be dropped).</summary>
    public long Result { get; private set; }

    /// <inheritdoc />
    public void Run()
    {
        string[] files = [File.Value];
        Result = _mode switch
        {
            "count-raw" => ClickLogFiles.CountRows(files, _layout),
            "count-decoded" => CountDecoded(File.Value),
            "seek-raw" => ClickLogFiles.ReadRows(files, _layout, SeekTo).First().Line,
            _ => _layout.ReadRows(File.Value).Skip((int)SeekTo).First().Line,
        };
    }

    private static long CountDecoded(string path)
    {
        long rows = 0;
        using var reader = new StreamReader(RocketNet.Serving.CompressedFile.OpenRead(path));
        while (reader.ReadLine() is { } line) rows += line.Length > 0 ? 1 : 0;
        return rows;
    }

    private static string WriteLog()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rocketnet-bench-clicklog-{Environment.ProcessId}.tsv");
        using (var writer = new StreamWriter(path))
            SyntheticClickCriteoWriter.Write(writer, new SyntheticClickLogOptions { Users = 10_000, Ads = 1_000 },
                Rows);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => System.IO.File.Delete(path);
        return path;
    }
}
