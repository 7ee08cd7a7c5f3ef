using RocketNet.Kernels;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// The five large GEMMs of one <see cref="MlpWorkload"/> step (784-1024-1024-10, batch 128), back to back, each on
/// its own buffers as in the step: forward x[128, 784]·W1ᵀ and h1[128, 1024]·W2ᵀ, input gradient dh2·W2 (the first
/// layer's is not needed), weight gradients dh2ᵀ·h1 and dh1ᵀ·x (K = 128). 1.215 GFLOP. Timed beside "mlp" in one
/// sitting it gives the share of the step the GEMMs would take at their back-to-back speed; the rest is the other
/// ops, packing in colder caches, and the optimiser.
/// </summary>
public sealed class MlpGemmsWorkload : IWorkload
{
    private const int Batch = 128, Input = 784, Hidden = 1024;
    private readonly float[] _x, _w1, _h1, _w2, _h2, _dh2, _dh1, _dw1, _dw2;

    /// <summary>Fills the operands with standard normal values.</summary>
    public MlpGemmsWorkload()
    {
        var random = new RandomGenerator(0);
        float[] Normal(int length)
        {
            var values = new float[length];
            random.FillNormal(values);
            return values;
        }
        _x = Normal(Batch * Input);
        _w1 = Normal(Hidden * Input);
        _h1 = Normal(Batch * Hidden);
        _w2 = Normal(Hidden * Hidden);
        _h2 = new float[Batch * Hidden];
        _dh2 = Normal(Batch * Hidden);
        _dh1 = new float[Batch * Hidden];
        _dw1 = new float[Hidden * Input];
        _dw2 = new float[Hidden * Hidden];
    }

    /// <inheritdoc />
    public string Name => "mlp-gemms";

    /// <inheritdoc />
    public double? FlopsPerRun => 2.0 * Batch * Hidden * (2.0 * Input + 3.0 * Hidden);

    /// <inheritdoc />
    public void Run()
    {
        Gemm.Multiply(_x, _w1, _h1, Batch, Hidden, Input, transB: true);
        Gemm.Multiply(_h1, _w2, _h2, Batch, Hidden, Hidden, transB: true);
        Gemm.Multiply(_dh2, _w2, _dh1, Batch, Hidden, Hidden);
        Gemm.Multiply(_dh2, _h1, _dw2, Hidden, Hidden, Batch, transA: true);
        Gemm.Multiply(_dh1, _x, _dw1, Hidden, Input, Batch, transA: true);
    }
}
