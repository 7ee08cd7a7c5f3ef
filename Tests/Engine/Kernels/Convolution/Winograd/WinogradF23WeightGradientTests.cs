using FsCheck;
using FsCheck.Xunit;
using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;
using static RocketNet.Tests.Engine.Kernels.WinogradContract;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) weight gradient: the double-precision reference against the direct weight gradient, and
/// the fast kernel against the reference, on odd and even sizes, partial tiles, channel counts that are not
/// multiples of 8 or 32, and chunks of tile rows as well as of whole images.
/// <para>
/// Error bound of the fast kernel, per weight (the <see cref="WinogradContract"/>): |got − want| ≤ (T + 22)·u·S,
/// T the batch's tile count and S the computation with absolute values
/// (S = Σ_tiles |Gᵀ|·(|A|·|dY|·|Aᵀ| ⊙ |Bᵀ|·|d|·|B|)·|G|, plus |gradW before|). Every term passes through at most
/// T + 22 roundings: 2 for V and 2 for Y' (rows, then columns), one fused multiply-add per tile of its group's
/// chain (at most T), at most 16 − 1 additions of the groups' partial sums, 1 for the back transform (in double,
/// rounded once), 1 for adding to gradW and 1 for the reference's own rounding. The chain over tiles dominates: it
/// is the length of the dot product every weight gradient is.
/// </para>
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradF23WeightGradientTests
{
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        // N, C, H, W, O
        { 1, 1, 1, 1, 1 },     // one pixel: one tile, three quarters outside the image
        { 2, 3, 2, 2, 2 },
        { 1, 2, 3, 5, 3 },     // odd sizes: partial last tile row and column
        { 3, 5, 7, 6, 4 },
        { 2, 16, 8, 8, 16 },
        { 1, 17, 9, 33, 9 },   // 17 tile columns: a run of 16 tiles and one of 1
        { 1, 33, 9, 17, 10 },  // C = 32 + 1: a second channel panel, nearly all padding
        { 1, 13, 32, 32, 17 }, // O = 16 + 1: a padded block of 8 rows of Y'
        { 3, 32, 16, 16, 32 }, // WRN 16×16 shape
        { 5, 64, 8, 8, 64 },   // WRN 8×8 shape
        { 1, 4, 1, 40, 3 },    // one row
        { 2, 3, 40, 1, 2 },    // one column
        { 1, 20, 64, 64, 3 },  // chunks of tile rows of one image
        { 40, 7, 5, 3, 10 },   // many small images per chunk, more chunks than groups
        { 2, 5, 6, 8, 3 },     // runs of whole tile rows (W = 8), the last run of an image short
        { 1, 3, 10, 4, 2 },    // W = 4: runs of 8 tile rows, 5 in the image
        { 1, 40, 62, 16, 40 }, // W = 16 in chunks of tile rows, the last chunk an odd number of them
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ReferenceMatchesDirectWeightGradient(int n, int c, int h, int w, int o)
    {
        var g = Make(n, c, h, w, o);
        var random = new Random(n * 1000 + c * 100 + h * 10 + w);
        float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
        float[] want = new float[g.WeightLength], got = new float[g.WeightLength];
        ConvolutionReference.BackwardWeight(g, x, gradY, want, []);
        WinogradF23Reference.BackwardWeight(g, x, gradY, got);
        AssertReferenceMatchesDirect(g.ToString(), want, got, MagnitudeSums(g, x, gradY, []), 1e-12);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastKernelMatchesReference(int n, int c, int h, int w, int o)
    {
        if (!WinogradF23WeightGradient.Available) return;
        var g = Make(n, c, h, w, o);
        CheckFast(g, new Random(c * 7 + w), accumulate: false);
        CheckFast(g, new Random(h * 5 + o), accumulate: true);
    }

    [Property(MaxTest = 40)]
    public Property FastKernelMatchesReferenceOnRandomShapes() =>
        TestData.ForAll(RandomShapes(3, 40, 20), s =>
        {
            if (!WinogradF23WeightGradient.Available) return;
            CheckFast(Make(s.N, s.C, s.H, s.W, s.O), new Random(s.Seed), accumulate: s.Seed % 2 == 0);
        });

    [Fact]
    public void WideLayerWithFewerPartialSums()
    {
        // 288 channels each way: one partial dU is 1.3 M floats, so the 64 MB budget allows 12 of them for the 13
        // chunks (26 images of 8×8, two per chunk) instead of 16 — the chunks of a group are summed in order.
        if (!WinogradF23WeightGradient.Available) return;
        CheckFast(Make(26, 288, 8, 8, 288), new Random(5), accumulate: true);
    }

    [Fact]
    public void FastKernelIsBitIdenticalForOneAndTwoThreads()
    {
        if (!WinogradF23WeightGradient.Available) return;
        AssertSameBitsOnOneAndTwoThreads(
            [Make(9, 64, 8, 8, 64), Make(4, 16, 32, 32, 16), Make(3, 5, 33, 35, 6), Make(7, 32, 16, 16, 32),
                Make(2, 40, 64, 64, 8)],
            (g, random) =>
            {
                float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
                return () =>
                {
                    var gradW = new float[g.WeightLength];
                    WinogradF23WeightGradient.BackwardWeight(g, x, gradY, gradW);
                    return gradW;
                };
            });
    }

    [Theory]
    [InlineData(2, 32, 8, 8, 32)]
    [InlineData(1, 32, 9, 7, 40)]
    [InlineData(3, 32, 16, 16, 32)]
    public void DispatchedWeightGradientKeepsTheBound(int n, int c, int h, int w, int o)
    {
        // Where the dispatcher takes Winograd for the weight gradient, it stays within the bound above; the bias
        // gradient is summed as before.
        var g = Make(n, c, h, w, o);
        Assert.Equal(WinogradF23WeightGradient.Available, ConvolutionKernels.UsesWinogradWeightGradient(g));
        var random = new Random(c + o);
        float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
        float[] before = RandomArray(random, g.WeightLength);
        float[] gradW = (float[])before.Clone(), gradBias = new float[o];
        float[] want = new float[g.WeightLength];
        ConvolutionKernels.BackwardWeight(g, x, gradY, gradW, gradBias);
        WinogradF23Reference.BackwardWeight(g, x, gradY, want);
        AssertWithinBound(g, want, before, gradW, MagnitudeSums(g, x, gradY, before));
        var biasReference = new float[o];
        ConvolutionReference.BackwardWeight(g, x, gradY, new float[g.WeightLength], biasReference);
        AssertClose(biasReference, gradBias, 1e-4f, "bias gradient");
    }

    [Fact]
    public void DispatcherTakesWinogradExactlyForTheRule()
    {
        bool available = WinogradF23WeightGradient.Available;
        Assert.Equal(available, ConvolutionKernels.UsesWinogradWeightGradient(Make(128, 32, 16, 16, 32)));
        Assert.Equal(available, ConvolutionKernels.UsesWinogradWeightGradient(Make(1, 64, 8, 8, 64)));
        Assert.False(ConvolutionKernels.UsesWinogradWeightGradient(Make(128, 3, 32, 32, 16))); // the stem
        // Fewest channels: 32 on AVX-512 (fewer measured slower than the packed tiles), 16 on 128 bits (where the
        // alternative is im2col + GEMM).
        int least = Winograd.Available ? ConvolutionKernels.WinogradMinChannels
            : ConvolutionKernels.WinogradWeightGradientMinChannels128;
        Assert.Equal(available, ConvolutionKernels.UsesWinogradWeightGradient(Make(2, least, 8, 8, least)));
        Assert.False(ConvolutionKernels.UsesWinogradWeightGradient(Make(2, 32, 8, 8, least - 1)));
        Assert.False(ConvolutionKernels.UsesWinogradWeightGradient(new ConvGeometry(2, 32, 8, 8, 32, 3, 3, 2, 2, 1,
            1)));
        Assert.False(ConvolutionKernels.UsesWinogradWeightGradient(new ConvGeometry(2, 32, 8, 8, 32, 1, 1, 1, 1, 0,
            0)));
    }

    [Fact]
    public void BadGeometryThrows()
    {
        var strided = Strided;
        float[] buffer = new float[256];
        Assert.Throws<ArgumentException>(() => WinogradF23Reference.BackwardWeight(strided, buffer, buffer, buffer));
        if (WinogradF23WeightGradient.Available)
            Assert.Throws<ArgumentException>(() =>
                WinogradF23WeightGradient.BackwardWeight(strided, buffer, buffer, buffer));
        var g = Make(1, 2, 4, 4, 2);
        if (WinogradF23WeightGradient.Available)
            Assert.Throws<ArgumentException>(() => WinogradF23WeightGradient.BackwardWeight(g, new float[g.InputLength],
                new float[g.OutputLength], new float[g.WeightLength - 1]));
    }

    /// <summary>Fast kernel against the reference, onto zeros or onto a previous gradient.</summary>
    private static void CheckFast(in ConvGeometry g, Random random, bool accumulate)
    {
        float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
        float[] before = accumulate ? RandomArray(random, g.WeightLength) : new float[g.WeightLength];
        float[] reference = new float[g.WeightLength], got = (float[])before.Clone();
        WinogradF23Reference.BackwardWeight(g, x, gradY, reference);
        WinogradF23WeightGradient.BackwardWeight(g, x, gradY, got);
        AssertWithinBound(g, reference, before, got, MagnitudeSums(g, x, gradY, before));
    }

    /// <summary>Within (T + 22)·u·S of reference + before, T the batch's tile count.</summary>
    private static void AssertWithinBound(in ConvGeometry g, float[] reference, float[] before, float[] got,
        double[] magnitude)
    {
        int tiles = g.Batch * ((g.Height + 1) / 2) * ((g.Width + 1) / 2);
        WinogradContract.AssertWithinBound(g.ToString(), Sum(reference, before), got, magnitude, tiles + 22);
    }

    /// <summary>S per weight: the Winograd weight gradient with absolute values throughout, plus |before|.</summary>
    private static double[] MagnitudeSums(in ConvGeometry g, float[] x, float[] gradY, float[] before)
    {
        double[,] gAbs = Absolute(WinogradF23Reference.G), btAbs = Absolute(WinogradF23Reference.BT);
        double[,] atAbs = Absolute(WinogradF23Reference.AT);
        int h = g.Height, w = g.Width, channels = g.InChannels, outs = g.OutChannels;
        var sums = new double[outs, channels, 4, 4];
        var v = new double[channels, 4, 4];
        var y = new double[4, 4];
        for (int n = 0; n < g.Batch; n++)
            for (int ty = 0; ty < (h + 1) / 2; ty++)
                for (int tx = 0; tx < (w + 1) / 2; tx++)
                {
                    Array.Clear(v);
                    for (int c = 0; c < channels; c++)
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++)
                                for (int a = 0; a < 4; a++)
                                    for (int b = 0; b < 4; b++)
                                    {
                                        int row = 2 * ty - 1 + a, column = 2 * tx - 1 + b;
                                        if ((uint)row >= (uint)h || (uint)column >= (uint)w) continue;
                                        float cell = x[((n * channels + c) * h + row) * w + column];
                                        v[c, i, j] += btAbs[i, a] * Math.Abs(cell) * btAbs[j, b];
                                    }
                    for (int o = 0; o < outs; o++)
                    {
                        Array.Clear(y);
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++)
                                for (int p = 0; p < 2; p++)
                                    for (int q = 0; q < 2; q++)
                                    {
                                        int row = 2 * ty + p, column = 2 * tx + q;
                                        if (row >= h || column >= w) continue;
                                        float cell = gradY[((n * outs + o) * h + row) * w + column];
                                        y[i, j] += atAbs[p, i] * Math.Abs(cell) * atAbs[q, j];
                                    }
                        for (int c = 0; c < channels; c++)
                            for (int i = 0; i < 4; i++)
                                for (int j = 0; j < 4; j++)
                                    sums[o, c, i, j] += y[i, j] * v[c, i, j];
                    }
                }
        var magnitude = new double[g.WeightLength];
        for (int o = 0; o < outs; o++)
            for (int c = 0; c < channels; c++)
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                    {
                        int index = ((o * channels + c) * 3 + a) * 3 + b;
                        double sum = before.Length > 0 ? Math.Abs(before[index]) : 0;
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++)
                                sum += gAbs[i, a] * sums[o, c, i, j] * gAbs[j, b];
                        magnitude[index] = sum;
                    }
        return magnitude;
    }
}

/// <summary>Once warm, the Winograd weight gradient allocates nothing on the managed heap.</summary>
[Collection(AllocationCollection.Name)]
public class WinogradF23WeightGradientAllocationTests
{
    [Fact]
    public void AllocatesNothingOnceWarm()
    {
        if (!WinogradF23WeightGradient.Available) return;
        AssertAllocatesNothingOnceWarm(9, (g, random) =>
        {
            float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
            float[] gradW = new float[g.WeightLength];
            return () => WinogradF23WeightGradient.BackwardWeight(g, x, gradY, gradW);
        });
    }
}
