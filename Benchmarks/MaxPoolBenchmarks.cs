using BenchmarkDotNet.Attributes;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// The ReLU max pool 2×2/2 of the cnn workload's three layers (batch 64), forward and backward (into a cleared
/// gradient, as the training step does). The backward writes whole vectors where the plane allows; before, it was a
/// scatter with a branch on the ReLU mask that half the windows fail at random.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MaxPoolBenchmarks
{
    private float[] _x = [], _y = [], _gradY = [], _gradX = [];
    private int[] _indices = [];
    private PoolGeometry _geometry;

    /// <summary>Input shape as "C,HxW" (batch 64).</summary>
    [Params("32,32x32", "64,16x16", "128,8x8")]
    public string Shape { get; set; } = "32,32x32";

    /// <summary>Builds the pool geometry and runs the forward once so that the backward has its indices.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split(',');
        int channels = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int size = int.Parse(parts[1].Split('x')[0], System.Globalization.CultureInfo.InvariantCulture);
        _geometry = new PoolGeometry(64, channels, size, size, 2, 2, 2, 2, 0, 0);
        var random = new Random(99);
        _x = BenchmarkData.Uniform(random, _geometry.InputLength);
        _gradY = BenchmarkData.Uniform(random, _geometry.OutputLength);
        _y = new float[_geometry.OutputLength];
        _indices = new int[_geometry.OutputLength];
        _gradX = new float[_geometry.InputLength];
        Parallelism.ThreadCount = 1;
        Forward();
    }

    /// <summary>Max pool of ReLU(x), with the winners' indices.</summary>
    [Benchmark]
    public void Forward() => PoolingKernels.MaxPoolForward(_geometry, _x, _y, _indices, relu: true);

    /// <summary>Its backward into a cleared gradient.</summary>
    [Benchmark]
    public void Backward() =>
        PoolingKernels.MaxPoolBackward(_geometry, _gradY, _indices, _gradX, accumulate: false, reluOutput: _y);
}
