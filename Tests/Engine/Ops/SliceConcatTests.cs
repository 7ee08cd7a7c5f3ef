using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Shapes;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Slice and concat as autograd ops.</summary>
public class SliceConcatTests
{
    private static Gen<(int[] Shape, int Axis, int Start, int Length, int Seed)> SliceCases =>
        from shape in TestData.Shape(1, 4)
        from axis in Gen.Choose(0, shape.Length - 1)
        from start in Gen.Choose(0, shape[axis] - 1)
        from length in Gen.Choose(1, shape[axis] - start)
        from negative in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (shape, negative ? axis - shape.Length : axis, start, length, seed);

    private static Gen<(int[][] Shapes, int Axis, int Seed)> ConcatCases =>
        from shape in TestData.Shape(1, 4, 4)
        from axis in Gen.Choose(0, shape.Length - 1)
        from sizes in Gen.Choose(1, 3).ArrayOf(3)
        from parts in Gen.Choose(1, 3)
        from negative in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (sizes.Take(parts).Select(s => shape.Select((d, i) => i == axis ? s : d).ToArray()).ToArray(),
                negative ? axis - shape.Length : axis, seed);

    [Property(MaxTest = 40)]
    public Property Slice() =>
        TestData.ForAll(SliceCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            GradientCheck.Assert(t => t[0].Slice(c.Axis, c.Start, c.Length),
                [TestData.Uniform(c.Shape, rng)], (ulong)c.Seed,
                what: $"Slice axis {c.Axis} [{c.Start}, +{c.Length}) of {ShapeMath.Format(c.Shape)}");
        });

    [Property(MaxTest = 40)]
    public Property Concat() =>
        TestData.ForAll(ConcatCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var parts = c.Shapes.Select(s => TestData.Uniform(s, rng)).ToArray();
            // Forward: slicing the result back recovers every part.
            var joined = Tensor.Concat(parts, c.Axis);
            int offset = 0;
            foreach (var p in parts)
            {
                int len = p.Size(c.Axis);
                if (!joined.Slice(c.Axis, offset, len).ToArray().SequenceEqual(p.ToArray()))
                    throw new Exception("Concat forward wrong");
                offset += len;
            }
            GradientCheck.Assert(t => Tensor.Concat(t, c.Axis), parts, (ulong)c.Seed, what: $"Concat axis {c.Axis}");
        });

    [Fact]
    public void ConcatWithAConstantPartOnlyGivesGradToTheOthers()
    {
        var a = Tensor.Ones(2, 2).WithGrad();
        var b = Tensor.Ones(2, 1);
        (Tensor.Concat([a, b], 1) * 3f).Sum().Backward();
        Assert.Equal(new float[] { 3, 3, 3, 3 }, a.Grad!.ToArray());
        Assert.Null(b.Grad);
    }
}
