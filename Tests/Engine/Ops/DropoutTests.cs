using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Dropout: its gradient is the mask, identity in eval mode, the kept share.</summary>
public class DropoutTests
{
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
            GradientCheck.Assert(t => Functional.Dropout(t[0], c.P, training: true, new RandomGenerator(99)), [x],
                (ulong)c.Seed, what: $"Dropout p={c.P}");
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
                if (mask != 0 && Math.Abs(ys[i] - x.Data[i] * keep) > 1e-5)
                    throw new Exception("kept value not scaled by 1/(1−p)");
            }
        });

    [Fact]
    public void DropoutInEvalModeIsTheIdentity()
    {
        var x = Tensor.Ones(3, 3).WithGrad();
        Assert.Same(x, Functional.Dropout(x, 0.5f, training: false, new RandomGenerator(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Dropout(x, 1f, training: true,
            new RandomGenerator(1)));
    }

    [Fact]
    public void DropoutKeepsRoughlyOneMinusP()
    {
        var y = Functional.Dropout(Tensor.Ones(10_000), 0.3f, training: true, new RandomGenerator(5)).ToArray();
        double kept = y.Count(v => v != 0) / 10_000.0;
        Assert.InRange(kept, 0.67, 0.73);
    }
}
