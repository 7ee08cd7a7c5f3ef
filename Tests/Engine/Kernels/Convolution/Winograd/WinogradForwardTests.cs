using FsCheck;
using FsCheck.Xunit;
using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;
using static RocketNet.Tests.Engine.Kernels.WinogradContract;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The tests every forward Winograd kernel passes, for the variant <typeparamref name="TVariant"/>: the
/// double-precision reference against direct convolution, the fast kernel within (C + k)·u·S of what it is held to
/// (<see cref="WinogradContract"/>; k and S are the variant's) with and without bias, residual and accumulation, on
/// the variant's shapes and on random ones, and the same bits on one and on two threads. A concrete class per
/// variant inherits these and adds what only that variant has (its dispatch rule, its bad arguments); it joins
/// <see cref="ThreadCountCollection"/>, since these tests set the thread count.
/// </summary>
public abstract class WinogradForwardTests<TVariant> where TVariant : IWinogradForwardVariant
{
    /// <summary>The variant's shapes (N, C, H, W, O), found by xunit on the closed class.</summary>
    public static TheoryData<int, int, int, int, int> Shapes => TVariant.Shapes;

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ReferenceMatchesDirectConvolution(int n, int c, int h, int w, int o)
    {
        var g = Make(n, c, h, w, o);
        var random = new Random(n * 1000 + c * 100 + h * 10 + w);
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = RandomArray(random, o);
        float[] want = new float[g.OutputLength], got = new float[g.OutputLength];
        ConvolutionReference.Forward(g, x, weights, bias, want);
        TVariant.Reference(g, x, weights, bias, got);
        AssertReferenceMatchesDirect(g.ToString(), want, got, MagnitudeSums(g, x, weights, bias, [], []),
            TVariant.ReferenceTolerance);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastKernelMatchesReference(int n, int c, int h, int w, int o)
    {
        if (!TVariant.Available) return;
        var g = Make(n, c, h, w, o);
        CheckFast(g, new Random(c * 7 + w), withBias: true, withResidual: false, accumulate: false);
        CheckFast(g, new Random(h * 5 + o), withBias: false, withResidual: true, accumulate: false);
        CheckFast(g, new Random(n + 3), withBias: true, withResidual: false, accumulate: true);
        CheckFast(g, new Random(n + 3), withBias: true, withResidual: true, accumulate: true);
    }

    [Property(MaxTest = 40)]
    public Property FastKernelMatchesReferenceOnRandomShapes() =>
        TestData.ForAll(RandomShapes(TVariant.MaxRandomBatch, 20, 12), s =>
        {
            if (!TVariant.Available) return;
            var g = Make(s.N, s.C, s.H, s.W, s.O);
            bool withBias = s.Seed % 2 == 0, withResidual = s.Seed % 3 == 0;
            CheckFast(g, new Random(s.Seed), withBias, withResidual, accumulate: false);
            if (s.Seed % 5 == 0) CheckFast(g, new Random(s.Seed), withBias, withResidual, accumulate: true);
        });

    [Fact]
    public void FastKernelIsBitIdenticalForOneAndTwoThreads()
    {
        if (!TVariant.Available) return;
        AssertSameBitsOnOneAndTwoThreads(TVariant.ThreadCountShapes, (g, random) =>
        {
            float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
            float[] bias = RandomArray(random, g.OutChannels);
            return () =>
            {
                var y = new float[g.OutputLength];
                TVariant.Fast(g, x, weights, bias, y);
                return y;
            };
        });
    }

    /// <summary>
    /// Fast kernel against what it is held to (plus residual and the previous y, added in double), within
    /// (C + k)·u·S; returns the largest |error| / (u·S).
    /// </summary>
    protected static double CheckFast(in ConvGeometry g, Random random, bool withBias, bool withResidual,
        bool accumulate)
    {
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = withBias ? RandomArray(random, g.OutChannels) : [];
        float[] residual = withResidual ? RandomArray(random, g.OutputLength) : [];
        float[] before = accumulate ? RandomArray(random, g.OutputLength) : [];
        float[] want = new float[g.OutputLength];
        TVariant.FastKernelWant(g, x, weights, bias, want);
        float[] got = accumulate ? (float[])before.Clone() : RandomArray(random, g.OutputLength, 1e6f);
        TVariant.Fast(g, x, weights, bias, got, residual, accumulate);
        return AssertWithinBound($"{g} bias {withBias} residual {withResidual} accumulate {accumulate}",
            Sum(want, residual, before), got, MagnitudeSums(g, x, weights, bias, residual, before),
            g.InChannels + TVariant.RoundingsBeyondChannels);
    }

    /// <summary>
    /// S per output: the variant's computation with absolute values throughout, plus |bias|, |residual| and
    /// |y before| (each may be empty).
    /// </summary>
    protected static double[] MagnitudeSums(in ConvGeometry g, float[] x, float[] weights, float[] bias,
        float[] residual, float[] before)
    {
        var (gMatrix, bt, at) = TVariant.Transforms;
        return ForwardMagnitudeSums(gMatrix, bt, at, g, x, weights, bias, residual, before);
    }
}
