using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Kernels;
using RocketNet.Shapes;
using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>The broadcasting kernels against <see cref="BroadcastReference"/> (explicit index math).</summary>
public class BroadcastKernelTests
{
    private static Gen<((int[] A, int[] B) Shapes, BinaryOperation Op, int Seed)> Cases =>
        from pair in TestData.BroadcastPair(maxRank: 5, maxDim: 4)
        from op in Gen.Elements(BinaryOperation.Add, BinaryOperation.Subtract, BinaryOperation.Multiply,
            BinaryOperation.Divide)
        from seed in TestData.Seed
        select (pair, op, seed);

    [Property(MaxTest = 100)]
    public Property BinaryMatchesNaive() =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var (sa, sb) = c.Shapes;
            var a = TestData.Uniform(sa, rng).ToArray();
            var b = TestData.AwayFromZero(sb, rng).ToArray();
            var ys = BroadcastReference.Shape(sa, sb);
            Assert.Equal(ys, ShapeMath.Broadcast(sa, sb, "test"));
            var y = new float[ShapeMath.ElementCount(ys)];
            var reference = new float[y.Length];
            BroadcastKernels.Binary(c.Op, a, sa, b, sb, y, ys);
            BroadcastReference.Binary(c.Op, a, sa, b, sb, reference, ys);
            for (int o = 0; o < y.Length; o++)
                if (y[o] != reference[o])
                    throw new Exception(
                        $"{c.Op} {ShapeMath.Format(sa)} with {ShapeMath.Format(sb)}: " +
                        $"y[{ShapeMath.Format(BroadcastReference.Unflatten(o, ys))}] = " +
                        $"{y[o]}, expected {reference[o]}");
            // The operators produce the same values and shape.
            var t = c.Op switch
            {
                BinaryOperation.Add => TestData.FromArray(a, sa) + TestData.FromArray(b, sb),
                BinaryOperation.Subtract => TestData.FromArray(a, sa) - TestData.FromArray(b, sb),
                BinaryOperation.Multiply => TestData.FromArray(a, sa) * TestData.FromArray(b, sb),
                _ => TestData.FromArray(a, sa) / TestData.FromArray(b, sb),
            };
            Assert.Equal(ys, t.Shape.ToArray());
            Assert.Equal(y, t.ToArray());
        });

    [Property(MaxTest = 100)]
    public Property SumIntoMatchesNaive() =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var small = c.Shapes.A;
            var big = BroadcastReference.Shape(c.Shapes.A, c.Shapes.B);
            var src = TestData.Uniform(big, rng).ToArray();
            var initial = TestData.Uniform(small, rng).ToArray();
            var dst = (float[])initial.Clone();
            BroadcastKernels.SumInto(src, big, dst, small);
            var expected = (float[])initial.Clone();
            BroadcastReference.SumInto(src, big, expected, small);
            for (int i = 0; i < dst.Length; i++)
                if (Math.Abs(dst[i] - expected[i]) > 1e-4 * Math.Max(1, Math.Abs(expected[i])))
                    throw new Exception(
                        $"SumInto {ShapeMath.Format(big)} → {ShapeMath.Format(small)}: [{i}] = " +
                        $"{dst[i]}, expected {expected[i]}");

            // ExpandInto is its adjoint: dst_big += src_small broadcast.
            var bigDst = new float[src.Length];
            BroadcastKernels.ExpandInto(initial, small, bigDst, big);
            for (int o = 0; o < bigDst.Length; o++)
                if (bigDst[o] != initial[BroadcastReference.Source(BroadcastReference.Unflatten(o, big), small)])
                    throw new Exception("ExpandInto wrong");
        });

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 4 })]
    [InlineData(new[] { 2, 3 }, new[] { 3, 2 })]
    [InlineData(new[] { 4, 1, 3 }, new[] { 2, 2 })]
    public void IncompatibleShapesThrowNamingBothShapes(int[] a, int[] b)
    {
        string sa = ShapeMath.Format(a), sb = ShapeMath.Format(b);
        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { (x, y) => x + y, (x, y) => x - y,
            (x, y) => x * y, (x, y) => x / y })
        {
            var ex = Assert.Throws<ArgumentException>(() => op(Tensor.Ones(a), Tensor.Ones(b)));
            Assert.Contains(sa, ex.Message);
            Assert.Contains(sb, ex.Message);
        }
    }

    [Fact]
    public void ScalarShapesBroadcast()
    {
        var y = Tensor.Scalar(2) * Tensor.FromArray(new float[] { 1, 2, 3 }) - Tensor.Scalar(1);
        Assert.Equal(new float[] { 1, 3, 5 }, y.ToArray());
        Assert.Equal(0, (Tensor.Scalar(2) + Tensor.Scalar(3)).Rank);
    }
}
