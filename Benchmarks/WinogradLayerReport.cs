using System.Diagnostics;
using System.Globalization;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// <c>winograd-layers [--threads N] [--reps R] [--batch B]</c>: the forward and the input gradient of every 3×3
/// stride-1 pad-1 convolution shape of the Wide-ResNet workloads (width 1, batch 128, CIFAR 32×32; two wider shapes for
/// comparison) with the implicit-GEMM kernel, Winograd F(2×2, 3×3) and Winograd F(4×4, 3×3), timed in rotating
/// and reversing order (ABC, CBA, BCA, ACB, ...) so that load from other processes hits all alike, then (a second
/// table) their weight gradients with the packed-tile kernel and with Winograd F(2×2, 3×3), alternated; prints the
/// median times and the effective GFLOP/s (direct convolution's 2·N·O·H·W·C·9 flops divided by the time) as
/// markdown tables. <c>--batch B</c> (default 128) times another batch, e.g. 1 for serving's kernel choice;
/// <c>--prepared</c> times the forward pass only, each kernel with its weights prepared once
/// (<see cref="PreparedConvolution"/>) as the serving plan runs it. With the width capped at 128
/// (<c>ROCKETNET_MAX_VECTOR_BITS=128</c>: the paths ARM64 runs) it compares im2col + GEMM with the 128-bit Winograd
/// bodies instead: F(4×4, 3×3) forward and input gradient, F(2×2, 3×3) weight gradient.
/// </summary>
public static class WinogradLayerReport
{
    /// <summary>The layer shapes: (name, C, O, H = W).</summary>
    internal static readonly (string Name, int InChannels, int OutChannels, int Size)[] Layers =
    [
        ("stem 3→16, 32×32", 3, 16, 32),
        ("16→16, 32×32", 16, 16, 32),
        ("32→32, 16×16", 32, 32, 16),
        ("64→64, 8×8", 64, 64, 8),
        ("128→128, 16×16 (WRN-16-4 width)", 128, 128, 16),
        ("256→256, 8×8 (WRN-16-4 width)", 256, 256, 8),
    ];

