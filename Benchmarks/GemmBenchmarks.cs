using BenchmarkDotNet.Attributes;
using RocketNet.Kernels;

namespace RocketNet.Benchmarks;

/// <summary>
/// Square single-precision GEMM, C = A·B with A, B, C all [Size x Size], on 1 and 2 threads.
/// GFLOP/s = 2·Size³ / time. Steady state should allocate nothing (see the memory columns).
/// </summary>
[MemoryDiagnoser]
[GflopsColumn]
[MedianColumn]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];
    private int _savedThreads;

    /// <summary>Matrix side length.</summary>
    [Params(256, 512, 1024)]
    public int Size { get; set; }

    /// <summary>Value for <see cref="Parallelism.ThreadCount"/> during the run.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Fills A and B with fixed pseudo-random values and sets the thread count.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _a = new float[Size * Size];
        _b = new float[Size * Size];
        _c = new float[Size * Size];
        for (int i = 0; i < _a.Length; i++)
        {
            _a[i] = (float)(random.NextDouble() * 2 - 1);
            _b[i] = (float)(random.NextDouble() * 2 - 1);
        }
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
    }

    /// <summary>Restores the thread count.</summary>
    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    /// <summary>One Size³ multiply.</summary>
    [Benchmark]
    public void Multiply() => Gemm.Multiply(_a, _b, _c, Size, Size, Size);
}
