using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

public class MatMulTests
{
    private static Gen<(int B, int M, int K, int N, int Seed)> Sizes =>
        from b in Gen.Choose(1, 3)
        from m in Gen.Choose(1, 5)
        from k in Gen.Choose(1, 5)
        from n in Gen.Choose(1, 5)
        from seed in TestData.Seed
        select (b, m, k, n, seed);

    private static Property Check(Func<(int B, int M, int K, int N), (int[] A, int[] B)> shapes, string name) =>
        TestData.ForAll(Sizes, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var (sa, sb) = shapes((c.B, c.M, c.K, c.N));
            GradientCheck.Assert(x => x[0].MatMul(x[1]),
                [TestData.Uniform(sa, rng), TestData.Uniform(sb, rng)], (ulong)c.Seed,
                what: $"{name} {Shapes.ShapeMath.Format(sa)}·{Shapes.ShapeMath.Format(sb)}");
        });

    [Property(MaxTest = 30)]
    public Property Matrix() => Check(s => ([s.M, s.K], [s.K, s.N]), "2-D");

    [Property(MaxTest = 30)]
    public Property Batched() => Check(s => ([s.B, s.M, s.K], [s.B, s.K, s.N]), "3-D·3-D");

    [Property(MaxTest = 30)]
    public Property BatchedTimesShared() => Check(s => ([s.B, s.M, s.K], [s.K, s.N]), "3-D·2-D");

    [Fact]
    public void ForwardMatchesNaiveProduct()
    {
        var rng = new RandomGenerator(11);
        var a = TestData.Uniform([2, 3, 4], rng);
        var b = TestData.Uniform([2, 4, 5], rng);
        var shared = TestData.Uniform([4, 5], rng);
        var y = a.MatMul(b).ToArray();
        var ys = a.MatMul(shared).ToArray();
        for (int i = 0; i < 2; i++)
            for (int r = 0; r < 3; r++)
                for (int col = 0; col < 5; col++)
                {
                    double s = 0, s2 = 0;
                    for (int p = 0; p < 4; p++)
                    {
                        s += a.Data[i * 12 + r * 4 + p] * b.Data[i * 20 + p * 5 + col];
                        s2 += a.Data[i * 12 + r * 4 + p] * shared.Data[p * 5 + col];
                    }
                    Assert.Equal(s, y[i * 15 + r * 5 + col], 4);
                    Assert.Equal(s2, ys[i * 15 + r * 5 + col], 4);
                }
    }

    [Fact]
    public void MismatchedInnerDimensionsNameBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(4, 5)));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }
}
