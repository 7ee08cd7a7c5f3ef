using RocketNet.Kernels;
using Xunit;
using Xunit.Abstractions;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;
using static RocketNet.Tests.Engine.Kernels.WinogradContract;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// Winograd F(4×4, 3×3): the <see cref="WinogradForwardTests{TVariant}"/> (the double-precision reference and the
/// fast kernel against direct convolution, <see cref="ConvolutionReference"/>, on odd sizes, partial tiles and image
/// groups, 1×1 images, channel counts that are not multiples of 8 or 16; the shapes are
/// <see cref="WinogradF43Forward"/>'s), and here the largest error measured, the dispatched forward and input
/// gradient, and bad arguments.
/// <para>
/// Error bound of the fast kernel, per output (the <see cref="WinogradContract"/>): |got − want| ≤ (C + 15)·u·S,
/// S the F(4×4, 3×3) computation with absolute values
/// (S = Σ_c |Aᵀ|·(|G|·|g|·|Gᵀ| ⊙ |Bᵀ|·|d|·|B|)·|A| + |bias| + |residual| + |y before|). Every term of the sum
/// passes through at most C + 15 roundings: 1 for U (computed in double, rounded once), 4 for V (the rows of Bᵀ
/// round each input at most twice, as (d3 + d4) − 4(d1 + d2): an addition and a fused multiply-add; then the
/// columns), C for the channel sum (fused multiply-adds), 6 for the output transform (at most three per pass, as
/// m0 + (m1 + m2) + (m3 + m4)), 1 each for bias, residual and accumulation, and 1 for direct convolution's own
/// rounding to float. The bound is F(2×2, 3×3)'s form
/// (WinogradF23Tests) with 5 more roundings, but S itself is what grows: |Bᵀ| has rows summing to up to 10 and |Aᵀ|
/// to 18, so on the WRN shapes S is a median 60× direct convolution's D = Σ|w||x| + |bias| (up to 700× where D is
/// small). Measured (<see cref="LargestErrorStaysWellInsideTheBound"/>): the largest error is about 0.1·u·S, some
/// 40–47·u·D, on 16, 32 and 64 channels.
/// </para>
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradF43Tests(ITestOutputHelper log) : WinogradForwardTests<WinogradF43Forward>
{
    [Fact]
    public void LargestErrorStaysWellInsideTheBound()
    {
        // The WRN layer shapes (narrowed batch): the bound is a worst case; the log says how much of it is used,
        // and the largest error in units of direct convolution's u·Σ|w||x| (D) for comparison with other kernels.
        if (!WinogradF43Convolution.Available) return;
        foreach (var g in new[] { Make(2, 16, 32, 32, 16), Make(4, 32, 16, 16, 32), Make(8, 64, 8, 8, 64) })
        {
            var random = new Random(g.InChannels);
            float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
            float[] bias = RandomArray(random, g.OutChannels);
            float[] want = new float[g.OutputLength], got = new float[g.OutputLength];
            float[] direct = new float[g.OutputLength];
            ConvolutionReference.Forward(g, x, weights, bias, want);
            WinogradF43Convolution.Forward(g, x, weights, bias, got);
            ConvolutionReference.Forward(g, Array.ConvertAll(x, Math.Abs), Array.ConvertAll(weights, Math.Abs),
                Array.ConvertAll(bias, Math.Abs), direct);
            double[] magnitude = MagnitudeSums(g, x, weights, bias, [], []);
            double ofS = 0, ofDirect = 0;
            var growth = new double[got.Length];
            for (int i = 0; i < got.Length; i++)
            {
                double error = Math.Abs((double)got[i] - want[i]);
                Assert.True(error <= (g.InChannels + 15) * UnitRoundoff * magnitude[i], $"{g}: output {i}");
                ofS = Math.Max(ofS, error / (UnitRoundoff * magnitude[i]));
                ofDirect = Math.Max(ofDirect, error / (UnitRoundoff * direct[i]));
                growth[i] = magnitude[i] / direct[i];
            }
            Array.Sort(growth);
            log.WriteLine($"{g.InChannels}→{g.OutChannels} {g.Height}×{g.Width}: largest |error| = {ofS:0.00}·u·S " +
                $"(bound {g.InChannels + 15}·u·S) = {ofDirect:0.00}·u·D; S / D median " +
                $"{growth[growth.Length / 2]:0.0}, max {growth[^1]:0.0}");
        }
    }

    [Theory]
    [InlineData(16, 16, 8, 8, 16)]
    [InlineData(14, 20, 9, 7, 16)]
    [InlineData(32, 16, 4, 4, 24)]
    public void DispatchedForwardAndInputGradientKeepTheBound(int n, int c, int h, int w, int o)
    {
        // Where the dispatcher takes F(4×4, 3×3), its forward (with bias and residual) and its input gradient (the
        // forward of gradY with the flipped, channel-transposed kernel, accumulated) stay within the bound above.
        var g = Make(n, c, h, w, o);
        if (!WinogradF43Convolution.Available) return;
        Assert.Equal(ConvolutionKernels.ForwardKernel.WinogradF43, ConvolutionKernels.ChooseForward(g));
        var random = new Random(c + o);
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = RandomArray(random, o), residual = RandomArray(random, g.OutputLength);
        float[] y = new float[g.OutputLength], want = new float[g.OutputLength];
        ConvolutionKernels.Forward(g, x, weights, bias, y, residual);
        ConvolutionReference.Forward(g, x, weights, bias, want);
        AssertWithinBound($"forward {g}", Sum(want, residual), y, MagnitudeSums(g, x, weights, bias, residual, []),
            c + 15);

        var transposed = g with { InChannels = o, OutChannels = c };
        float[] flipped = Flipped(weights, c, o);
        float[] gradY = RandomArray(random, g.OutputLength), before = RandomArray(random, g.InputLength);
        float[] gradX = (float[])before.Clone(), wantGradX = new float[g.InputLength];
        ConvolutionKernels.BackwardInput(g, gradY, weights, gradX);
        ConvolutionReference.BackwardInput(g, gradY, weights, wantGradX);
        AssertWithinBound($"input gradient {transposed}", Sum(wantGradX, before), gradX,
            MagnitudeSums(transposed, gradY, flipped, [], [], before), o + 15);
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        var strided = Strided;
        var unpadded = Unpadded;
        var fiveByFive = new ConvGeometry(1, 2, 8, 8, 2, 5, 5, 1, 1, 2, 2);
        float[] buffer = new float[512];
        foreach (var bad in new[] { strided, unpadded, fiveByFive })
            Assert.Throws<ArgumentException>(() => WinogradF43Reference.Forward(bad, buffer, buffer, [], buffer));
        var g = Make(1, 2, 4, 4, 2);
        Assert.Throws<ArgumentException>(() => WinogradF43Reference.Forward(g, new float[g.InputLength - 1],
            new float[g.WeightLength], [], new float[g.OutputLength]));
        if (!WinogradF43Convolution.Available) return;
        foreach (var bad in new[] { strided, unpadded, fiveByFive })
            Assert.Throws<ArgumentException>(() => WinogradF43Convolution.Forward(bad, buffer, buffer, [], buffer));
        float[] x = new float[g.InputLength], w = new float[g.WeightLength], y = new float[g.OutputLength];
        Assert.Throws<ArgumentException>(() => WinogradF43Convolution.Forward(g, x.AsSpan(1), w, [], y));
        Assert.Throws<ArgumentException>(() => WinogradF43Convolution.Forward(g, x, w.AsSpan(1), [], y));
        Assert.Throws<ArgumentException>(() => WinogradF43Convolution.Forward(g, x, w, [], y.AsSpan(1)));
        Assert.Throws<ArgumentException>(() => WinogradF43Convolution.Forward(g, x, w, new float[1], y));
        var exception = Assert.Throws<ArgumentException>(() =>
            WinogradF43Convolution.Forward(g, x, w, [], y, new float[g.OutputLength - 1]));
        Assert.Contains("residual", exception.Message);
    }
}

