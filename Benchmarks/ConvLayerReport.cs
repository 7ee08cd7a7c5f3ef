using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>conv-layers [--threads N] [--reps R]</c>: achieved GFLOP/s of every distinct convolution of a WRN-16-1
/// training step (batch 128, CIFAR 32×32) for each pass — forward, input gradient, weight gradient — next to
/// the machine's FMA peak measured in the same run, and the aggregate over the step's 15 convolutions (each
/// layer weighted by how often it occurs). Prints a markdown table. The stem's input gradient is not part of
/// a training step (the image needs none) and is not timed.
/// </summary>
public static class ConvLayerReport
{
    /// <summary>One conv shape of WRN-16-1 and how many of the step's convolutions have it.</summary>
    private readonly record struct Layer(string Name, int InChannels, int OutChannels, int Size, int Kernel, int Stride,
        int Count, bool NeedsInputGradient);

    private static readonly Layer[] WideResNet16Layers =
    [
        new("stem 3→16 3×3, 32×32", 3, 16, 32, 3, 1, 1, false),
        new("16→16 3×3, 32×32", 16, 16, 32, 3, 1, 4, true),
        new("16→32 3×3 s2, 32→16", 16, 32, 32, 3, 2, 1, true),
        new("16→32 1×1 s2 (shortcut)", 16, 32, 32, 1, 2, 1, true),
        new("32→32 3×3, 16×16", 32, 32, 16, 3, 1, 3, true),
        new("32→64 3×3 s2, 16→8", 32, 64, 16, 3, 2, 1, true),
        new("32→64 1×1 s2 (shortcut)", 32, 64, 16, 1, 2, 1, true),
        new("64→64 3×3, 8×8", 64, 64, 8, 3, 1, 3, true),
    ];

    /// <summary>Parses the options, measures, prints; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (!ReportOptions.TryParse("conv-layers", args, 15, error, out int threads, out int reps)) return 2;
        Parallelism.ThreadCount = threads;
        double peak = FmaPeakGflops() * threads;
        output.WriteLine(
            $"WRN-16-1 convolutions, batch 128, {threads} thread(s), median of {reps}; FMA peak " +
            $"measured now: {peak:0} GFLOP/s");
        output.WriteLine();
        output.WriteLine(
            "| layer | × | forward GFLOP/s | input grad GFLOP/s | weight grad GFLOP/s | all passes, % of peak |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        double totalFlops = 0, totalSeconds = 0;
        foreach (var layer in WideResNet16Layers)
        {
            var g = new ConvGeometry(128, layer.InChannels, layer.Size, layer.Size, layer.OutChannels,
                layer.Kernel, layer.Kernel,
                layer.Stride, layer.Stride, layer.Kernel / 2, layer.Kernel / 2);
            g.Validate();
            double flops = 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchLength;
            var random = new Random(5);
            float[] x = Filled(random, g.InputLength), w = Filled(random, g.WeightLength),
                gy = Filled(random, g.OutputLength);
            float[] y = new float[g.OutputLength], gx = new float[g.InputLength], gw = new float[g.WeightLength];
            double forward = Median(reps, () => ConvolutionKernels.Forward(g, x, w, [], y));
            double input = layer.NeedsInputGradient
                ? Median(reps, () => ConvolutionKernels.BackwardInput(g, gy, w, gx)) : 0;
            double weight = Median(reps, () => ConvolutionKernels.BackwardWeight(g, x, gy, gw, []));
            int passes = layer.NeedsInputGradient ? 3 : 2;
            double layerSeconds = forward + input + weight;
            totalFlops += layer.Count * passes * flops;
            totalSeconds += layer.Count * layerSeconds;
            string Rate(double seconds) => seconds > 0
                ? (flops / seconds / 1e9).ToString("0.0", CultureInfo.InvariantCulture) : "—";
            output.WriteLine($"| {layer.Name} | {layer.Count} | {Rate(forward)} | {Rate(input)} | {Rate(weight)} | " +
                $"{100 * passes * flops / layerSeconds / 1e9 / peak:0} % |");
        }
        double aggregate = totalFlops / totalSeconds / 1e9;
        output.WriteLine(
            $"| **all 15 convolutions of the step** | | | | | **{100 * aggregate / peak:0} %** ({aggregate:0.0} " +
            $"GFLOP/s, {totalSeconds * 1e3:0.0} ms) |");
        return 0;
    }

    private static float[] Filled(Random random, long length)
    {
        var values = new float[length];
        for (long i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Median seconds of <paramref name="reps"/> runs after two warm-up runs.</summary>
    private static double Median(int reps, Action run)
    {
        run();
        run();
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    /// <summary>
    /// One core's fp32 FMA throughput: 12 independent Vector512 (else Vector256) FMA chains, enough to cover the
    /// FMA latency on two ports, for about 0.2 s; the best of three tries.
    /// </summary>
    private static double FmaPeakGflops()
    {
        double best = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            const int iterations = 4_000_000;
            long start = Stopwatch.GetTimestamp();
            float sink = Vector512.IsHardwareAccelerated ? FmaLoop512(iterations) : FmaLoop256(iterations);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
            if (float.IsNaN(sink)) return double.NaN; // keeps the loop's result alive
            best = Math.Max(best, 12.0 * lanes * 2 * iterations / seconds / 1e9);
        }
        return best;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop512(int iterations)
    {
        Vector512<float> x = Vector512.Create(0.999999f), y = Vector512.Create(1e-7f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop256(int iterations)
    {
        Vector256<float> x = Vector256.Create(0.999999f), y = Vector256.Create(1e-7f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
