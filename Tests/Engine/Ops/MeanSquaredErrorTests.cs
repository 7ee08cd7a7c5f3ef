using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Mean squared error: gradients and shape errors.</summary>
public class MeanSquaredErrorTests
{
    private static Gen<(int[] Shape, Reduction Reduction, int Seed)> MseCases =>
        from shape in TestData.Shape(1, 4)
        from reduction in Gen.Elements(Reduction.Mean, Reduction.Sum)
        from seed in TestData.Seed
        select (shape, reduction, seed);

    [Property(MaxTest = 40)]
    public Property MeanSquaredError() =>
        TestData.ForAll(MseCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var a = TestData.Uniform(c.Shape, rng);
            var b = TestData.Uniform(c.Shape, rng);
            double expected = 0;
            for (int i = 0; i < a.Count; i++) expected += Math.Pow(a.Data[i] - b.Data[i], 2);
            if (c.Reduction == Reduction.Mean) expected /= a.Count;
            float actual = Functional.MseLoss(a, b, c.Reduction).Item();
            if (Math.Abs(actual - expected) > 1e-4 * Math.Max(1, expected))
                throw new Exception($"MSE = {actual}, expected {expected}");
            GradientCheck.Assert(t => Functional.MseLoss(t[0], t[1], c.Reduction), [a, b], (ulong)c.Seed,
                what: $"MseLoss {c.Reduction}");
        });

    [Fact]
    public void MseShapeMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MseLoss(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
    }
}
