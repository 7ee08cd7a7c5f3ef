using System.Diagnostics;
using System.Globalization;

namespace RocketNet.Cli.Reporting;

/// <summary>
/// A live "scored N rows (M/s)" line for <c>predict</c>, redrawn at most ten times a second when the output is a
/// terminal and silent otherwise (redirected output gets only the final summary).
/// </summary>
public sealed class ScoringProgress
{
    private readonly TextWriter _output;
    private readonly string _unit;
    private readonly long _total;
    private readonly bool _live;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = -1000;
    private int _width;

    /// <summary>
    /// Creates the reporter; <paramref name="total"/> is 0 when the count is not known in advance (a streamed file).
    /// </summary>
    public ScoringProgress(TextWriter output, string unit, long total = 0, bool? live = null)
    {
        (_output, _unit, _total) = (output, unit, total);
        _live = live ?? !Console.IsOutputRedirected;
    }

    /// <summary>Reports <paramref name="done"/> items scored so far.</summary>
    public void Report(long done)
    {
        if (!_live || _clock.ElapsedMilliseconds - _lastDraw < 100) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        double rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"scoring: {done:N0}{(_total > 0 ? $" of {_total:N0}" : "")} {_unit} ({rate:N0}/s)");
        _output.Write("\r" + line + new string(' ', Math.Max(0, _width - line.Length)));
        _width = line.Length;
    }

    /// <summary>Clears the live line before the summary is printed.</summary>
    public void Finish()
    {
        if (_live && _width > 0) _output.Write("\r" + new string(' ', _width) + "\r");
        _width = 0;
    }
}
