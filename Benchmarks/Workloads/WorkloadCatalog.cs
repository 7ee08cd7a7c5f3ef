namespace RocketNet.Benchmarks.Workloads;

/// <summary>The named workloads of the quick mode (and of <c>rocketnet bench</c>).</summary>
public static class WorkloadCatalog
{
    /// <summary>Names accepted on the command line.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["gemm256", "gemm512", "gemm1024", "linear-forward", "linear-input-grad", "linear-weight-grad", "mlp",
            "mlp-gemms", "cnn", "wrn16-1", "wrn40-1", "rocket-wrn", "ctr-light-infer1", "ctr-light-infer256",
            "ctr-rocket-train", "ctr-rocket-train-dense", "clicklog-count-raw", "clicklog-count-decoded",
            "clicklog-seek-raw", "clicklog-seek-parsed"];

    /// <summary>Creates the workload called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static IWorkload Create(string name) => name switch
    {
        "gemm256" => new GemmWorkload(256),
        "gemm512" => new GemmWorkload(512),
        "gemm1024" => new GemmWorkload(1024),
        "linear-forward" => new LinearGemmWorkload("forward"),
        "linear-input-grad" => new LinearGemmWorkload("input-grad"),
        "linear-weight-grad" => new LinearGemmWorkload("weight-grad"),
        "mlp" => new MlpWorkload(),
        "mlp-gemms" => new MlpGemmsWorkload(),
        "cnn" => new CnnWorkload(),
        "wrn16-1" => new WideResNetWorkload(16, 1),
        "wrn40-1" => new WideResNetWorkload(40, 1),
        "rocket-wrn" => new RocketWideResNetWorkload(),
        "ctr-light-infer1" => new CtrInferenceWorkload(1),
        "ctr-light-infer256" => new CtrInferenceWorkload(256),
        "ctr-rocket-train" => new CtrRocketTrainWorkload(lazy: true),
        "ctr-rocket-train-dense" => new CtrRocketTrainWorkload(lazy: false),
        "clicklog-count-raw" => new ClickLogScanWorkload("count-raw"),
        "clicklog-count-decoded" => new ClickLogScanWorkload("count-decoded"),
        "clicklog-seek-raw" => new ClickLogScanWorkload("seek-raw"),
        "clicklog-seek-parsed" => new ClickLogScanWorkload("seek-parsed"),
        _ => throw new ArgumentException($"Unknown workload '{name}'. Known workloads: {string.Join(", ", Names)}."),
    };
}
