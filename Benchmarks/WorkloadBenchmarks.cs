using BenchmarkDotNet.Attributes;
using RocketNet.Benchmarks.Workloads;

namespace RocketNet.Benchmarks;

/// <summary>
/// The quick-mode workloads under BenchmarkDotNet: training steps (MLP, CNN, WRN-16-1, WRN-40-1, the joint
/// rocket WRN step) and CTR light-tower inference (one sample, a batch of 256), each at 1 and 2 threads.
/// The memory diagnoser shows what a steady-state step or call allocates.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class WorkloadBenchmarks
{
    private IWorkload _workload = null!;
    private int _savedThreads;

    /// <summary>Workload name (as in <c>quick WORKLOAD</c>).</summary>
    [Params("mlp", "cnn", "wrn16-1", "wrn40-1", "rocket-wrn", "ctr-light-infer1", "ctr-light-infer256",
        "ctr-rocket-train", "ctr-rocket-train-dense")]
    public string Workload { get; set; } = "mlp";

    /// <summary>Engine thread count.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the workload and sets the thread count.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        _workload = WorkloadCatalog.Create(Workload);
    }

    /// <summary>Restores the thread count.</summary>
    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    /// <summary>One step or inference call.</summary>
    [Benchmark]
    public void Run() => _workload.Run();
}
