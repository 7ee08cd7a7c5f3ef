using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Embedding lookups: gradients, repeated indices.</summary>
public class EmbeddingTests
{
    private static Gen<(int V, int D, int[] IndexShape, int Seed)> EmbeddingCases =>
        from v in Gen.Choose(1, 4)
        from d in Gen.Choose(1, 4)
        from indexShape in TestData.Shape(1, 2, 4)
        from seed in TestData.Seed
        select (v, d, indexShape, seed);

    [Property(MaxTest = 40)]
    public Property Embedding() =>
        TestData.ForAll(EmbeddingCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var w = TestData.Uniform([c.V, c.D], rng);
            int count = c.IndexShape.Aggregate(1, (a, b) => a * b);
            var indices = TestData.Labels(count, c.V, rng); // small vocabulary: repeats are common
            var y = Functional.Embedding(w, indices, c.IndexShape);
            if (!y.Shape.SequenceEqual(c.IndexShape.Append(c.D).ToArray()))
                throw new Exception("Embedding shape wrong");
            GradientCheck.Assert(t => Functional.Embedding(t[0], indices, c.IndexShape), [w], (ulong)c.Seed,
                what: $"Embedding indices {string.Join(",", indices)}");
        });

    [Fact]
    public void EmbeddingRepeatedIndexAccumulates()
    {
        var w = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2).WithGrad();
        Functional.Embedding(w, [2, 0, 2, 2]).Sum().Backward();
        Assert.Equal(new float[] { 1, 1, 0, 0, 3, 3 }, w.Grad!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Embedding(w, [3]));
    }
}
