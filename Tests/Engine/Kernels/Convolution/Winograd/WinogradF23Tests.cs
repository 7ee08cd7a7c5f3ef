using FsCheck;
using FsCheck.Xunit;
using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Kernels.KernelTestData;
using static RocketNet.Tests.Kernels.WinogradContract;

namespace RocketNet.Tests.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3): the double-precision reference against direct convolution, and the fast kernel against
/// the reference, on odd and even sizes, partial tiles, channel counts that are not multiples of 8 or 16.
/// <para>
/// Error bound of the fast kernel, per output (the <see cref="WinogradContract"/>): |got − want| ≤ (C + 10)·u·S,
/// S = Σ_c |Aᵀ|·(|G|·|g|·|Gᵀ| ⊙ |Bᵀ|·|d|·|B|)·|A| + |bias| + |residual| + |y before|. Every term of the sum
/// passes through at most C + 10 roundings: 1 for U (computed in double, rounded once), 2 for V (rows, then
/// columns), C for the channel sum (fused multiply-adds, the first onto zero), 4 for the output transform
/// (two additions for the rows, two for the columns), 1 each for bias, residual and accumulation, and 1 more
/// for the reference's own rounding, minus the ones a call does not make. S is larger than direct
/// convolution's Σ|w||x| because the transforms mix up to 4×4 inputs and 3×3 weights with coefficients of ±1 and
/// ±½: that is Winograd's extra rounding error.
/// </para>
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradF23Tests
{
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        // N, C, H, W, O
        { 1, 1, 1, 1, 1 },     // one pixel: a single tile, three quarters outside the image
        { 2, 3, 2, 2, 2 },
        { 1, 2, 3, 5, 3 },     // odd sizes: partial last tile row and column
        { 3, 5, 7, 6, 4 },
        { 2, 16, 8, 8, 16 },   // WRN 8×8 shape, narrowed
        { 1, 17, 9, 33, 9 },   // 17 tile columns: a group of 16 and one of 1, runs cross the 32-tile panels
        { 2, 3, 33, 35, 5 },   // 18 tile columns, 17 tile rows
        { 1, 13, 32, 32, 17 }, // O = 16 + 1: a padded block of 8 rows in U
        { 3, 32, 16, 16, 32 }, // WRN 16×16 shape
        { 5, 64, 8, 8, 64 },   // WRN 8×8 shape: chunks of 4 images, the last one short
        { 1, 4, 1, 40, 3 },    // one row
        { 2, 3, 40, 1, 2 },    // one column
        { 1, 20, 64, 64, 3 },  // chunks of tile rows of one image
        { 7, 7, 5, 3, 10 },    // many small images per chunk, runs of 2 tiles crossing panels
    };

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
        WinogradF23Reference.Forward(g, x, weights, bias, got);
        AssertReferenceMatchesDirect(g.ToString(), want, got, MagnitudeSums(g, x, weights, bias, [], []), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastKernelMatchesReference(int n, int c, int h, int w, int o)
    {
        if (!WinogradF23Convolution.Available) return;
        var g = Make(n, c, h, w, o);
        CheckFast(g, new Random(c * 7 + w), withBias: true, withResidual: false, accumulate: false);
        CheckFast(g, new Random(h * 5 + o), withBias: false, withResidual: true, accumulate: false);
        CheckFast(g, new Random(n + 3), withBias: true, withResidual: false, accumulate: true);
    }

    [Property(MaxTest = 40)]
    public Property FastKernelMatchesReferenceOnRandomShapes() =>
        TestData.ForAll(RandomShapes(3, 20, 12), s =>
        {
            if (!WinogradF23Convolution.Available) return;
            CheckFast(Make(s.N, s.C, s.H, s.W, s.O), new Random(s.Seed), withBias: s.Seed % 2 == 0,
                withResidual: s.Seed % 3 == 0, accumulate: false);
        });

    [Fact]
    public void FastKernelIsBitIdenticalForOneAndTwoThreads()
    {
        if (!WinogradF23Convolution.Available) return;
        AssertSameBitsOnOneAndTwoThreads(
            [Make(9, 64, 8, 8, 64), Make(4, 16, 32, 32, 16), Make(3, 5, 33, 35, 6), Make(7, 32, 16, 16, 32)],
            (g, random) =>
            {
                float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
                float[] bias = RandomArray(random, g.OutChannels);
                return () =>
                {
                    var y = new float[g.OutputLength];
                    WinogradF23Convolution.Forward(g, x, weights, bias, y);
                    return y;
                };
            });
    }

    [Fact]
    public void DispatcherTakesWinogradExactlyForTheRule()
    {
        bool available = WinogradF23Convolution.Available;
        var implicitGemm = ConvolutionKernels.ForwardKernel.ImplicitGemm;
        var f23 = available ? ConvolutionKernels.ForwardKernel.WinogradF23 : implicitGemm;
        var f43 = available ? ConvolutionKernels.ForwardKernel.WinogradF43 : implicitGemm;
        // Batches that fill 7 of 8 lanes of F(4×4, 3×3)'s 16-image groups, from 16 channels on.
        Assert.Equal(f43, ConvolutionKernels.ChooseForward(Make(128, 32, 16, 16, 32)));
        Assert.Equal(f43, ConvolutionKernels.ChooseForward(Make(128, 16, 32, 32, 16)));
        Assert.Equal(f43, ConvolutionKernels.ChooseForward(Make(14, 64, 8, 8, 64)));
        Assert.Equal(f43, ConvolutionKernels.ChooseForward(Make(112, 16, 8, 8, 256)));
        // Smaller or ragged batches: F(2×2, 3×3) from 32 channels on, else implicit GEMM.
        Assert.Equal(f23, ConvolutionKernels.ChooseForward(Make(1, 64, 8, 8, 64)));
        Assert.Equal(f23, ConvolutionKernels.ChooseForward(Make(13, 32, 8, 8, 32)));
        Assert.Equal(f23, ConvolutionKernels.ChooseForward(Make(17, 32, 8, 8, 32)));
        Assert.Equal(implicitGemm, ConvolutionKernels.ChooseForward(Make(1, 16, 32, 32, 16)));
        Assert.Equal(implicitGemm, ConvolutionKernels.ChooseForward(Make(128, 3, 32, 32, 16))); // the stem
        Assert.Equal(implicitGemm, ConvolutionKernels.ChooseForward(Make(128, 16, 32, 32, 15)));
        Assert.Equal(implicitGemm, ConvolutionKernels.ChooseForward(Make(2, 32, 8, 8, 31)));
        Assert.Equal(implicitGemm,
            ConvolutionKernels.ChooseForward(new ConvGeometry(128, 32, 8, 8, 32, 3, 3, 2, 2, 1, 1)));
        Assert.Equal(implicitGemm,
            ConvolutionKernels.ChooseForward(new ConvGeometry(128, 32, 8, 8, 32, 5, 5, 1, 1, 2, 2)));
        Assert.Equal(available, ConvolutionKernels.UsesWinograd(Make(128, 16, 32, 32, 16)));
        Assert.False(ConvolutionKernels.UsesWinograd(Make(128, 3, 32, 32, 16)));
    }

    [Theory]
    [InlineData(2, 32, 8, 8, 32)]
    [InlineData(1, 32, 9, 7, 40)]
    [InlineData(3, 32, 16, 16, 32)]
    public void DispatchedForwardAndInputGradientKeepTheBound(int n, int c, int h, int w, int o)
    {
        // Where the dispatcher takes F(2×2, 3×3) (batches too small for F(4×4, 3×3)), its forward and its input
        // gradient (the forward of gradY with the flipped, channel-transposed kernel, accumulated) stay within the
        // bound above.
        var g = Make(n, c, h, w, o);
        Assert.NotEqual(ConvolutionKernels.ForwardKernel.WinogradF43, ConvolutionKernels.ChooseForward(g));
        var random = new Random(c + o);
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = RandomArray(random, o), gradY = RandomArray(random, g.OutputLength);
        float[] before = RandomArray(random, g.InputLength);
        float[] y = new float[g.OutputLength], want = new float[g.OutputLength];
        ConvolutionKernels.Forward(g, x, weights, bias, y);
        WinogradF23Reference.Forward(g, x, weights, bias, want);
        AssertWithinBound($"forward {g}", Sum(want), y, MagnitudeSums(g, x, weights, bias, [], []), c + 10);

        var transposed = g with { InChannels = o, OutChannels = c };
        float[] flipped = Flipped(weights, c, o);
        float[] gradX = (float[])before.Clone(), wantGradX = new float[g.InputLength];
        ConvolutionKernels.BackwardInput(g, gradY, weights, gradX);
        WinogradF23Reference.Forward(transposed, gradY, flipped, [], wantGradX);
        for (int i = 0; i < wantGradX.Length; i++) wantGradX[i] += before[i];
        // Adding the previous gradX to the reference rounds once more: one of the bias or residual roundings the
        // bound counts and this call does not make.
        AssertWithinBound($"input gradient {transposed}", Sum(wantGradX), gradX,
            MagnitudeSums(transposed, gradY, flipped, [], [], before), o + 10);
    }

    [Fact]
    public void BadGeometryThrows()
    {
        float[] buffer = new float[256];
        Assert.Throws<ArgumentException>(() => WinogradF23Reference.Forward(Strided, buffer, buffer, [], buffer));
        Assert.Throws<ArgumentException>(() => WinogradF23Reference.Forward(Unpadded, buffer, buffer, [], buffer));
        if (WinogradF23Convolution.Available)
            Assert.Throws<ArgumentException>(() => WinogradF23Convolution.Forward(Strided, buffer, buffer, [], buffer));
        var g = Make(1, 2, 4, 4, 2);
        Assert.Throws<ArgumentException>(() =>
            WinogradF23Reference.Forward(g, new float[g.InputLength - 1], new float[g.WeightLength], [],
                new float[g.OutputLength]));
    }

    /// <summary>Fast kernel against the reference (plus residual and the previous y, added in double).</summary>
    private static void CheckFast(in ConvGeometry g, Random random, bool withBias, bool withResidual, bool accumulate)
    {
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = withBias ? RandomArray(random, g.OutChannels) : [];
        float[] residual = withResidual ? RandomArray(random, g.OutputLength) : [];
        float[] before = accumulate ? RandomArray(random, g.OutputLength) : [];
        float[] reference = new float[g.OutputLength];
        WinogradF23Reference.Forward(g, x, weights, bias, reference);
        float[] got = accumulate ? (float[])before.Clone() : RandomArray(random, g.OutputLength, 1e6f);
        WinogradF23Convolution.Forward(g, x, weights, bias, got, residual, accumulate);
        AssertWithinBound($"{g} bias {withBias} residual {withResidual} accumulate {accumulate}",
            Sum(reference, residual, before), got, MagnitudeSums(g, x, weights, bias, residual, before),
            g.InChannels + 10);
    }

    /// <summary>
    /// S per output: the Winograd computation with absolute values throughout, plus |bias|, |residual| and
    /// |y before| (each may be empty).
    /// </summary>
    private static double[] MagnitudeSums(in ConvGeometry g, float[] x, float[] weights, float[] bias,
        float[] residual, float[] before) =>
        ForwardMagnitudeSums(WinogradF23Reference.G, WinogradF23Reference.BT, WinogradF23Reference.AT, g, x, weights,
            bias, residual, before);
}

