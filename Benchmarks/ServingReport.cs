using System.Diagnostics;
using System.Globalization;
using RocketNet.Benchmarks.Workloads;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>serving [--requests N] [--rounds R]</c>: one shared predictor answering batch-1 requests from 1, 2 and 4
/// threads (<see cref="SharedPredictorLoad"/>); prints requests per second and the p50 / p99 latency of single
/// requests, medians over R rounds of N requests per thread, as a markdown table.
/// </summary>
public static class ServingReport
{
    /// <summary>Parses the arguments after "serving", measures, prints; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int requests = 20_000, rounds = 5;
        for (int i = 0; i < args.Length; i++)
        {
            bool ok = i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture,
                out int value) && value > 0;
            switch (args[i])
            {
                case "--requests" when ok: requests = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rounds" when ok: rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    error.WriteLine(
                        $"serving: unexpected '{args[i]}' (expected --requests N, --rounds R with positive integers).");
                    return 2;
            }
        }
        int saved = Parallelism.ThreadCount;
        Parallelism.ThreadCount = 1;
        try
        {
            var load = new SharedPredictorLoad();
            load.Run(4, 2_000); // warm-up: JIT, thread pool, one scratch session per caller
            output.WriteLine(
                $"one shared predictor, CTR light tower 576-200-80-2, batch-1 requests; medians over {rounds} rounds " +
                $"of {requests:N0} requests per caller ({Environment.ProcessorCount} cores)");
            output.WriteLine("| callers | requests / s | p50 latency µs | p99 latency µs |");
            output.WriteLine("|---:|---:|---:|---:|");
            foreach (int callers in new[] { 1, 2, 4 })
            {
                var rates = new List<double>();
                var p50 = new List<double>();
                var p99 = new List<double>();
                var ticks = new long[callers * requests];
                for (int round = 0; round < rounds; round++)
                {
                    var elapsed = load.Run(callers, requests, ticks);
                    Array.Sort(ticks);
                    rates.Add(callers * requests / elapsed.TotalSeconds);
                    p50.Add(SharedPredictorLoad.Quantile(ticks, 0.50) * 1e6 / Stopwatch.Frequency);
                    p99.Add(SharedPredictorLoad.Quantile(ticks, 0.99) * 1e6 / Stopwatch.Frequency);
                }
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {callers} | {Median(rates):N0} | {Median(p50):F2} | {Median(p99):F2} |"));
            }
            return 0;
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
