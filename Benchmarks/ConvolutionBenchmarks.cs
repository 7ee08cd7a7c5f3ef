using BenchmarkDotNet.Attributes;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// One training step's worth of a 3×3, stride-1, pad-1 convolution: forward, backward-input and
/// backward-weight (with bias) on shapes from the small CNN and Wide ResNet workloads.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ConvolutionBenchmarks
{
    private float[] _x = [], _w = [], _bias = [], _y = [], _gradX = [], _gradW = [], _gradBias = [];
    private ConvGeometry _geometry;

    /// <summary>Layer shape as "N,C→O,H×W".</summary>
    [Params("128,16->16,32x32", "64,3->32,32x32", "128,64->64,8x8")]
    public string Shape { get; set; } = "128,16->16,32x32";

    /// <summary>Value for <see cref="Parallelism.ThreadCount"/>.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Parses <see cref="Shape"/> and fills the tensors with seeded random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        // "N,C->O,HxW"
        string[] parts = Shape.Split(',');
        int n = int.Parse(parts[0]);
        string[] channels = parts[1].Split("->");
        string[] size = parts[2].Split('x');
        int c = int.Parse(channels[0]), o = int.Parse(channels[1]), h = int.Parse(size[0]), w = int.Parse(size[1]);
        _geometry = new ConvGeometry(n, c, h, w, o, 3, 3, 1, 1, 1, 1);
        _geometry.Validate();
        var random = new Random(1234);
        _x = BenchmarkData.Uniform(random, _geometry.InputLength);
        _w = BenchmarkData.Uniform(random, _geometry.WeightLength);
        _bias = BenchmarkData.Uniform(random, o);
        _y = new float[_geometry.OutputLength];
        _gradX = new float[_geometry.InputLength];
        _gradW = new float[_geometry.WeightLength];
        _gradBias = new float[o];
        Parallelism.ThreadCount = Threads;
    }

    /// <summary>Forward, then both backward passes (using y as a stand-in for ∂L/∂y).</summary>
    [Benchmark]
    public void ForwardAndBackward()
    {
        ConvolutionKernels.Forward(_geometry, _x, _w, _bias, _y);
        ConvolutionKernels.BackwardInput(_geometry, _y, _w, _gradX);
        ConvolutionKernels.BackwardWeight(_geometry, _x, _y, _gradW, _gradBias);
    }
}
