using BenchmarkDotNet.Attributes;
using RocketNet.Benchmarks.Serving;

namespace RocketNet.Benchmarks;

/// <summary>
/// Serving against ONNX Runtime in one process (issue 32): each <see cref="ServingNet"/> workload, exported with
/// OnnxExporter and checked to agree (<see cref="ServingEngines"/>), timed in both engines at 1 and 2 threads.
/// RocketNet is the baseline, so the Ratio column is ONNX Runtime / RocketNet. Setup builds small nets only, so
/// the suite runs in seconds under <c>--job Dry</c>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OnnxServingBenchmarks
{
    private ServingEngines _engines = null!;
    private int _savedThreads;

    /// <summary>Workload name (<see cref="ServingNet.Names"/>).</summary>
    [ParamsSource(nameof(Workloads))]
    public string Workload { get; set; } = "ctr-b1";

    /// <summary>Threads of both engines.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>The workloads.</summary>
    public static IEnumerable<string> Workloads => ServingNet.Names;

    /// <summary>Builds and checks both engines.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = Threads;
        _engines = new ServingEngines(ServingNet.Create(Workload), Threads);
    }

    /// <summary>Releases the session and restores the thread count.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _engines.Dispose();
        Parallelism.ThreadCount = _savedThreads;
    }

    /// <summary>One RocketNet call.</summary>
    [Benchmark(Baseline = true)]
    public void RocketNet() => _engines.RunRocketNet();

    /// <summary>One ONNX Runtime call.</summary>
    [Benchmark]
    public void OnnxRuntime() => _engines.RunOnnxRuntime();
}
