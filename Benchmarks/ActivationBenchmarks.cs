using BenchmarkDotNet.Attributes;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// SiLU against ReLU, forward and backward, on one Wide-ResNet activation (128 × 16 × 32 × 32 = 2 M floats) and
/// on one CTR tower's (256 × 200): what the smoother activation costs next to the one the paper's nets use.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ActivationBenchmarks
{
    private float[] _x = [], _y = [], _dy = [], _dx = [];

    /// <summary>Elements in the activation.</summary>
    [Params(51_200, 2_097_152)]
    public int Length { get; set; }

    /// <summary>Seeded inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1234);
        _x = BenchmarkData.Uniform(random, Length);
        _dy = BenchmarkData.Uniform(random, Length);
        _y = new float[Length];
        _dx = new float[Length];
    }

    /// <summary>ReLU forward and backward (the baseline).</summary>
    [Benchmark(Baseline = true)]
    public void Relu()
    {
        ElementwiseKernels.Relu(_x, _y);
        ElementwiseKernels.ReluBackward(_x, _dy, _dx);
    }

    /// <summary>SiLU forward and backward.</summary>
    [Benchmark]
    public void Silu()
    {
        SiluKernels.Forward(_x, _y);
        SiluKernels.Backward(_x, _dy, _dx);
    }
}
