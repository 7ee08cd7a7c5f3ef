using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Kernels;
using RocketNet.Shapes;
using Xunit;

namespace RocketNet.Tests.Kernels;

/// <summary>The broadcasting kernels against a naive implementation with explicit index math.</summary>
public class BroadcastKernelTests
{
    /// <summary>Flat index into a tensor of <paramref name="shape"/> read at multi-index <paramref name="index"/> of a bigger broadcast shape.</summary>
    private static int BroadcastIndex(int[] index, int[] shape)
    {
        int offset = index.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : index[d + offset]);
        return flat;
    }

    private static int[] Unflatten(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    private static int[] NaiveBroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var y = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            y[i] = Math.Max(da, db);
        }
        return y;
    }

    private static Gen<((int[] A, int[] B) Shapes, BinaryOperation Op, int Seed)> Cases =>
        from pair in TestData.BroadcastPair(maxRank: 5, maxDim: 4)
        from op in Gen.Elements(BinaryOperation.Add, BinaryOperation.Subtract, BinaryOperation.Multiply, BinaryOperation.Divide)
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
            var ys = NaiveBroadcastShape(sa, sb);
            Assert.Equal(ys, ShapeMath.Broadcast(sa, sb, "test"));
            var y = new float[ShapeMath.ElementCount(ys)];
            BroadcastKernels.Binary(c.Op, a, sa, b, sb, y, ys);
            for (int o = 0; o < y.Length; o++)
            {
                var index = Unflatten(o, ys);
                float expected = BroadcastKernels.Apply(c.Op, a[BroadcastIndex(index, sa)], b[BroadcastIndex(index, sb)]);
                if (y[o] != expected)
                    throw new Exception($"{c.Op} {ShapeMath.Format(sa)} with {ShapeMath.Format(sb)}: y[{ShapeMath.Format(index)}] = {y[o]}, expected {expected}");
            }
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
            var big = NaiveBroadcastShape(c.Shapes.A, c.Shapes.B);
            var src = TestData.Uniform(big, rng).ToArray();
            var initial = TestData.Uniform(small, rng).ToArray();
            var dst = (float[])initial.Clone();
            BroadcastKernels.SumInto(src, big, dst, small);
            var expected = initial.Select(v => (double)v).ToArray();
            for (int o = 0; o < src.Length; o++) expected[BroadcastIndex(Unflatten(o, big), small)] += src[o];
            for (int i = 0; i < dst.Length; i++)
                if (Math.Abs(dst[i] - expected[i]) > 1e-4 * Math.Max(1, Math.Abs(expected[i])))
                    throw new Exception($"SumInto {ShapeMath.Format(big)} → {ShapeMath.Format(small)}: [{i}] = {dst[i]}, expected {expected[i]}");

            // ExpandInto is its adjoint: dst_big += src_small broadcast.
            var bigDst = new float[src.Length];
            BroadcastKernels.ExpandInto(initial, small, bigDst, big);
            for (int o = 0; o < bigDst.Length; o++)
                if (bigDst[o] != initial[BroadcastIndex(Unflatten(o, big), small)]) throw new Exception("ExpandInto wrong");
        });

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 4 })]
    [InlineData(new[] { 2, 3 }, new[] { 3, 2 })]
    [InlineData(new[] { 4, 1, 3 }, new[] { 2, 2 })]
    public void IncompatibleShapesThrowNamingBothShapes(int[] a, int[] b)
    {
        string sa = ShapeMath.Format(a), sb = ShapeMath.Format(b);
        foreach (var op in new Func<Tensor, Tensor, Tensor>[] { (x, y) => x + y, (x, y) => x - y, (x, y) => x * y, (x, y) => x / y })
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
