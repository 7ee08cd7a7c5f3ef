namespace RocketNet.Benchmarks;

/// <summary>Entry point: BenchmarkDotNet suites, or the quick mode.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks.</summary>
    public static int Main(string[] args)
    {
        return 0;
    }
}
