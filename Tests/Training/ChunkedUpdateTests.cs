using RocketNet.Kernels;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Training.Optim;
using Xunit;

namespace RocketNet.Tests.Training;

/// <summary>
/// Large parameters are updated in 64K-element chunks spread over the threads: the result must be the bits of
/// one fused pass over the whole array (every element's update is independent) for any thread count.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class ChunkedUpdateTests
{
    // Two whole chunks and a partial third whose length is not a multiple of a vector.
    private const int Size = 2 * ChunkedUpdate.ChunkLength + 1_037;

    private static Optimizer Create(string kind, Tensor p) => kind switch
    {
        "sgd" => new Sgd([p], 0.1, weightDecay: 1e-3),
        "momentum" => new Sgd([p], 0.1, momentum: 0.9, weightDecay: 5e-4),
        "nesterov" => new Sgd([p], 0.1, momentum: 0.9, nesterov: true),
        "adam" => new Adam([p], 0.01, weightDecay: 0.1),
        _ => new AdamW([p], 0.01, weightDecay: 0.1),
    };

    /// <summary>Three steps of the optimiser; returns the parameter values.</summary>
    private static float[] ThreeSteps(string kind, int threads)
    {
        var random = new RandomGenerator(21);
        var p = Tensor.RandomNormal([Size], random).WithGrad();
        var optimizer = Create(kind, p);
        p.Grad = Tensor.Zeros(Size);
        KernelTestData.WithThreads(threads, () =>
        {
            for (int s = 0; s < 3; s++)
            {
                random.FillNormal(p.Grad.Data);
                optimizer.Step();
            }
        });
        return p.ToArray();
    }

    /// <summary>The same three steps as one FusedUpdates pass over the whole array per step.</summary>
    private static float[] ThreeStepsUnchunked(string kind)
    {
        var random = new RandomGenerator(21);
        var p = Tensor.RandomNormal([Size], random).ToArray();
        var g = new float[Size];
        float[] m = new float[Size], v = new float[Size];
        for (int s = 1; s <= 3; s++)
        {
            random.FillNormal(g);
            switch (kind)
            {
                case "sgd": FusedUpdates.Sgd(p, g, 0.1f, 1e-3f); break;
                case "momentum":
                    FusedUpdates.SgdMomentum(p, g, v, 0.1f, 5e-4f, 0.9f, nesterov: false,
                    firstStep: s == 1); break;
                case "nesterov":
                    FusedUpdates.SgdMomentum(p, g, v, 0.1f, 0f, 0.9f, nesterov: true,
                    firstStep: s == 1); break;
                default:
                    bool decoupled = kind == "adamw";
                    double c1 = 1 - Math.Pow(0.9, s), c2 = 1 - Math.Pow(0.999, s);
                    FusedUpdates.Adam(p, g, m, v,
                        new FusedUpdates.AdamArguments((float)(0.01 / c1), (float)Math.Sqrt(c2), 0.9f, 0.999f,
                        1e-8f, decoupled ? 0f : 0.1f, decoupled ? (float)(1 - 0.01 * 0.1) : 1f));
                    break;
            }
        }
        return p;
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void ChunkedUpdatesGiveTheWholeArraysBitsOnOneAndTwoThreads(string kind)
    {
        var expected = ThreeStepsUnchunked(kind);
        Assert.Equal(expected, ThreeSteps(kind, 1));
        Assert.Equal(expected, ThreeSteps(kind, 2));
    }
}