/// <summary>F(4×4, 3×3) for <see cref="WinogradForwardTests{TVariant}"/>: held to direct convolution.</summary>
public readonly struct WinogradF43Forward : IWinogradForwardVariant
{
    public static bool Available => WinogradF43Convolution.Available;

    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        // N, C, H, W, O
        { 1, 1, 1, 1, 1 },     // one pixel: one tile, 15 of its 16 outputs outside the image
        { 3, 2, 1, 1, 3 },     // 1×1 images, batch 3: one tile, three lanes of sixteen
        { 1, 3, 5, 7, 2 },     // partial last tile row and column
        { 3, 5, 9, 9, 4 },     // 3 tile rows and columns, the last holding one output
        { 2, 16, 8, 8, 16 },   // WRN 8×8 shape, narrowed
        { 17, 6, 8, 8, 5 },    // two image groups, the second with one image
        { 1, 17, 9, 33, 9 },   // 9 tile columns
        { 2, 3, 33, 35, 5 },   // chunks of 2 tile rows, the last one short
        { 1, 13, 32, 32, 17 }, // O = 16 + 1: a padded block of 8 rows in U
        { 3, 32, 16, 16, 32 }, // WRN 16×16 shape
        { 5, 64, 8, 8, 64 },   // WRN 8×8 shape
        { 1, 4, 1, 40, 3 },    // one row
        { 2, 3, 40, 1, 2 },    // one column
        { 1, 20, 64, 64, 3 },  // one tile row per chunk, 16 chunks
        { 7, 7, 5, 3, 10 },
    };

    public static ConvGeometry[] ThreadCountShapes =>
        [Make(33, 64, 8, 8, 64), Make(4, 16, 32, 32, 16), Make(3, 5, 33, 35, 6), Make(18, 32, 16, 16, 32)];

    public static int MaxRandomBatch => 18;

    public static int RoundingsBeyondChannels => 15;

    public static double ReferenceTolerance => 1e-10;

    public static (double[,] G, double[,] BT, double[,] AT) Transforms =>
        (WinogradF43Reference.G, WinogradF43Reference.BT, WinogradF43Reference.AT);

    public static void Reference(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y) => WinogradF43Reference.Forward(g, x, w, bias, y);

    public static void FastKernelWant(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y) => ConvolutionReference.Forward(g, x, w, bias, y);

    public static void Fast(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default, bool accumulate = false) =>
        WinogradF43Convolution.Forward(g, x, w, bias, y, residual, accumulate);
}

/// <summary>Once warm, the F(4×4, 3×3) kernel allocates nothing on the managed heap.</summary>
[Collection(AllocationCollection.Name)]
public class WinogradF43AllocationTests
{
    [Fact]
    public void WinogradF43AllocatesNothingOnceWarm()
    {
        if (!WinogradF43Convolution.Available) return;
        AssertAllocatesNothingOnceWarm(17, (g, random) =>
        {
            float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
            float[] bias = new float[g.OutChannels], y = new float[g.OutputLength], residual = new float[y.Length];
            return () => WinogradF43Convolution.Forward(g, x, w, bias, y, residual, accumulate: true);
        });
    }
}
