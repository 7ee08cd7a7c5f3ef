using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using RocketNet.Benchmarks.Workloads;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>vector128 [--reps R] [--workload NAME [--threads N]]</c>: the 128-bit GEMM (the kernel ARM64 runs) against
/// one core's 128-bit FMA peak on a loaded machine. Each of R rounds times, back to back on one thread, one gemm512
/// with the kernels' width capped at 128, one with no cap, and <see cref="Vector128GemmBenchmarks.FmaChains"/> doing
/// the same 2·512³ operations as 128-bit FMAs; a round's share of the peak is the peak's time over the GEMM's, so
/// load that comes and goes between rounds cancels. Prints the median time of each and the median (and quartiles) of
/// the per-round shares. The same three cases run in BenchmarkDotNet as <see cref="Vector128GemmBenchmarks"/>. With
/// a quick-mode workload (<c>--workload cnn</c>) it compares that workload's step capped at 128 and uncapped the
/// same way, on <c>--threads</c> threads (default 1).
/// </summary>
public static class Vector128Report
{
    private const int Size = 512;

    /// <summary>Parses the options, measures, prints; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int reps = 31, threads = 1;
        string? workloadName = null;
        for (int i = 0; i < args.Length; i++)
        {
            bool ok = i + 1 < args.Length && args[i] switch
            {
                "--reps" => int.TryParse(args[++i], CultureInfo.InvariantCulture, out reps) && reps >= 1,
                "--threads" => int.TryParse(args[++i], CultureInfo.InvariantCulture, out threads) && threads >= 1,
                "--workload" => WorkloadCatalog.Names.Contains(workloadName = args[++i]),
                _ => false,
            };
            if (!ok)
            {
                error.WriteLine("error: vector128 takes --reps R, --threads N (positive integers) and " +
                    $"--workload NAME ({string.Join(", ", WorkloadCatalog.Names)}), got '{string.Join(' ', args)}'.");
                return 2;
            }
        }
        if (workloadName is not null) return CompareSteps(workloadName, reps, threads, output);
        var random = new Random(42);
        float[] a = Filled(random, Size * Size), b = Filled(random, Size * Size), c = new float[Size * Size];
        int iterations = (int)((long)Size * Size * Size / (Vector128<float>.Count * Vector128GemmBenchmarks.Chains));
        int savedThreads = Parallelism.ThreadCount, savedBits = VectorWidth.MaxBits;
        var capped = new double[reps];
        var widest = new double[reps];
        var peak = new double[reps];
        var shares = new double[reps];
        string cappedKind = "", widestKind = "";
        try
        {
            Parallelism.ThreadCount = 1;
            for (int round = -3; round < reps; round++) // three warm-up rounds
            {
                VectorWidth.MaxBits = 128;
                cappedKind = Gemm.PackedKind.ToString();
                double cappedSeconds = Time(() => Gemm.Multiply(a, b, c, Size, Size, Size));
                VectorWidth.MaxBits = 512;
                widestKind = Gemm.PackedKind.ToString();
                double widestSeconds = Time(() => Gemm.Multiply(a, b, c, Size, Size, Size));
                double peakSeconds = Time(() => Vector128GemmBenchmarks.FmaChains(iterations));
                if (round < 0) continue;
                (capped[round], widest[round], peak[round]) = (cappedSeconds, widestSeconds, peakSeconds);
                shares[round] = peakSeconds / cappedSeconds;
            }
        }
        finally
        {
            (Parallelism.ThreadCount, VectorWidth.MaxBits) = (savedThreads, savedBits);
        }
        double flops = 2.0 * Size * Size * Size;
        string Rate(double[] seconds) =>
            (flops / Quantile(seconds, 0.5) / 1e9).ToString("0.0", CultureInfo.InvariantCulture);
        output.WriteLine($"gemm512 on one thread, {reps} interleaved rounds (median GFLOP/s):");
        output.WriteLine($"  width capped at 128 ({cappedKind} kernel): {Rate(capped)}");
        output.WriteLine($"  no cap ({widestKind} kernel): {Rate(widest)}");
        output.WriteLine($"  128-bit FMA peak (16 chains of Vector128.FusedMultiplyAdd): {Rate(peak)}");
        output.WriteLine(
            $"capped gemm512 as % of the 128-bit peak, per round: median {100 * Quantile(shares, 0.5):0.0} %, " +
            $"quartiles {100 * Quantile(shares, 0.25):0.0}–{100 * Quantile(shares, 0.75):0.0} %");
        return 0;
    }

    /// <summary>
    /// <c>--workload NAME</c>: one run of the workload with the width capped at 128 and one uncapped per round, each
    /// on its own instance built under its cap; prints the median times and the median per-round ratio.
    /// </summary>
    private static int CompareSteps(string name, int reps, int threads, TextWriter output)
    {
        int savedBits = VectorWidth.MaxBits, savedThreads = Parallelism.ThreadCount;
        var capped = new double[reps];
        var widest = new double[reps];
        var ratios = new double[reps];
        try
        {
            Parallelism.ThreadCount = threads;
            VectorWidth.MaxBits = 128;
            var cappedWorkload = WorkloadCatalog.Create(name);
            VectorWidth.MaxBits = 512;
            var widestWorkload = WorkloadCatalog.Create(name);
            for (int round = -3; round < reps; round++) // three warm-up rounds
            {
                VectorWidth.MaxBits = 128;
                double cappedSeconds = Time(cappedWorkload.Run);
                VectorWidth.MaxBits = 512;
                double widestSeconds = Time(widestWorkload.Run);
                if (round < 0) continue;
                (capped[round], widest[round]) = (cappedSeconds, widestSeconds);
                ratios[round] = cappedSeconds / widestSeconds;
            }
        }
        finally
        {
            (VectorWidth.MaxBits, Parallelism.ThreadCount) = (savedBits, savedThreads);
        }
        output.WriteLine($"{name} on {threads} thread(s), {reps} interleaved rounds: median " +
            $"{1e3 * Quantile(capped, 0.5):0.00} ms capped at 128, {1e3 * Quantile(widest, 0.5):0.00} ms uncapped; " +
            $"capped/uncapped per round: median {Quantile(ratios, 0.5):0.00}x, quartiles " +
            $"{Quantile(ratios, 0.25):0.00}–{Quantile(ratios, 0.75):0.00}x");
        return 0;
    }

    private static double Time(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>The <paramref name="q"/> quantile (nearest rank) of <paramref name="values"/>.</summary>
    private static double Quantile(double[] values, double q)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[(int)Math.Round(q * (sorted.Length - 1))];
    }

    private static float[] Filled(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }
}
