using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Sum/Mean/Max over all axes, one axis or several, with keepDim on and off and negative axes.</summary>
public class ReductionsTests
{
    /// <summary>
    /// A shape, a subset of its axes (possibly empty = all axes), each written positive or negative, keepDim, seed.
    /// </summary>
    private static Gen<(int[] Shape, int[] Axes, bool KeepDim, int Seed)> Cases =>
        from shape in TestData.Shape(1, 4, 4)
        from pick in Gen.Choose(0, 1).ArrayOf(shape.Length)
        from negative in Gen.Choose(0, 1).ArrayOf(shape.Length)
        from keep in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (shape,
                Enumerable.Range(0, shape.Length).Where(i => pick[i] == 1).Select(i => negative[i] == 1
                    ? i - shape.Length : i).ToArray(),
                keep, seed);

    private static Property Check(Func<Tensor, int[], bool, Tensor> op, bool distinct, string name) =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = distinct ? TestData.Distinct(c.Shape, rng) : TestData.Uniform(c.Shape, rng);
            var y = op(x, c.Axes, c.KeepDim);
            int expectedRank = c.KeepDim ? c.Shape.Length : c.Axes.Length == 0 ? 0 : c.Shape.Length - c.Axes.Length;
            if (y.Rank != expectedRank) throw new Exception($"{name}: rank {y.Rank}, expected {expectedRank}");
            GradientCheck.Assert(t => op(t[0], c.Axes, c.KeepDim), [x], (ulong)c.Seed,
                what: $"{name} of {Shapes.ShapeMath.Format(c.Shape)} over axes " +
                    $"{Shapes.ShapeMath.Format(c.Axes)} keepDim={c.KeepDim}");
        });

    [Property(MaxTest = 40)]
    public Property Sum() => Check((x, axes, keep) => x.Sum(axes, keep), distinct: false, "Sum");

    [Property(MaxTest = 40)]
    public Property Mean() => Check((x, axes, keep) => x.Mean(axes, keep), distinct: false, "Mean");

    [Property(MaxTest = 40)]
    public Property Max() => Check((x, axes, keep) => x.Max(axes, keep), distinct: true, "Max");

    [Property(MaxTest = 15)]
    public Property FullReductions() =>
        TestData.ForAll(TestData.Shape(0, 3).Zip(TestData.Seed), c =>
        {
            var rng = new RandomGenerator((ulong)c.Item2);
            GradientCheck.Assert(t => t[0].Sum() + t[0].Mean() * 2f + t[0].Max(), [TestData.Distinct(c.Item1, rng)],
                (ulong)c.Item2, what: "Sum()+Mean()+Max()");
        });

    [Fact]
    public void MaxTiesSendTheGradientToTheFirstMaximum()
    {
        var x = Tensor.FromArray(new float[] { 1, 3, 3, 5, 5, 2 }, 2, 3).WithGrad();
        x.Max(1).Sum().Backward();
        Assert.Equal(new float[] { 0, 1, 0, 1, 0, 0 }, x.Grad!.ToArray());
        var y = Tensor.FromArray(new float[] { 4, 1, 4, 7 }, 2, 2).WithGrad();
        y.Max(0, keepDim: true).Sum().Backward(); // column-wise: the "row varies" path of the kernel
        Assert.Equal(new float[] { 1, 0, 0, 1 }, y.Grad!.ToArray());
    }
}
