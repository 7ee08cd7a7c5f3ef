using System.Diagnostics;
using System.Globalization;

namespace RocketNet.Cli.Reporting;

/// <summary>
/// Shows training progress: a live one-line bar (epoch, batch, loss, accuracy, throughput, time left)
/// redrawn in place when the output is a terminal, and plain log lines (one per epoch) otherwise, so
/// redirected output stays readable in files and CI logs.
/// </summary>
public sealed class ProgressReporter
{
    private readonly TextWriter _output;
    private readonly bool _live;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw;
    private int _lastWidth;

    /// <summary>Creates a reporter; <paramref name="live"/> defaults to "stdout is a terminal".</summary>
    public ProgressReporter(TextWriter output, bool? live = null)
    {
        _output = output;
        _live = live ?? !Console.IsOutputRedirected;
    }

    /// <summary>
    /// The net whose running training accuracy <see cref="Batch"/> is given ("light", or "booster" when only the
    /// booster trains), named on the bar so it is not mistaken for the other net's.
    /// </summary>
    public string AccuracyOf { get; init; } = "light";

    /// <summary>Called after each batch: redraws the bar (at most 10 times a second) when live.</summary>
    public void Batch(string label, int epoch, int epochs, int batch, int batches, double loss,
        double accuracy, long samplesDone)
    {
        if (!_live) return;
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 100 && batch < batches) return;
        _lastDraw = now;
        double fraction = ((epoch - 1) + (double)batch / batches) / epochs;
        double elapsed = _clock.Elapsed.TotalSeconds;
        double left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
        const int width = 24;
        int filled = (int)Math.Round(fraction * width);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{label} [{new string('#', filled)}{new string('.', width - filled)}] epoch {epoch}/{epochs} " +
            $"batch {batch}/{batches} " +
            $"loss {loss:F4} {AccuracyOf} acc {accuracy:P1} {samplesDone / Math.Max(elapsed, 1e-9):F0}/s " +
            $"left {FormatSeconds(left)}");
        int pad = Math.Max(0, _lastWidth - line.Length);
        _output.Write("\r" + line + new string(' ', pad));
        _lastWidth = line.Length;
    }

    /// <summary>Called after each epoch: ends the live line, or prints one plain log line.</summary>
    public void Epoch(string message)
    {
        if (_live && _lastWidth > 0)
        {
            _output.Write("\r" + new string(' ', _lastWidth) + "\r");
            _lastWidth = 0;
        }
        _output.WriteLine(message);
    }

    /// <summary>Formats seconds as m:ss or h:mm:ss.</summary>
    public static string FormatSeconds(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss",
            CultureInfo.InvariantCulture);
    }
}
