using BenchmarkDotNet.Attributes;
using RocketNet.Benchmarks.Workloads;

namespace RocketNet.Benchmarks;

/// <summary>
/// One full training step (forward, loss, backward, SGD momentum) of the MLP and the small CNN, at 1 and
/// 2 threads. The memory diagnoser shows what a steady-state step allocates.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TrainingStepBenchmarks
{
    private IWorkload _mlp = null!, _cnn = null!;

    /// <summary>Engine thread count.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the networks.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Parallelism.ThreadCount = Threads;
        _mlp = new MlpWorkload();
        _cnn = new CnnWorkload();
    }

    /// <summary>MLP 784-1024-1024-10, batch 128.</summary>
    [Benchmark]
    public void MlpStep() => _mlp.Run();

    /// <summary>CNN on 3×32×32, batch 64.</summary>
    [Benchmark]
    public void CnnStep() => _cnn.Run();
}
