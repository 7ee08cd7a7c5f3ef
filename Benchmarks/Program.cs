using BenchmarkDotNet.Running;

namespace RocketNet.Benchmarks;

/// <summary>
/// Entry point. <c>quick WORKLOAD --threads N [--reps R]</c> runs the quick mode, <c>conv-layers</c> the per-layer
/// convolution report (<see cref="ConvLayerReport"/>), <c>winograd-layers</c> the implicit-GEMM vs Winograd
/// F(2×2, 3×3) vs F(4×4, 3×3) comparison (<see cref="WinogradLayerReport"/>), <c>serving</c> the shared-predictor
/// latency report (<see cref="ServingReport"/>), <c>onnx-serving</c> RocketNet against ONNX Runtime per serving
/// workload (<see cref="OnnxServingReport"/>), <c>vector128</c> the 128-bit GEMM against the 128-bit FMA peak
/// (<see cref="Vector128Report"/>); anything else goes to BenchmarkDotNet (e.g.
/// <c>--filter '*Gemm*'</c>, <c>--job Dry</c>).
/// </summary>
public static class Program
{
    /// <summary>Runs the quick mode or the BenchmarkDotNet suites.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick") return QuickMode.Run(args[1..], Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "conv-layers")
            return ConvLayerReport.Run(args[1..], Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "winograd-layers")
            return WinogradLayerReport.Run(args[1..], Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "vector128")
            return Vector128Report.Run(args[1..], Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "serving") return ServingReport.Run(args[1..], Console.Out, Console.Error);
        if (args.Length > 0 && args[0] == "onnx-serving")
            return OnnxServingReport.Run(args[1..], Console.Out, Console.Error);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
