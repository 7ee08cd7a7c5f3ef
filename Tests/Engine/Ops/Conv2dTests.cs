using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>
/// Conv2d as an autograd op: gradients, the fused residual add, shape errors
/// (kernels: Tests/Engine/Kernels/Convolution).
/// </summary>
public class Conv2dTests
{
    private static Gen<(int N, int C, int H, int W, int O, int K, int Stride, int Pad, bool Bias,
        int Seed)> ConvCases =>
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
    private static (Tensor X, Tensor W, Tensor B, RandomGenerator Rng) Operands((int N, int C, int H, int W, int O,
        int K, int Stride, int Pad, bool Bias, int Seed) c)
    {
        var rng = new RandomGenerator((ulong)c.Seed);
        return (TestData.Uniform([c.N, c.C, c.H, c.W], rng), TestData.Uniform([c.O, c.C, c.K, c.K], rng),
            TestData.Uniform([c.O], rng), rng);
    }

    [Property(MaxTest = 30)]
    public Property Conv2d() =>
        TestData.ForAll(ConvCases, c =>
        {
            var (x, w, b, _) = Operands(c);
            string what = $"Conv2d x[{c.N},{c.C},{c.H},{c.W}] w[{c.O},{c.C},{c.K},{c.K}] stride {c.Stride} pad {c.Pad}";
            if (c.Bias) GradientCheck.Assert(t => Functional.Conv2d(t[0], t[1], t[2], c.Stride, c.Pad), [x, w, b],
                (ulong)c.Seed, what: what);
            else GradientCheck.Assert(t => Functional.Conv2d(t[0], t[1], null, c.Stride, c.Pad), [x, w],
                (ulong)c.Seed, what: what);
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
            string what =
                $"Conv2dAdd x[{c.N},{c.C},{c.H},{c.W}] w[{c.O},{c.C},{c.K},{c.K}] stride {c.Stride} pad {c.Pad}";
            if (c.Bias) GradientCheck.Assert(t => Functional.Conv2dAdd(t[0], t[1], t[3], t[2], c.Stride, c.Pad),
                [x, w, b, r], (ulong)c.Seed, what: what);
            else GradientCheck.Assert(t => Functional.Conv2dAdd(t[0], t[1], t[2], null, c.Stride, c.Pad), [x, w, r],
                (ulong)c.Seed, what: what);
        });

    [Fact]
    public void Conv2dAddRejectsAResidualOfAnotherShapeNamingBoth()
    {
        var rng = new RandomGenerator(3);
        var ex = Assert.Throws<ArgumentException>(() =>
            Functional.Conv2dAdd(Tensor.RandomNormal([1, 2, 4, 4], rng), Tensor.RandomNormal([3, 2, 3, 3], rng),
                Tensor.Zeros(1, 3, 4, 3), padding: 1));
        Assert.Contains("[1, 3, 4, 4]", ex.Message);
        Assert.Contains("[1, 3, 4, 3]", ex.Message);
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
