using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace RocketNet.Tests.Engine.Ops;

public class ElementwiseTests
{
    private static Gen<(int[] Shape, int Seed)> Cases => TestData.Shape(1, 4).Zip(TestData.Seed);

    private static Property Check(Func<Tensor, Tensor> op, Func<int[], RandomGenerator, Tensor> values, string name) =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            GradientCheck.Assert(x => op(x[0]), [values(c.Shape, rng)], (ulong)c.Seed, what: name);
        });

    [Property(MaxTest = TestData.GradientTests)]
    public Property Exp() => Check(x => x.Exp(), (s, r) => TestData.Uniform(s, r), "Exp");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Log() => Check(x => x.Log(), (s, r) => TestData.Uniform(s, r, 0.5f, 3f), "Log");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Sqrt() => Check(x => x.Sqrt(), (s, r) => TestData.Uniform(s, r, 0.5f, 3f), "Sqrt");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Relu() => Check(x => x.Relu(), (s, r) => TestData.AwayFromZero(s, r, 0.1f, 2f), "Relu");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Sigmoid() => Check(x => x.Sigmoid(), (s, r) => TestData.Uniform(s, r, -4f, 4f), "Sigmoid");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Tanh() => Check(x => x.Tanh(), (s, r) => TestData.Uniform(s, r, -2f, 2f), "Tanh");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Silu() => Check(x => x.Silu(), (s, r) => TestData.Uniform(s, r, -4f, 4f), "Silu");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Negate() => Check(x => -x, (s, r) => TestData.Uniform(s, r), "Negate");

    [Property(MaxTest = TestData.GradientTests)]
    public Property ScalarArithmetic() =>
        Check(x => (2f - x) * 3f + 1.5f - x / 4f + 0.5f * x, (s, r) => TestData.Uniform(s, r), "scalar + − × ÷");

    [Property(MaxTest = TestData.GradientTests)]
    public Property ScalarDividedByTensor() =>
        Check(x => 2f / x, (s, r) => TestData.AwayFromZero(s, r, 0.7f, 2f), "s / x");

    [Property(MaxTest = TestData.GradientTests)]
    public Property Pow() =>
        TestData.ForAll(Cases.Zip(Gen.Elements(2f, 3f, 0.5f, -1f, -1.5f, 1.7f)), c =>
        {
            var ((shape, seed), p) = c;
            var rng = new RandomGenerator((ulong)seed);
            GradientCheck.Assert(x => x[0].Pow(p), [TestData.Uniform(shape, rng, 0.6f, 2.5f)],
                (ulong)seed, what: $"Pow {p}");
        });

    [Property(MaxTest = TestData.GradientTests)]
    public Property Composition() =>
        Check(x => (x.Sigmoid() * x.Tanh()).Exp() + x.Pow(2f).Sqrt(),
            (s, r) => TestData.AwayFromZero(s, r, 0.3f, 1.5f), "composition");
}
