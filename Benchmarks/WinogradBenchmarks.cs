using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// Forward 3×3 stride-1 pad-1 convolution on each Wide-ResNet layer shape (batch 128): the implicit-GEMM kernel
/// (called directly, whatever <see cref="ConvolutionKernels"/> dispatches to) against Winograd F(2×2, 3×3) and
/// F(4×4, 3×3).
/// The effective GFLOP/s column counts direct convolution's flops for both. <c>winograd-layers</c> is the quick
/// Stopwatch version of the same comparison.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[EffectiveConvolutionGflopsColumn]
public unsafe class WinogradBenchmarks
{
    private float[] _x = [], _w = [], _bias = [], _y = [];
    private ConvGeometry _geometry;

    /// <summary>Layer shape as "C->O,HxW" (batch 128).</summary>
    [Params("3->16,32x32", "16->16,32x32", "32->32,16x16", "64->64,8x8")]
    public string Shape { get; set; } = "16->16,32x32";

    /// <summary>Value for <see cref="Parallelism.ThreadCount"/>.</summary>
    [Params(1)]
    public int Threads { get; set; } = 1;

    /// <summary>Parses <see cref="Shape"/> and fills the tensors with seeded random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _geometry = Parse(Shape);
        _geometry.Validate();
        var random = new Random(1234);
        _x = BenchmarkData.Uniform(random, _geometry.InputLength);
        _w = BenchmarkData.Uniform(random, _geometry.WeightLength);
        _bias = BenchmarkData.Uniform(random, _geometry.OutChannels);
        _y = new float[_geometry.OutputLength];
        Parallelism.ThreadCount = Threads;
    }

    /// <summary>The implicit-GEMM forward kernel.</summary>
    [Benchmark(Baseline = true)]
    public void Implicit()
    {
        fixed (float* x = _x, w = _w, bias = _bias, y = _y)
            ImplicitConvolution.Run(_geometry, x, w, bias, y, accumulate: false);
    }

    /// <summary>The Winograd F(2×2, 3×3) forward kernel.</summary>
    [Benchmark]
    public void Winograd()
    {
        fixed (float* x = _x, w = _w, bias = _bias, y = _y)
            WinogradF23Convolution.Run(_geometry, x, w, bias, y, accumulate: false);
    }

    /// <summary>The Winograd F(4×4, 3×3) forward kernel.</summary>
    [Benchmark]
    public void WinogradF43()
    {
        fixed (float* x = _x, w = _w, bias = _bias, y = _y)
            WinogradF43Convolution.Run(_geometry, x, w, bias, y, accumulate: false);
    }

    /// <summary>"C->O,HxW" as a batch-128 3×3 stride-1 pad-1 geometry.</summary>
    internal static ConvGeometry Parse(string shape)
    {
        string[] parts = shape.Split(',');
        string[] channels = parts[0].Split("->");
        string[] size = parts[1].Split('x');
        int c = int.Parse(channels[0], CultureInfo.InvariantCulture);
        int o = int.Parse(channels[1], CultureInfo.InvariantCulture);
        int h = int.Parse(size[0], CultureInfo.InvariantCulture), w = int.Parse(size[1], CultureInfo.InvariantCulture);
        return new ConvGeometry(128, c, h, w, o, 3, 3, 1, 1, 1, 1);
    }
}

/// <summary>
/// Effective GFLOP/s of a <see cref="WinogradBenchmarks"/> case: direct convolution's 2·N·O·H·W·C·9 flops divided
/// by the median time, whatever algorithm ran.
/// </summary>
public sealed class EffectiveConvolutionGflopsColumn : FlopsColumn
{
    /// <inheritdoc />
    public override string Id => nameof(EffectiveConvolutionGflopsColumn);
    /// <inheritdoc />
    public override string ColumnName => "Effective GFLOP/s";
    /// <inheritdoc />
    public override string Legend => "Direct convolution's flops (2·N·O·H·W·C·9) divided by the median time";

    /// <inheritdoc />
    protected override double? Flops(BenchmarkCase benchmarkCase)
    {
        if (Parameter(benchmarkCase, "Shape") is not string text) return null;
        var g = WinogradBenchmarks.Parse(text);
        return 2.0 * g.Batch * g.OutChannels * g.OutHeight * g.OutWidth * g.PatchLength;
    }
}

/// <summary>Adds <see cref="EffectiveConvolutionGflopsColumn"/> to a benchmark class.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class EffectiveConvolutionGflopsColumnAttribute : ColumnConfigBaseAttribute
{
    /// <summary>Registers the column.</summary>
    public EffectiveConvolutionGflopsColumnAttribute() : base(new EffectiveConvolutionGflopsColumn()) { }
}
