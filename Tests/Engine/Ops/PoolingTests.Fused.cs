using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Engine.Ops;

/// <summary>
/// <see cref="Functional.ReluMaxPool2d"/>: bit-identical to ReLU then max pool (values and gradients, ties, zeros of
/// either sign and NaN included), its gradient agrees with finite differences, and Sequential fuses a ReLU followed
/// by a MaxPool2d into it.
/// </summary>
public partial class PoolingTests
{
    // Widths past one 16-lane vector reach the vectorised 2×2 pool; strides up to 3 leave cells no window covers.
    private static Gen<(int N, int C, int H, int W, int K, int Stride, int Pad, int Seed)> Cases =>
        PoolCasesUpTo(minSide: 2, maxHeight: 9, maxWidth: 35, maxStride: 3);

    // Runs op on a fresh leaf holding x and backpropagates L = Σ y ⊙ r; returns y and ∂L/∂x.
    private static (float[] Y, float[] GradX) Run(Func<Tensor, Tensor> op, Tensor x, Func<int[], Tensor> r)
    {
        var leaf = x.Clone().WithGrad();
        var y = op(leaf);
        (y * r(y.Shape.ToArray())).Sum().Backward();
        return (y.ToArray(), leaf.Grad!.ToArray());
    }

    [Property(MaxTest = 60)]
    public Property EqualsReluThenMaxPoolBitForBit() =>
        TestData.ForAll(Cases, c =>
        {
            if (c.K > c.H + 2 * c.Pad || c.K > c.W + 2 * c.Pad) return; // no output
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Uniform([c.N, c.C, c.H, c.W], rng);
            // Ties, zeros of both signs and the odd NaN: where a fused op most easily parts from the two it replaces.
            var data = x.Data;
            for (int i = 0; i < data.Length; i++)
            {
                int pick = rng.NextInt(12);
                if (pick == 0) data[i] = 0f;
                else if (pick == 1) data[i] = -0f;
                else if (pick == 2) data[i] = MathF.Round(data[i]);
                else if (pick == 3 && rng.NextInt(8) == 0) data[i] = float.NaN;
            }
            float[]? rValues = null;
            Tensor R(int[] shape)
            {
                if (rValues is null)
                {
                    var r = TestData.Uniform(shape, new RandomGenerator((ulong)c.Seed + 1));
                    rValues = r.ToArray();
                }
                return Tensor.FromArray((float[])rValues.Clone(), shape);
            }
            var fused = Run(t => Functional.ReluMaxPool2d(t, c.K, c.Stride, c.Pad), x, R);
            var separate = Run(t => Functional.MaxPool2d(t.Relu(), c.K, c.Stride, c.Pad), x, R);
            Assert.Equal(separate.Y, fused.Y);
            Assert.Equal(separate.GradX, fused.GradX);
        });

    [Property(MaxTest = 30)]
    public Property GradientMatchesFiniteDifferences() =>
        TestData.ForAll(Cases, c =>
        {
            if (c.K > c.H + 2 * c.Pad || c.K > c.W + 2 * c.Pad) return;
            var rng = new RandomGenerator((ulong)c.Seed);
            var x = TestData.Distinct([c.N, c.C, Math.Min(c.H, 6), Math.Min(c.W, 6)], rng); // no ties, nothing near 0
            if (c.K > x.Shape[2] + 2 * c.Pad || c.K > x.Shape[3] + 2 * c.Pad) return;
            GradientCheck.Assert(t => Functional.ReluMaxPool2d(t[0], c.K, c.Stride, c.Pad), [x], (ulong)c.Seed,
                what: $"ReluMaxPool2d k{c.K} s{c.Stride} p{c.Pad} on [{string.Join(",", x.Shape.ToArray())}]");
        });

    [Fact]
    public void SequentialRunsAReluFollowedByAMaxPoolAsTheFusedOp()
    {
        var rng = new RandomGenerator(3);
        var net = new Sequential(new Conv2d(2, 3, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2), new ReLU());
        var x = TestData.Uniform([2, 2, 6, 6], rng);
        var y = net.Forward(x);
        Assert.Equal("ReluMaxPool2d", y.GradFn!.Inputs[0].GradFn!.Name); // the last ReLU's input: the fused pool
        var conv = (Conv2d)net[0];
        var expected = Functional.MaxPool2d(conv.Forward(x).Relu(), 2).Relu();
        Assert.Equal(expected.ToArray(), y.ToArray());
    }

    [Fact]
    public void BadGeometryIsRejectedUnderTheFusedOpsName()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.ReluMaxPool2d(Tensor.Zeros(2, 3, 4), 2));
        Assert.Contains("ReluMaxPool2d", ex.Message);
    }
}
