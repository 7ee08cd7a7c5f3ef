using RocketNet.Kernels;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One of the three GEMMs of the MLP's first Linear layer (784 → 1024) at batch 128, as the layer calls them:
/// forward y[128, 1024] = x[128, 784]·Wᵀ (W [1024, 784]); input gradient dx[128, 784] = dy[128, 1024]·W; weight
/// gradient dW[1024, 784] = dyᵀ·x (K = 128). Each is 2·128·784·1024 flops; they show which of the three sets the
/// MLP step's time.
/// </summary>
public sealed class LinearGemmWorkload : IWorkload
{
    private const int Batch = 128, InFeatures = 784, OutFeatures = 1024;
    private readonly string _product;
    private readonly float[] _x, _w, _dy, _y, _dx, _dw;

    /// <summary>Prepares the operands for <paramref name="product"/>: "forward", "input-grad" or
    /// "weight-grad".</summary>
    /// <exception cref="ArgumentException">Another product name.</exception>
    public LinearGemmWorkload(string product)
    {
        if (product is not ("forward" or "input-grad" or "weight-grad"))
            throw new ArgumentException(
                $"Linear GEMM product must be forward, input-grad or weight-grad, got '{product}'.", nameof(product));
        _product = product;
        var random = new RandomGenerator(0);
        _x = new float[Batch * InFeatures];
        _w = new float[OutFeatures * InFeatures];
        _dy = new float[Batch * OutFeatures];
        random.FillNormal(_x);
        random.FillNormal(_w);
        random.FillNormal(_dy);
        _y = new float[Batch * OutFeatures];
        _dx = new float[Batch * InFeatures];
        _dw = new float[OutFeatures * InFeatures];
    }

    /// <inheritdoc />
    public string Name => "linear-" + _product;

    /// <inheritdoc />
    public double? FlopsPerRun => 2.0 * Batch * InFeatures * OutFeatures;

    /// <inheritdoc />
    public void Run()
    {
        switch (_product)
        {
            case "forward":
                Gemm.Multiply(_x, _w, _y, Batch, OutFeatures, InFeatures, transB: true);
                break;
            case "input-grad":
                Gemm.Multiply(_dy, _w, _dx, Batch, InFeatures, OutFeatures);
                break;
            default:
                Gemm.Multiply(_dy, _x, _dw, OutFeatures, InFeatures, Batch, transA: true);
                break;
        }
    }
}
