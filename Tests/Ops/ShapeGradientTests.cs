using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Shapes;
using Xunit;

namespace RocketNet.Tests.Ops;

/// <summary>Reshape, Permute, Transpose, Slice and Concat: gradients and forward values vs index math.</summary>
public class ShapeGradientTests
{
    private static Gen<(int[] Shape, int Seed)> Shapes14 => TestData.Shape(1, 4).Zip(TestData.Seed);

    [Property(MaxTest = TestData.GradientTests)]
    public Property Reshape() =>
        TestData.ForAll(Shapes14, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform(c.Shape, rng);
            // Reverse the dims and infer the first one: same count, different layout.
            int[] target = c.Shape.Reverse().ToArray();
            target[0] = -1;
            GradientCheck.Assert(t => t[0].Reshape(target) * 2f + t[0].Reshape(x.Count).Reshape(target).Exp(), [x], (ulong)c.Seed, what: "Reshape");
        });

    private static Gen<(int[] Shape, int[] Perm, int Seed)> PermuteCases =>
        from shape in TestData.Shape(1, 4)
        from perm in Gen.Shuffle(Enumerable.Range(0, shape.Length))
        from seed in TestData.Seed
        select (shape, perm.ToArray(), seed);

    [Property(MaxTest = TestData.GradientTests)]
    public Property Permute() =>
        TestData.ForAll(PermuteCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform(c.Shape, rng);
            var y = x.Permute(c.Perm);
            // Forward against explicit index math: y[i0..] = x[i_perm^-1 ...].
            var xs = ShapeMath.ContiguousStrides(c.Shape);
            var yShape = y.Shape.ToArray();
            for (int o = 0; o < y.Count; o++)
            {
                int rest = o, src = 0;
                for (int d = yShape.Length - 1; d >= 0; d--)
                {
                    src += rest % yShape[d] * xs[c.Perm[d]];
                    rest /= yShape[d];
                }
                if (y.Data[o] != x.Data[src]) throw new Exception($"Permute forward wrong at {o}");
            }
            GradientCheck.Assert(t => t[0].Permute(c.Perm), [x], (ulong)c.Seed, what: $"Permute {ShapeMath.Format(c.Perm)}");
        });

    [Property(MaxTest = TestData.GradientTests)]
    public Property Transpose() =>
        TestData.ForAll(TestData.Shape(2, 4).Zip(TestData.Seed), c =>
        {
            var rng = new RandomGenerator((ulong)c.Item2);
            GradientCheck.Assert(t => t[0].Transpose() * 2f + t[0].Transpose(0, -1).Transpose(-1, 0).Transpose(), [TestData.Uniform(c.Item1, rng)], (ulong)c.Item2, what: "Transpose");
        });

    private static Gen<(int[] Shape, int Axis, int Start, int Length, int Seed)> SliceCases =>
        from shape in TestData.Shape(1, 4)
        from axis in Gen.Choose(0, shape.Length - 1)
        from start in Gen.Choose(0, shape[axis] - 1)
        from length in Gen.Choose(1, shape[axis] - start)
        from negative in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (shape, negative ? axis - shape.Length : axis, start, length, seed);

    [Property(MaxTest = 40)]
    public Property Slice() =>
        TestData.ForAll(SliceCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            GradientCheck.Assert(t => t[0].Slice(c.Axis, c.Start, c.Length), [TestData.Uniform(c.Shape, rng)], (ulong)c.Seed,
                what: $"Slice axis {c.Axis} [{c.Start}, +{c.Length}) of {ShapeMath.Format(c.Shape)}");
        });

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
                if (!joined.Slice(c.Axis, offset, len).ToArray().SequenceEqual(p.ToArray())) throw new Exception("Concat forward wrong");
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