    /// <summary>Parses the options, measures, prints; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        int batch = 128;
        int batchAt = Array.IndexOf(args, "--batch");
        if (batchAt >= 0)
        {
            if (batchAt + 1 >= args.Length || !int.TryParse(args[batchAt + 1], CultureInfo.InvariantCulture, out batch)
                || batch < 1)
            {
                error.WriteLine(
                    $"error: winograd-layers --batch needs a positive integer, got '{string.Join(' ', args)}'.");
                return 2;
            }
            args = [.. args[..batchAt], .. args[(batchAt + 2)..]];
        }
        bool prepared = args.Contains("--prepared");
        args = [.. args.Where(arg => arg != "--prepared")];
        if (!ReportOptions.TryParse("winograd-layers", args, 21, error, out int threads, out int reps)) return 2;
        bool capped = !ImplicitConvolution.Available && WinogradF43Convolution.Available;
        if (!capped && (!WinogradF23Convolution.Available || !ImplicitConvolution.Available))
        {
            error.WriteLine("error: winograd-layers compares AVX-512 kernels (or, under " +
                "ROCKETNET_MAX_VECTOR_BITS=128, the 128-bit Winograd bodies); this machine has neither.");
            return 1;
        }
        Parallelism.ThreadCount = threads;
        if (capped && !prepared)
        {
            Report128(batch, threads, reps, output);
            return 0;
        }
        output.WriteLine($"3×3 stride-1 pad-1 convolutions, batch {batch}, {threads} thread(s), median of {reps} " +
            "alternated runs. " + (prepared
                ? "Forward only, each kernel's weights prepared once (PreparedConvolution)."
                : "The input gradient is the forward kernel on the transposed geometry (O → C, the flipped kernel), " +
                "accumulating into gradX, without bias."));
        output.WriteLine();
        output.WriteLine("| layer | pass | implicit GEMM ms | F(2,3) ms | F(4,3) ms | implicit GFLOP/s | " +
            "F(2,3) effective GFLOP/s | F(4,3) effective GFLOP/s | F(2,3) speed-up | F(4,3) speed-up |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var layer in Layers)
        {
            var g = new ConvGeometry(batch, layer.InChannels, layer.Size, layer.Size, layer.OutChannels,
                3, 3, 1, 1, 1, 1);
            var transposed = g with { InChannels = g.OutChannels, OutChannels = g.InChannels };
            var passes = prepared
                ? new[] { ("forward, prepared", g, false) }
                : new[] { ("forward", g, false), ("input grad", transposed, true) };
            foreach (var (pass, geometry, backward) in passes)
            {
                var (a, b, c) = prepared ? ComparePrepared(geometry, reps) : Compare(geometry, backward, reps);
                double flops = 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchLength;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {layer.Name} | {pass} | {a * 1e3:0.00} | {b * 1e3:0.00} | {c * 1e3:0.00} | " +
                    $"{flops / a / 1e9:0.0} | {flops / b / 1e9:0.0} | {flops / c / 1e9:0.0} | {a / b:0.00}× | " +
                    $"{a / c:0.00}× |"));
            }
        }
        if (!prepared) WeightGradientTable(batch, reps, output);
        return 0;
    }

    /// <summary>
    /// The 128-bit paths: per layer, im2col + GEMM against F(4×4, 3×3) for the forward and the input gradient (the
    /// forward of the transposed geometry, accumulating), then the weight gradients
    /// (<see cref="WeightGradientTable"/>).
    /// </summary>
    private static unsafe void Report128(int batch, int threads, int reps, TextWriter output)
    {
        output.WriteLine($"128-bit paths: 3×3 stride-1 pad-1 convolutions, batch {batch}, {threads} thread(s), " +
            $"median of {reps} alternated runs.");
        output.WriteLine();
        output.WriteLine("| layer | pass | im2col ms | F(4,3) ms | im2col GFLOP/s | F(4,3) effective GFLOP/s | " +
            "speed-up |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var layer in Layers)
        {
            var g = new ConvGeometry(batch, layer.InChannels, layer.Size, layer.Size, layer.OutChannels,
                3, 3, 1, 1, 1, 1);
            var transposed = g with { InChannels = g.OutChannels, OutChannels = g.InChannels };
            var passes = new[] { ("forward", g, false), ("input grad", transposed, true) };
            foreach (var (pass, geometry, backward) in passes)
            {
                var random = new Random(5);
                float[] x = BenchmarkData.Uniform(random, geometry.InputLength);
                float[] w = BenchmarkData.Uniform(random, geometry.WeightLength);
                float[] bias = backward ? [] : BenchmarkData.Uniform(random, geometry.OutChannels);
                float[] y = new float[geometry.OutputLength];
                var (a, b) = Alternate(reps,
                    () => ConvolutionKernels.ForwardIm2Col(geometry, x, w, bias, y, default),
                    () => WinogradF43Convolution.Forward(geometry, x, w, bias, y, accumulate: backward));
                double flops = 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchLength;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {layer.Name} | {pass} | {a * 1e3:0.00} | {b * 1e3:0.00} | {flops / a / 1e9:0.0} | " +
                    $"{flops / b / 1e9:0.0} | {a / b:0.00}× |"));
            }
        }
        WeightGradientTable(batch, reps, output, "im2col");
    }

    /// <summary>
    /// Median seconds of y = conv(x, w) + bias on the implicit, F(2×2, 3×3) and F(4×4, 3×3) kernels, each with its
    /// weights prepared once (packed panels, transformed filters), rotated as in <see cref="Compare"/>.
    /// </summary>
    private static (double Implicit, double F23, double F43) ComparePrepared(ConvGeometry g, int reps)
    {
        var random = new Random(5);
        float[] x = BenchmarkData.Uniform(random, g.InputLength), w = BenchmarkData.Uniform(random, g.WeightLength);
        float[] bias = BenchmarkData.Uniform(random, g.OutChannels), y = new float[g.OutputLength];
        var convolutions = new[]
        {
            ConvolutionKernels.ForwardKernel.ImplicitGemm, ConvolutionKernels.ForwardKernel.WinogradF23,
            ConvolutionKernels.ForwardKernel.WinogradF43,
        }.Select(kernel => new PreparedConvolution(kernel, g, w, bias)).ToArray();
        Action[] kernels = [.. convolutions.Select(c => (Action)(() => c.Forward(g.Batch, x, y)))];
        return Rotate(kernels, reps);
    }

    /// <summary>
    /// The weight gradient of the same layers: the direct kernel the dispatcher otherwise takes (packed tiles on
    /// AVX-512, <paramref name="direct"/> names it) against Winograd F(2×2, 3×3), both adding into gradW, alternated
    /// as above.
    /// </summary>
    private static unsafe void WeightGradientTable(int batch, int reps, TextWriter output,
        string direct = "packed tiles")
    {
        output.WriteLine();
        output.WriteLine($"| layer | pass | {direct} ms | Winograd ms | {direct} GFLOP/s | " +
            "Winograd effective GFLOP/s | speed-up |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var layer in Layers)
        {
            var g = new ConvGeometry(batch, layer.InChannels, layer.Size, layer.Size, layer.OutChannels,
                3, 3, 1, 1, 1, 1);
            var random = new Random(6);
            float[] x = BenchmarkData.Uniform(random, g.InputLength);
            float[] gradY = BenchmarkData.Uniform(random, g.OutputLength), gradW = new float[g.WeightLength];
            var (a, b) = Alternate(reps,
                () => ConvolutionKernels.BackwardWeightDirect(g, x, gradY, gradW),
                () => WinogradF23WeightGradient.BackwardWeight(g, x, gradY, gradW));
            double flops = 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchLength;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {layer.Name} | weight grad | {a * 1e3:0.00} | {b * 1e3:0.00} | {flops / a / 1e9:0.0} | " +
                $"{flops / b / 1e9:0.0} | {a / b:0.00}× |"));
        }
    }

    /// <summary>Median seconds of two kernels, each warmed up, then timed in alternating order.</summary>
    private static (double First, double Second) Alternate(int reps, Action first, Action second)
    {
        var firstTimes = new double[reps];
        var secondTimes = new double[reps];
        for (int warm = 0; warm < 3; warm++) { first(); second(); }
        for (int r = 0; r < reps; r++)
        {
            if (r % 2 == 0) { firstTimes[r] = Time(first); secondTimes[r] = Time(second); }
            else { secondTimes[r] = Time(second); firstTimes[r] = Time(first); }
        }
        return (Median(firstTimes), Median(secondTimes));
    }

    /// <summary>
    /// Median seconds of the implicit, the F(2×2, 3×3) and the F(4×4, 3×3) kernel on <paramref name="g"/>:
    /// y = conv(x, w) + bias, or (<paramref name="backward"/>) y += conv(x, w), the input gradient's form.
    /// </summary>
    private static unsafe (double Implicit, double F23, double F43) Compare(ConvGeometry g, bool backward, int reps)
    {
        var random = new Random(5);
        float[] x = BenchmarkData.Uniform(random, g.InputLength), w = BenchmarkData.Uniform(random, g.WeightLength);
        float[] bias = BenchmarkData.Uniform(random, g.OutChannels), y = new float[g.OutputLength];
        fixed (float* xp = x, wp = w, bp = bias, yp = y)
        {
            float* xs = xp, ws = wp, bs = backward ? null : bp, ys = yp;
            Action[] kernels =
            [
                () => ImplicitConvolution.Run(g, xs, ws, bs, ys, accumulate: backward),
                () => WinogradF23Convolution.Run(g, xs, ws, bs, ys, accumulate: backward),
                () => WinogradF43Convolution.Run(g, xs, ws, bs, ys, accumulate: backward),
            ];
            return Rotate(kernels, reps);
        }
    }

    /// <summary>Median seconds of three kernels, warmed up, then timed in rotating and reversing order.</summary>
    private static (double First, double Second, double Third) Rotate(Action[] kernels, int reps)
    {
        var times = new double[3][];
        for (int k = 0; k < 3; k++) times[k] = new double[reps];
        for (int warm = 0; warm < 3; warm++)
            foreach (var kernel in kernels) kernel();
        for (int r = 0; r < reps; r++)
            for (int step = 0; step < 3; step++)
            {
                // Rotate the first kernel and reverse every other round, so that no kernel always runs with
                // the same predecessor's data in cache.
                int k = (r / 2 + (r % 2 == 0 ? step : 2 - step)) % 3;
                times[k][r] = Time(kernels[k]);
            }
        return (Median(times[0]), Median(times[1]), Median(times[2]));
    }

    private static double Time(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(double[] times)
    {
        var sorted = (double[])times.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }
}
