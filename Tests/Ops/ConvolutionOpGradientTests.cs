using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Ops;

/// <summary>Conv2d, the pools and batch norm as autograd ops (their kernels are checked in Tests/Kernels).</summary>
public class ConvolutionOpGradientTests
{
    private static Gen<(int N, int C, int H, int W, int O, int K, int Stride, int Pad, bool Bias, int Seed)> ConvCases =>
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from h in Gen.Choose(3, 6)
        from w in Gen.Choose(3, 6)
        from o in Gen.Choose(1, 3)
        from k in Gen.Elements(1, 3)
        from stride in Gen.Elements(1, 2)
        from pad in Gen.Choose(0, k / 2 + 1)
        from bias in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (n, c, h, w, o, k, stride, pad, bias, seed);

    /// <summary>Input, weight and bias of a case, and the generator for anything else it needs.</summary>
    private static (Tensor X, Tensor W, Tensor B, RandomGenerator Rng) Operands((int N, int C, int H, int W, int O, int K, int Stride, int Pad, bool Bias, int Seed) c)
    {
        var rng = new RandomGenerator((ulong)c.Seed);
        return (TestData.Uniform([c.N, c.C, c.H, c.W], rng), TestData.Uniform([c.O, c.C, c.K, c.K], rng), TestData.Uniform([c.O], rng), rng);
    }

    [Property(MaxTest = 30)]
    public Property Conv2d() =>
        TestData.ForAll(ConvCases, c =>
        {
            var (x, w, b, _) = Operands(c);
            string what = $"Conv2d x[{c.N},{c.C},{c.H},{c.W}] w[{c.O},{c.C},{c.K},{c.K}] stride {c.Stride} pad {c.Pad}";
            if (c.Bias) GradientCheck.Assert(t => Functional.Conv2d(t[0], t[1], t[2], c.Stride, c.Pad), [x, w, b], (ulong)c.Seed, what: what);
            else GradientCheck.Assert(t => Functional.Conv2d(t[0], t[1], null, c.Stride, c.Pad), [x, w], (ulong)c.Seed, what: what);
        });

    [Property(MaxTest = 30)]
    public Property Conv2dAddMatchesConvPlusResidualAndItsGradients() =>
        TestData.ForAll(ConvCases, c =>
        {
            var (x, w, b, rng) = Operands(c);
            var plain = Functional.Conv2d(x, w, c.Bias ? b : null, c.Stride, c.Pad);
            var r = TestData.Uniform(plain.Shape.ToArray(), rng);
            var expected = (plain + r).ToArray();
            var fused = Functional.Conv2dAdd(x, w, r, c.Bias ? b : null, c.Stride, c.Pad).ToArray();
            Xunit.Assert.Equal(expected, fused); // the residual is added to each finished tile: the same sums
            string what = $"Conv2dAdd x[{c.N},{c.C},{c.H},{c.W}] w[{c.O},{c.C},{c.K},{c.K}] stride {c.Stride} pad {c.Pad}";
            if (c.Bias) GradientCheck.Assert(t => Functional.Conv2dAdd(t[0], t[1], t[3], t[2], c.Stride, c.Pad), [x, w, b, r], (ulong)c.Seed, what: what);
            else GradientCheck.Assert(t => Functional.Conv2dAdd(t[0], t[1], t[2], null, c.Stride, c.Pad), [x, w, r], (ulong)c.Seed, what: what);
        });

    [Fact]
    public void Conv2dAddRejectsAResidualOfAnotherShapeNamingBoth()
    {
        var rng = new RandomGenerator(3);
        var ex = Assert.Throws<ArgumentException>(() =>
            Functional.Conv2dAdd(Tensor.RandomNormal([1, 2, 4, 4], rng), Tensor.RandomNormal([3, 2, 3, 3], rng), Tensor.Zeros(1, 3, 4, 3), padding: 1));
        Assert.Contains("[1, 3, 4, 4]", ex.Message);
        Assert.Contains("[1, 3, 4, 3]", ex.Message);
    }

