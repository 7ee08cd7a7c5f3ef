using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Ops;

/// <summary>Linear, Dropout and Embedding.</summary>
public class NetworkOpGradientTests
{
    private static Gen<(int N, int In, int Out, bool Bias, int Seed)> LinearCases =>
        from n in Gen.Choose(1, 5)
        from i in Gen.Choose(1, 5)
        from o in Gen.Choose(1, 5)
        from bias in Gen.Elements(true, false)
        from seed in TestData.Seed
        select (n, i, o, bias, seed);

    [Property(MaxTest = 40)]
    public Property Linear() =>
        TestData.ForAll(LinearCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform([c.N, c.In], rng);
            var w = TestData.Uniform([c.Out, c.In], rng);
            var b = TestData.Uniform([c.Out], rng);
            // Forward against the composed ops x·Wᵀ (+ b).
            var reference = x.MatMul(w.Transpose());
            if (c.Bias) reference += b;
            var y = Functional.Linear(x, w, c.Bias ? b : null).ToArray();
            var r = reference.ToArray();
            for (int k = 0; k < y.Length; k++) if (Math.Abs(y[k] - r[k]) > 1e-4) throw new Exception("Linear forward wrong");
            if (c.Bias) GradientCheck.Assert(t => Functional.Linear(t[0], t[1], t[2]), [x, w, b], (ulong)c.Seed, what: "Linear with bias");
            else GradientCheck.Assert(t => Functional.Linear(t[0], t[1]), [x, w], (ulong)c.Seed, what: "Linear without bias");
        });

    private static Gen<(int[] Shape, float P, int Seed)> DropoutCases =>
        from shape in TestData.Shape(1, 4)
        from p in Gen.Elements(0.1f, 0.3f, 0.5f, 0.8f)
        from seed in TestData.Seed
        select (shape, p, seed);

    [Property(MaxTest = 30)]
    public Property DropoutGradientIsTheMask() =>
        TestData.ForAll(DropoutCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.AwayFromZero(c.Shape, rng);
            // Same seed for every evaluation, so the mask is fixed and finite differences are meaningful.
            GradientCheck.Assert(t => Functional.Dropout(t[0], c.P, training: true, new RandomGenerator(99)), [x], (ulong)c.Seed, what: $"Dropout p={c.P}");
            x.Grad = null;
            var y = Functional.Dropout(x, c.P, training: true, new RandomGenerator(99));
            y.Sum().Backward();
            var g = x.Grad!.ToArray();
            var ys = y.ToArray();
            float keep = 1 / (1 - c.P);
            for (int i = 0; i < g.Length; i++)
            {
                float mask = ys[i] == 0 ? 0 : keep;
                if (g[i] != mask) throw new Exception($"grad {g[i]} ≠ mask {mask} at {i}");
                if (mask != 0 && Math.Abs(ys[i] - x.Data[i] * keep) > 1e-5) throw new Exception("kept value not scaled by 1/(1−p)");
            }
        });

    [Fact]
    public void DropoutInEvalModeIsTheIdentity()
    {
        var x = Tensor.Ones(3, 3).WithGrad();
        Assert.Same(x, Functional.Dropout(x, 0.5f, training: false, new RandomGenerator(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Dropout(x, 1f, training: true, new RandomGenerator(1)));
    }

    [Fact]
    public void DropoutKeepsRoughlyOneMinusP()
    {
        var y = Functional.Dropout(Tensor.Ones(10_000), 0.3f, training: true, new RandomGenerator(5)).ToArray();
        double kept = y.Count(v => v != 0) / 10_000.0;
        Assert.InRange(kept, 0.67, 0.73);
    }

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
            if (!y.Shape.SequenceEqual(c.IndexShape.Append(c.D).ToArray())) throw new Exception("Embedding shape wrong");
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
