namespace RocketNet.Benchmarks.Workloads;

/// <summary>The named workloads of the quick mode (and of <c>rocketnet bench</c>).</summary>
public static class WorkloadCatalog
{
    /// <summary>Names accepted on the command line.</summary>
    public static IReadOnlyList<string> Names { get; } = ["gemm256", "gemm512", "gemm1024", "mlp", "cnn"];

    /// <summary>Creates the workload called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static IWorkload Create(string name) => name switch
    {
        "gemm256" => new GemmWorkload(256),
        "gemm512" => new GemmWorkload(512),
        "gemm1024" => new GemmWorkload(1024),
        "mlp" => new MlpWorkload(),
        "cnn" => new CnnWorkload(),
        _ => throw new ArgumentException($"Unknown workload '{name}'. Known workloads: {string.Join(", ", Names)}."),
    };
}
