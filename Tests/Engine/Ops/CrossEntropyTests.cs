using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Cross-entropy: gradients, large logits, bad labels.</summary>
public class CrossEntropyTests
{
    private static Gen<(int N, int C, Reduction Reduction, int Seed)> CeCases =>
        from n in Gen.Choose(1, 5)
        from c in Gen.Choose(1, 6)
        from reduction in Gen.Elements(Reduction.Mean, Reduction.Sum)
        from seed in TestData.Seed
        select (n, c, reduction, seed);

    [Property(MaxTest = 40)]
    public Property CrossEntropy() =>
        TestData.ForAll(CeCases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var logits = TestData.Uniform([c.N, c.C], rng, -3, 3);
            var labels = TestData.Labels(c.N, c.C, rng);
            // Forward against the composed definition −Σ log_softmax[label].
            var logp = logits.LogSoftmax().ToArray();
            double expected = 0;
            for (int i = 0; i < c.N; i++) expected -= logp[i * c.C + labels[i]];
            if (c.Reduction == Reduction.Mean) expected /= c.N;
            float actual = Functional.CrossEntropy(logits, labels, c.Reduction).Item();
            if (Math.Abs(actual - expected) > 1e-4 * Math.Max(1, Math.Abs(expected)))
                throw new Exception($"CE = {actual}, expected {expected}");
            GradientCheck.Assert(t => Functional.CrossEntropy(t[0], labels, c.Reduction), [logits], (ulong)c.Seed,
                what: $"CrossEntropy [{c.N}, {c.C}] {c.Reduction} labels {string.Join(",", labels)}");
        });

    [Fact]
    public void CrossEntropyWithHugeLogitsIsFiniteAndAccurate()
    {
        // Row 0: 1000 + 1000 = 2000. Row 1: two equal huge logits, label on one of them: exactly ln 2,
        // which is lost if m + ln Σ is rounded to float before subtracting the label's logit.
        var logits = Tensor.FromArray(new[] { 1000f, -1000f, 0f, 1e30f, 1e30f, -1e30f }, 2, 3).WithGrad();
        var loss = Functional.CrossEntropy(logits, [1, 0], Reduction.Sum);
        Assert.True(float.IsFinite(loss.Item()), $"loss = {loss.Item()}");
        Assert.Equal(2000f + MathF.Log(2), loss.Item(), 2);
        loss.Backward();
        Assert.All(logits.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.Equal(new float[] { 1, -1, 0, -0.5f, 0.5f, 0 }, logits.Grad!.ToArray());
        var single = Functional.CrossEntropy(Tensor.FromArray(new[] { 1e30f, 1e30f }, 1, 2), [0]);
        Assert.Equal(MathF.Log(2), single.Item(), 5);
    }

    [Fact]
    public void CrossEntropyOfLargeLogitsMatchesTheShiftedValue()
    {
        var loss = Functional.CrossEntropy(Tensor.FromArray(new[] { 1000f, 1000f }, 1, 2), [0]);
        Assert.Equal(MathF.Log(2), loss.Item(), 5);
        var logits = Tensor.FromArray(new[] { 1000f, 0f }, 1, 2).WithGrad();
        var l2 = Functional.CrossEntropy(logits, [1]);
        Assert.Equal(1000f, l2.Item(), 2);
        l2.Backward();
        Assert.Equal(new float[] { 1, -1 }, logits.Grad!.ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void CrossEntropyLabelOutOfRangeThrows(int label)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(
            () => Functional.CrossEntropy(Tensor.Zeros(2, 3), [0, label]));
        Assert.Contains(label.ToString(), ex.Message);
    }
}
