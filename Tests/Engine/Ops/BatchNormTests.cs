using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>
/// Batch norm as an autograd op: gradients and running statistics (kernels: Tests/Engine/Kernels/BatchNorm).
/// </summary>
public partial class BatchNormTests
{
    /// <summary>Input, weight and bias of a case, and the generator for anything else it needs.</summary>
    private static (Tensor X, Tensor W, Tensor B, RandomGenerator Rng) Operands((int N, int C, int H, int W, int O,
        int K, int Stride, int Pad, bool Bias, int Seed) c)
    {
        var rng = new RandomGenerator((ulong)c.Seed);
        return (TestData.Uniform([c.N, c.C, c.H, c.W], rng), TestData.Uniform([c.O, c.C, c.K, c.K], rng),
            TestData.Uniform([c.O], rng), rng);
    }

    private static Gen<(int[] Shape, bool Training, int Seed)> BatchNormCases =>
        from n in Gen.Choose(2, 4)
        from c in Gen.Choose(1, 3)
        from spatial in Gen.Elements(true, false)
        from h in Gen.Choose(1, 3)
        from w in Gen.Choose(1, 3)
        from training in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (spatial ? new[] { n, c, h, w } : new[] { n, c }, training, seed);

    [Property(MaxTest = 30)]
    public Property BatchNorm() =>
        TestData.ForAll(BatchNormCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            int channels = c.Shape[1];
            // Distinct values spaced at least 0.3 apart: two nearly equal values in a channel of two would
            // make the normalisation nearly singular, where finite differences with step h are meaningless.
            var x = TestData.Distinct(c.Shape, rng);
            System.Numerics.Tensors.TensorPrimitives.Multiply(x.Data, 10f, x.Data);
            var gamma = TestData.Uniform([channels], rng, 0.5f, 1.5f);
            var beta = TestData.Uniform([channels], rng);
            var runningMean = TestData.Uniform([channels], rng, -0.5f, 0.5f);
            var runningVar = TestData.Uniform([channels], rng, 0.5f, 2f);
            // Running statistics move on every training forward; the output does not depend on them in
            // training mode, and in eval mode momentum 0 keeps them fixed, so L is a fixed function of x, γ, β.
            GradientCheck.Assert(
                t => Functional.BatchNorm(t[0], t[1], t[2], runningMean, runningVar, c.Training,
                    momentum: c.Training ? 0.1f : 0f),
                [x, gamma, beta], (ulong)c.Seed,
                    what: $"BatchNorm {(c.Training ? "training" : "eval")} on [{string.Join(",", c.Shape)}]");
        });

    [Fact]
    public void BatchNormUpdatesRunningStatisticsLikePyTorch()
    {
        // Channel 0 holds 1, 2, 3, 4: mean 2.5, unbiased variance 5/3.
        var x = Tensor.FromArray([1, 2, 3, 4], 4, 1);
        var runningMean = Tensor.Zeros(1);
        var runningVar = Tensor.Ones(1);
        var y = Functional.BatchNorm(x, Tensor.Ones(1), Tensor.Zeros(1), runningMean, runningVar,
            training: true, momentum: 0.1f);
        Assert.Equal(0.25f, runningMean.Data[0], 1e-6f);
        Assert.Equal(0.9f + 0.1f * 5f / 3f, runningVar.Data[0], 1e-6f);
        // Normalised with the biased variance 1.25.
        Assert.Equal((1 - 2.5f) / MathF.Sqrt(1.25f + 1e-5f), y.Data[0], 1e-5f);
    }
}
