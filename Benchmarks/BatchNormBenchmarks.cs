using BenchmarkDotNet.Attributes;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// One training step's worth of batch norm + ReLU: the training forward (batch statistics, saved scale and shift)
/// and the backward that recomputes the ReLU mask from x, on a BatchNorm1d shape (S = 1: eight channels per
/// vector) and on Wide-ResNet 2-d shapes (rows of 64 and 1024 values per channel and image).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class BatchNormBenchmarks
{
    private float[] _x = [], _y = [], _gradY = [], _gradX = [];
    private float[] _gamma = [], _beta = [], _mean = [], _invStd = [], _scale = [], _shift = [],
        _gradGamma = [], _gradBeta = [];
    private int _n, _c, _s;

    /// <summary>Input shape as "N,C,S" (S = H·W; 1 for BatchNorm1d).</summary>
    [Params("256,256,1", "128,64,64", "128,16,1024")]
    public string Shape { get; set; } = "256,256,1";

    /// <summary>Value for <see cref="Parallelism.ThreadCount"/>.</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Parses <see cref="Shape"/> and fills the buffers with seeded random data.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int[] parts = Array.ConvertAll(Shape.Split(','), int.Parse);
        (_n, _c, _s) = (parts[0], parts[1], parts[2]);
        var random = new Random(4321);
        int length = _n * _c * _s;
        _x = BenchmarkData.Uniform(random, length);
        _gradY = BenchmarkData.Uniform(random, length);
        _y = new float[length];
        _gradX = new float[length];
        _gamma = BenchmarkData.Uniform(random, _c);
        _beta = BenchmarkData.Uniform(random, _c);
        _mean = new float[_c]; _invStd = new float[_c]; _scale = new float[_c]; _shift = new float[_c];
        _gradGamma = new float[_c]; _gradBeta = new float[_c];
        Parallelism.ThreadCount = Threads;
    }

    /// <summary>
    /// Training forward with ReLU, then the backward with the mask recomputed from x (gradX overwritten).
    /// </summary>
    [Benchmark]
    public void ForwardAndBackward()
    {
        BatchNormReluKernels.ForwardTraining(_x, _gamma, _beta, _y, _mean, _invStd, [], [], _n, _c, _s, 0.1f, 1e-5f,
            _scale, _shift);
        BatchNormReluKernels.BackwardRecomputingMask(_x, _gradY, _gamma, _mean, _invStd, _scale, _shift, _gradX,
            _gradGamma, _gradBeta, _n, _c, _s, overwriteGradX: true);
    }
}
