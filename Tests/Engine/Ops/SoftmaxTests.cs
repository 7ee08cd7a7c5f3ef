using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

public class SoftmaxTests
{
    private static Gen<(int[] Shape, int Axis, int Seed)> Cases =>
        from shape in TestData.Shape(1, 4)
        from axis in Gen.Choose(-shape.Length, shape.Length - 1)
        from seed in TestData.Seed
        select (shape, axis, seed);

    [Property(MaxTest = 40)]
    public Property Softmax() =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform(c.Shape, rng, -3, 3);
            // Forward: positive, sums to 1 along the axis.
            var sums = x.Softmax(c.Axis).Sum(c.Axis).ToArray();
            foreach (float s in sums) if (Math.Abs(s - 1) > 1e-5) throw new Exception($"softmax sums to {s}");
            GradientCheck.Assert(t => t[0].Softmax(c.Axis), [x], (ulong)c.Seed,
                what: $"Softmax axis {c.Axis} of {Shapes.ShapeMath.Format(c.Shape)}");
        });

    [Property(MaxTest = 40)]
    public Property LogSoftmax() =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform(c.Shape, rng, -3, 3);
            var a = x.LogSoftmax(c.Axis).ToArray();
            var b = x.Softmax(c.Axis).Log().ToArray();
            for (int i = 0; i < a.Length; i++) if (Math.Abs(a[i] - b[i]) > 1e-4)
                throw new Exception("log-softmax ≠ log(softmax)");
            GradientCheck.Assert(t => Functional.LogSoftmax(t[0], c.Axis), [x], (ulong)c.Seed,
                what: $"LogSoftmax axis {c.Axis} of {Shapes.ShapeMath.Format(c.Shape)}");
        });

    [Fact]
    public void SoftmaxOfHugeEqualLogitsIsUniform()
    {
        Assert.Equal(new float[] { 0.5f, 0.5f }, Tensor.FromArray(new[] { 1000f, 1000f }).Softmax().ToArray());
        var ls = Tensor.FromArray(new[] { 1000f, 1000f }).LogSoftmax().ToArray();
        Assert.All(ls, v => Assert.Equal(-MathF.Log(2), v, 5));
        var mixed = Functional.Softmax(Tensor.FromArray(new[] { -1000f, 0f, 1000f }));
        Assert.Equal(new float[] { 0, 0, 1 }, mixed.ToArray());
    }

    [Fact]
    public void SoftmaxOnOuterAxisOfLargeLogitsIsFinite()
    {
        var x = Tensor.FromArray([1000f, -1000f, 1000f, 500f], 2, 2);
        var y = x.Softmax(0).ToArray();
        Assert.Equal(new float[] { 0.5f, 0f, 0.5f, 1f }, y);
    }
}
