using BenchmarkDotNet.Attributes;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// Weight gradient of a 3×3 stride-1 pad-1 convolution on each Wide-ResNet layer shape (batch 128): the packed-tile
/// kernel (what <see cref="ConvolutionKernels"/> runs below 32 channels) against Winograd F(2×2, 3×3), both adding
/// into gradW. The effective GFLOP/s column counts direct convolution's flops for both. The second table of
/// <c>winograd-layers</c> is the quick Stopwatch version.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[EffectiveConvolutionGflopsColumn]
public class WeightGradientBenchmarks
{
    private float[] _x = [], _gradY = [], _gradW = [];
    private ConvGeometry _geometry;

    /// <summary>Layer shape as "C->O,HxW" (batch 128).</summary>
    [Params("16->16,32x32", "32->32,16x16", "64->64,8x8")]
    public string Shape { get; set; } = "32->32,16x16";

    /// <summary>Value for <see cref="Parallelism.ThreadCount"/>.</summary>
    [Params(1)]
    public int Threads { get; set; } = 1;

    /// <summary>Parses <see cref="Shape"/> and fills the tensors with seeded random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _geometry = WinogradBenchmarks.Parse(Shape);
        var random = new Random(4321);
        _x = BenchmarkData.Uniform(random, _geometry.InputLength);
        _gradY = BenchmarkData.Uniform(random, _geometry.OutputLength);
        _gradW = new float[_geometry.WeightLength];
        Parallelism.ThreadCount = Threads;
    }

    /// <summary>The packed-tile weight gradient.</summary>
    [Benchmark(Baseline = true)]
    public void PackedTiles() => ConvolutionKernels.BackwardWeightDirect(_geometry, _x, _gradY, _gradW);

    /// <summary>The Winograd F(2×2, 3×3) weight gradient.</summary>
    [Benchmark]
    public void Winograd() => WinogradF23WeightGradient.BackwardWeight(_geometry, _x, _gradY, _gradW);
}
