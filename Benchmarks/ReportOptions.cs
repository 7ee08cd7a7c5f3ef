using System.Globalization;

namespace RocketNet.Benchmarks;

/// <summary>The options of the per-layer reports (<c>conv-layers</c>, <c>winograd-layers</c>).</summary>
internal static class ReportOptions
{
    /// <summary>
    /// Reads <c>--threads N</c> (default: <see cref="Parallelism.ThreadCount"/>) and <c>--reps R</c> (default
    /// <paramref name="defaultReps"/>), both positive integers; on anything else writes an error naming
    /// <paramref name="command"/> and what it got, and returns false.
    /// </summary>
    public static bool TryParse(string command, string[] args, int defaultReps, TextWriter error, out int threads,
        out int reps)
    {
        (threads, reps) = (Parallelism.ThreadCount, defaultReps);
        for (int i = 0; i < args.Length; i++)
        {
            bool known = (args[i] is "--threads" or "--reps") && i + 1 < args.Length;
            int value = 0;
            if (!known || !int.TryParse(args[++i], CultureInfo.InvariantCulture, out value) || value < 1)
            {
                error.WriteLine($"error: {command} takes --threads N and --reps R (positive integers), got " +
                    $"'{string.Join(' ', args)}'.");
                return false;
            }
            if (args[i - 1] == "--threads") threads = value; else reps = value;
        }
        return true;
    }
}
