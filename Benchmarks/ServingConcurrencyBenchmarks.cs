using BenchmarkDotNet.Attributes;
using RocketNet.Benchmarks.Workloads;

namespace RocketNet.Benchmarks;

/// <summary>
/// Throughput of one shared predictor under concurrent batch-1 requests (<see cref="SharedPredictorLoad"/>):
/// every invocation serves 1,024 requests split over 1, 2 or 4 caller threads, so the reported time is the
/// wall time per request (requests per second = 1 / mean). Per-request latency percentiles, which BenchmarkDotNet's
/// per-iteration statistics cannot give, come from <c>dotnet run --project Benchmarks -- serving</c>.
/// </summary>
[MedianColumn]
public class ServingConcurrencyBenchmarks
{
    private const int Requests = 1024;
    private SharedPredictorLoad _load = null!;
    private int _savedThreads;

    /// <summary>Caller threads sharing the predictor.</summary>
    [Params(1, 2, 4)]
    public int Callers { get; set; }

    /// <summary>Builds the predictor; the engine runs each request on its caller's thread.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _savedThreads = Parallelism.ThreadCount;
        Parallelism.ThreadCount = 1;
        _load = new SharedPredictorLoad();
    }

    /// <summary>Restores the thread count.</summary>
    [GlobalCleanup]
    public void Cleanup() => Parallelism.ThreadCount = _savedThreads;

    /// <summary>1,024 requests over <see cref="Callers"/> threads.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public TimeSpan ServeRequests() => _load.Run(Callers, Requests / Callers);
}
