using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>vector128 [--reps R]</c>: the 128-bit GEMM (the kernel ARM64 runs) against one core's 128-bit FMA peak on a
/// loaded machine. Each of R rounds times, back to back on one thread, one gemm512 with the kernels' width capped at
/// 128, one with no cap, and <see cref="Vector128GemmBenchmarks.FmaChains"/> doing the same 2·512³ operations as
/// 128-bit FMAs; a round's share of the peak is the peak's time over the GEMM's, so load that comes and goes
/// between rounds cancels. Prints the median time of each and the median (and quartiles) of the per-round shares.
/// The same three cases run in BenchmarkDotNet as <see cref="Vector128GemmBenchmarks"/>.
/// </summary>
public static class Vector128Report
{
    private const int Size = 512;

    /// <summary>Parses the options, measures, prints; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int reps = 31;
        if (args.Length != 0 && (args.Length != 2 || args[0] != "--reps" ||
            !int.TryParse(args[1], CultureInfo.InvariantCulture, out reps) || reps < 1))
        {
            error.WriteLine($"error: vector128 takes --reps R (a positive integer), got '{string.Join(' ', args)}'.");
            return 2;
        }
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