/// <summary>Once warm, the Winograd kernel allocates nothing on the managed heap.</summary>
[Collection(AllocationCollection.Name)]
public class WinogradF23AllocationTests
{
    [Fact]
    public void WinogradAllocatesNothingOnceWarm()
    {
        if (!WinogradF23Convolution.Available) return;
        AssertAllocatesNothingOnceWarm(9, (g, random) =>
        {
            float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
            float[] bias = new float[g.OutChannels], y = new float[g.OutputLength];
            return () => WinogradF23Convolution.Forward(g, x, w, bias, y);
        });
    }
}

/// <summary>The switch that gives every convolution the direct kernels (runs alone: it is process-wide).</summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradSwitchTests
{
    [Fact]
    public void SwitchedOffEveryConvolutionTakesTheDirectKernels()
    {
        var g = Make(2, 32, 8, 8, 32);
        Assert.True(ConvolutionKernels.WinogradEnabled); // the default
        try
        {
            ConvolutionKernels.WinogradEnabled = false;
            Assert.False(ConvolutionKernels.UsesWinograd(g));
            Assert.False(ConvolutionKernels.UsesWinograd(Make(128, 16, 32, 32, 16)));
        }
        finally
        {
            ConvolutionKernels.WinogradEnabled = true;
        }
        Assert.Equal(WinogradF23Convolution.Available, ConvolutionKernels.UsesWinograd(g));
    }
}
