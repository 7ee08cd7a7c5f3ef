using RocketNet.Kernels;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>C = A·B for square n×n matrices of standard normal values (2n³ flops).</summary>
public sealed class GemmWorkload : IWorkload
{
    private readonly int _n;
    private readonly float[] _a, _b, _c;

    /// <summary>Prepares the matrices.</summary>
    public GemmWorkload(int n)
    {
        _n = n;
        var random = new RandomGenerator(0);
        _a = new float[n * n];
        _b = new float[n * n];
        _c = new float[n * n];
        random.FillNormal(_a);
        random.FillNormal(_b);
    }

    /// <inheritdoc />
    public string Name => $"gemm{_n}";

    /// <inheritdoc />
    public double? FlopsPerRun => 2.0 * _n * _n * _n;

    /// <inheritdoc />
    public void Run() => Gemm.Multiply(_a, _b, _c, _n, _n, _n);
}
