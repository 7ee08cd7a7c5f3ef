using System.Diagnostics;
using System.Globalization;
using RocketNet.Benchmarks.Workloads;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>quick WORKLOAD --threads N [--reps R]</c>: warms a workload up, times R runs and prints one JSON
/// line with the median, for scripts (and the side-by-side comparison with the PyTorch peer, which
/// prints the same fields). Independent of BenchmarkDotNet's long runs.
/// </summary>
public static class QuickMode
{
    /// <summary>Parses the arguments after "quick", runs, prints; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? workloadName = null;
        int threads = Parallelism.ThreadCount, reps = 30;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], CultureInfo.InvariantCulture, out threads) || threads < 1)
                        return Fail(error, $"--threads needs a positive integer, got '{args[i]}'.");
                    break;
                case "--reps" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], CultureInfo.InvariantCulture, out reps) || reps < 1)
                        return Fail(error, $"--reps needs a positive integer, got '{args[i]}'.");
                    break;
                case "--threads" or "--reps":
                    return Fail(error, $"{args[i]} needs a value.");
                default:
                    if (args[i].StartsWith('-'))
                        return Fail(error, $"unknown option '{args[i]}' (expected --threads N, --reps R).");
                    if (workloadName is not null)
                        return Fail(error, $"only one workload per run, got '{workloadName}' and '{args[i]}'.");
                    workloadName = args[i];
                    break;
            }
        }
        if (workloadName is null)
            return Fail(error,
                "usage: quick WORKLOAD --threads N [--reps R]; workloads: " +
                $"{string.Join(", ", WorkloadCatalog.Names)}.");
        if (!WorkloadCatalog.Names.Contains(workloadName))
            return Fail(error,
                $"unknown workload '{workloadName}'; known: {string.Join(", ", WorkloadCatalog.Names)}.");

        Parallelism.ThreadCount = threads;
        var workload = WorkloadCatalog.Create(workloadName);
        double medianMs = MedianMilliseconds(workload, reps, out double bytesPerRun);
        var line =
            $"{{\"workload\":\"{workload.Name}\",\"threads\":{threads},\"median_ms\":" +
            $"{medianMs.ToString("0.####", CultureInfo.InvariantCulture)}";
        line += $",\"allocated_bytes_per_run\":{bytesPerRun.ToString("0", CultureInfo.InvariantCulture)}";
        if (workload.FlopsPerRun is double flops)
            line += $",\"gflops\":{(flops / (medianMs * 1e6)).ToString("0.0", CultureInfo.InvariantCulture)}";
        output.WriteLine(line + "}");
        return 0;
    }

    /// <summary>Median wall time of <paramref name="reps"/> runs after a warm-up of at least 10 runs and 1 s.</summary>
    public static double MedianMilliseconds(IWorkload workload, int reps) => MedianMilliseconds(workload, reps, out _);

    /// <summary>
    /// As <see cref="MedianMilliseconds(IWorkload, int)"/>, also giving the managed bytes allocated per timed run
    /// (all threads, steady state: the warm-up has filled every pool and cache).
    /// </summary>
    public static double MedianMilliseconds(IWorkload workload, int reps, out double allocatedBytesPerRun)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 10 || warm.Elapsed.TotalSeconds < 1; i++) workload.Run();
        var times = new double[reps];
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            workload.Run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        allocatedBytesPerRun = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / reps;
        Array.Sort(times);
        return reps % 2 == 1 ? times[reps / 2] : (times[reps / 2 - 1] + times[reps / 2]) / 2;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine("error: " + message);
        return 2;
    }
}
