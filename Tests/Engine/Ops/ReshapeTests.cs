using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Shapes;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>Reshape as an autograd op.</summary>
public class ReshapeTests
{
    private static Gen<(int[] Shape, int Seed)> Shapes14 => TestData.Shape(1, 4).Zip(TestData.Seed);

    [Property(MaxTest = TestData.GradientTests)]
    public Property Reshape() =>
        TestData.ForAll(Shapes14, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform(c.Shape, rng);
            // Reverse the dims and infer the first one: same count, different layout.
            int[] target = c.Shape.Reverse().ToArray();
            target[0] = -1;
            GradientCheck.Assert(t => t[0].Reshape(target) * 2f + t[0].Reshape(x.Count).Reshape(target).Exp(), [x],
                (ulong)c.Seed, what: "Reshape");
        });
}