    /// <summary>Pooling geometries: windows 1-3, padding up to half the window (also used by ReluMaxPoolTests).</summary>
    internal static Gen<(int N, int C, int H, int W, int K, int Stride, int Pad, int Seed)> PoolCasesUpTo(
        int minSide, int maxHeight, int maxWidth, int maxStride) =>
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from h in Gen.Choose(minSide, maxHeight)
        from w in Gen.Choose(minSide, maxWidth)
        from k in Gen.Choose(1, 3)
        from stride in Gen.Choose(1, maxStride)
        from pad in Gen.Choose(0, k / 2)
        from seed in TestData.Seed
        select (n, c, h, w, k, stride, pad, seed);

    private static Gen<(int N, int C, int H, int W, int K, int Stride, int Pad, int Seed)> PoolCases =>
        PoolCasesUpTo(minSide: 3, maxHeight: 7, maxWidth: 7, maxStride: 2);

    [Property(MaxTest = 30)]
    public Property MaxPool2d() =>
        TestData.ForAll(PoolCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Distinct([c.N, c.C, c.H, c.W], rng); // no ties: max is differentiable
            GradientCheck.Assert(t => Functional.MaxPool2d(t[0], c.K, c.Stride, c.Pad), [x], (ulong)c.Seed,
                what: $"MaxPool2d k{c.K} s{c.Stride} p{c.Pad} on [{c.N},{c.C},{c.H},{c.W}]");
        });

    [Property(MaxTest = 30)]
    public Property AvgPool2d() =>
        TestData.ForAll(PoolCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform([c.N, c.C, c.H, c.W], rng);
            GradientCheck.Assert(t => Functional.AvgPool2d(t[0], c.K, c.Stride, c.Pad), [x], (ulong)c.Seed,
                what: $"AvgPool2d k{c.K} s{c.Stride} p{c.Pad} on [{c.N},{c.C},{c.H},{c.W}]");
        });

    [Property(MaxTest = 20)]
    public Property GlobalAvgPool2d() =>
        TestData.ForAll(from shape in TestData.Shape(4, 4) from seed in TestData.Seed select (shape, seed), c =>
        {
            var rng = new RandomGenerator((ulong)c.seed);
            var x = TestData.Uniform(c.shape, rng);
            GradientCheck.Assert(t => Functional.GlobalAvgPool2d(t[0]), [x], (ulong)c.seed, what: "GlobalAvgPool2d");
        });

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
                t => Functional.BatchNorm(t[0], t[1], t[2], runningMean, runningVar, c.Training, momentum: c.Training ? 0.1f : 0f),
                [x, gamma, beta], (ulong)c.Seed, what: $"BatchNorm {(c.Training ? "training" : "eval")} on [{string.Join(",", c.Shape)}]");
        });

    [Fact]
    public void BatchNormUpdatesRunningStatisticsLikePyTorch()
    {
        // Channel 0 holds 1, 2, 3, 4: mean 2.5, unbiased variance 5/3.
        var x = Tensor.FromArray([1, 2, 3, 4], 4, 1);
        var runningMean = Tensor.Zeros(1);
        var runningVar = Tensor.Ones(1);
        var y = Functional.BatchNorm(x, Tensor.Ones(1), Tensor.Zeros(1), runningMean, runningVar, training: true, momentum: 0.1f);
        Assert.Equal(0.25f, runningMean.Data[0], 1e-6f);
        Assert.Equal(0.9f + 0.1f * 5f / 3f, runningVar.Data[0], 1e-6f);
        // Normalised with the biased variance 1.25.
        Assert.Equal((1 - 2.5f) / MathF.Sqrt(1.25f + 1e-5f), y.Data[0], 1e-5f);
    }

    [Fact]
    public void ConvolutionShapeMismatchNamesBothShapes()
    {
        var x = Tensor.Zeros(1, 3, 8, 8);
        var w = Tensor.Zeros(4, 2, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Functional.Conv2d(x, w));
        Assert.Contains("[1, 3, 8, 8]", e.Message);
        Assert.Contains("[4, 2, 3, 3]", e.Message);
    }
}
