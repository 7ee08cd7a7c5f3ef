using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Shapes;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Permute and transpose as autograd ops.</summary>
public class PermuteTests
{
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
            GradientCheck.Assert(t => t[0].Permute(c.Perm), [x], (ulong)c.Seed,
                what: $"Permute {ShapeMath.Format(c.Perm)}");
        });

    [Property(MaxTest = TestData.GradientTests)]
    public Property Transpose() =>
        TestData.ForAll(TestData.Shape(2, 4).Zip(TestData.Seed), c =>
        {
            var rng = new RandomGenerator((ulong)c.Item2);
            GradientCheck.Assert(t => t[0].Transpose() * 2f + t[0].Transpose(0, -1).Transpose(-1, 0).Transpose(),
                [TestData.Uniform(c.Item1, rng)], (ulong)c.Item2, what: "Transpose");
        });
}
