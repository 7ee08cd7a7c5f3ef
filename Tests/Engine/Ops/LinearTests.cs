using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Linear (y = x·Wᵀ + b) as an autograd op.</summary>
public class LinearTests
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
            for (int k = 0; k < y.Length; k++) if (Math.Abs(y[k] - r[k]) > 1e-4)
                throw new Exception("Linear forward wrong");
            if (c.Bias) GradientCheck.Assert(t => Functional.Linear(t[0], t[1], t[2]), [x, w, b], (ulong)c.Seed,
                what: "Linear with bias");
            else GradientCheck.Assert(t => Functional.Linear(t[0], t[1]), [x, w], (ulong)c.Seed,
                what: "Linear without bias");
        });
}
