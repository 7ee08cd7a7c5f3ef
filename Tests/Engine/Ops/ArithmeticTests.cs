using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Gradients of + − × ÷ over random broadcast-compatible shape pairs (scalars included).</summary>
public class ArithmeticTests
{
    private static Gen<((int[] A, int[] B) Shapes, int Seed)> Cases => TestData.BroadcastPair().Zip(TestData.Seed);

    private static Property Check(Func<Tensor, Tensor, Tensor> op, bool divisor, string name) =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var a = TestData.Uniform(c.Shapes.A, rng);
            var b = divisor ? TestData.AwayFromZero(c.Shapes.B, rng, 0.6f, 2f) : TestData.Uniform(c.Shapes.B, rng);
            GradientCheck.Assert(x => op(x[0], x[1]), [a, b], (ulong)c.Seed,
                what: $"{name} {Shapes.ShapeMath.Format(c.Shapes.A)} with {Shapes.ShapeMath.Format(c.Shapes.B)}");
        });

    [Property(MaxTest = 40)]
    public Property Add() => Check((a, b) => a + b, divisor: false, "Add");

    [Property(MaxTest = 40)]
    public Property Subtract() => Check((a, b) => a - b, divisor: false, "Subtract");

    [Property(MaxTest = 40)]
    public Property Multiply() => Check((a, b) => a * b, divisor: false, "Multiply");

    [Property(MaxTest = 40)]
    public Property Divide() => Check((a, b) => a / b, divisor: true, "Divide");

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3 })]
    [InlineData(new[] { 4, 1, 3 }, new[] { 2, 1 })]
    [InlineData(new int[0], new[] { 2, 3 })]
    [InlineData(new[] { 2, 3 }, new int[0])]
    [InlineData(new[] { 3, 1 }, new[] { 1, 4 })]
    public void NamedBroadcastCombinations(int[] shapeA, int[] shapeB)
    {
        var rng = new RandomGenerator(7);
        foreach (var (op, name) in new (Func<Tensor, Tensor, Tensor>, string)[] { ((a, b) => a + b, "+"),
            ((a, b) => a - b, "-"), ((a, b) => a * b, "*"), ((a, b) => a / b, "/") })
        {
            GradientCheck.Assert(x => op(x[0], x[1]),
                [TestData.Uniform(shapeA, rng), TestData.AwayFromZero(shapeB, rng, 0.6f, 2f)], what: name);
        }
    }

    [Fact]
    public void OperandUsedOnBothSides()
    {
        var rng = new RandomGenerator(3);
        GradientCheck.Assert(x => x[0] * x[0] / (x[0] + 5f) - x[0], [TestData.Uniform([2, 3], rng, 0.5f, 2f)]);
    }
}
