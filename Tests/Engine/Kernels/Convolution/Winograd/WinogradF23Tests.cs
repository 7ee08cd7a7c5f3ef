using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;
using static RocketNet.Tests.Engine.Kernels.WinogradContract;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3): the <see cref="WinogradForwardTests{TVariant}"/> (the double-precision reference against
/// direct convolution, the fast kernel against the reference, on odd and even sizes, partial tiles, channel counts
/// that are not multiples of 8 or 16; the shapes are <see cref="WinogradF23Forward"/>'s), and here the dispatch
/// rule, the dispatched forward and input gradient, and bad geometry.
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
public class WinogradF23Tests : WinogradForwardTests<WinogradF23Forward>
{
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
}

/// <summary>F(2×2, 3×3) for <see cref="WinogradForwardTests{TVariant}"/>: held to its own reference.</summary>
public readonly struct WinogradF23Forward : IWinogradForwardVariant
{
    public static bool Available => WinogradF23Convolution.Available;

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

    public static ConvGeometry[] ThreadCountShapes =>
        [Make(9, 64, 8, 8, 64), Make(4, 16, 32, 32, 16), Make(3, 5, 33, 35, 6), Make(7, 32, 16, 16, 32)];

    public static int MaxRandomBatch => 3;

    public static int RoundingsBeyondChannels => 10;

    public static double ReferenceTolerance => 1e-12;

    public static (double[,] G, double[,] BT, double[,] AT) Transforms =>
        (WinogradF23Reference.G, WinogradF23Reference.BT, WinogradF23Reference.AT);

    public static void Reference(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y) => WinogradF23Reference.Forward(g, x, w, bias, y);

    public static void FastKernelWant(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y) => WinogradF23Reference.Forward(g, x, w, bias, y);

    public static void Fast(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default, bool accumulate = false) =>
        WinogradF23Convolution.Forward(g, x, w, bias, y, residual, accumulate);
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
