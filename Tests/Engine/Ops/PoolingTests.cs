using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Max, average and global-average pooling as autograd ops (kernels: Tests/Engine/Kernels/Pooling).</summary>
public partial class PoolingTests
{
    /// <summary>Input, weight and bias of a case, and the generator for anything else it needs.</summary>
    private static (Tensor X, Tensor W, Tensor B, RandomGenerator Rng) Operands((int N, int C, int H, int W, int O,
        int K, int Stride, int Pad, bool Bias, int Seed) c)
    {
        var rng = new RandomGenerator((ulong)c.Seed);
        return (TestData.Uniform([c.N, c.C, c.H, c.W], rng), TestData.Uniform([c.O, c.C, c.K, c.K], rng),
            TestData.Uniform([c.O], rng), rng);
    }

    /// <summary>
    /// Pooling geometries: windows 1-3, padding up to half the window (also used by the fused ReLU + max pool tests).
    /// </summary>
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
}
