namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One repeatable unit of work (a GEMM, a training step). The quick mode and the BenchmarkDotNet
/// suites time the same objects, so both report the same thing.
/// </summary>
public interface IWorkload
{
    /// <summary>Workload name as used on the command line (e.g. "mlp").</summary>
    string Name { get; }

    /// <summary>Floating-point operations per <see cref="Run"/>, when meaningful (GEMM), else null.</summary>
    double? FlopsPerRun { get; }

    /// <summary>Performs the work once.</summary>
    void Run();
}
