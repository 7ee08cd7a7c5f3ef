using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Kernels.KernelTestData;

namespace RocketNet.Tests.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3): the double-precision reference against direct convolution, and the fast kernel against
/// the reference, on odd and even sizes, partial tiles, channel counts that are not multiples of 8 or 16.
/// <para>
/// Error bound of the fast kernel, per output: |got − want| ≤ (C + 10)·u·S, u = 2⁻²⁴ (float's unit roundoff) and
/// S the same computation with every matrix, weight and input replaced by its absolute value
/// (S = Σ_c |Aᵀ|·(|G|·|g|·|Gᵀ| ⊙ |Bᵀ|·|d|·|B|)·|A| + |bias| + |residual| + |y before|). Every term of the sum
/// passes through at most C + 10 roundings: 1 for U (computed in double, rounded once), 2 for V (rows, then
/// columns), C for the channel sum (fused multiply-adds, the first onto zero), 4 for the output transform
/// (two additions for the rows, two for the columns), 1 each for bias, residual and accumulation, and 1 more
/// for the reference's own rounding, minus the ones a call does not make; the textbook bound
/// |error| ≤ γ_n·S with γ_n = n·u / (1 − n·u) ≈ n·u for n·u ≪ 1 then applies. S is larger than direct
/// convolution's Σ|w||x| because the transforms mix up to 4×4 inputs and 3×3 weights with coefficients of ±1 and
/// ±½: that is Winograd's extra rounding error.
/// </para>
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradTests
{
    private const double UnitRoundoff = 1.0 / (1 << 24);

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

    private static ConvGeometry Make(int n, int c, int h, int w, int o) => new(n, c, h, w, o, 3, 3, 1, 1, 1, 1);

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
        WinogradReference.Forward(g, x, weights, bias, got);
        double[] magnitude = MagnitudeSums(g, x, weights, bias, [], []);
        // Both sum in double (relative error ~1e-15 of S) and round once to float: at most one float ulp apart.
        for (int i = 0; i < want.Length; i++)
        {
            double bound = 2 * UnitRoundoff * Math.Abs(want[i]) + 1e-12 * magnitude[i];
            Assert.True(Math.Abs(got[i] - want[i]) <= bound,
                $"{g}: output {i} is {got[i]}, direct convolution gives {want[i]} (bound {bound})");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastKernelMatchesReference(int n, int c, int h, int w, int o)
    {
        if (!WinogradConvolution.Available) return;
        var g = Make(n, c, h, w, o);
        CheckFast(g, new Random(c * 7 + w), withBias: true, withResidual: false, accumulate: false);
        CheckFast(g, new Random(h * 5 + o), withBias: false, withResidual: true, accumulate: false);
        CheckFast(g, new Random(n + 3), withBias: true, withResidual: false, accumulate: true);
    }

    private static Gen<(int N, int C, int H, int W, int O, int Seed)> RandomShapes =>
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 20)
        from h in Gen.Choose(1, 19)
        from w in Gen.Choose(1, 37)
        from o in Gen.Choose(1, 12)
        from seed in TestData.Seed
        select (n, c, h, w, o, seed);

    [Property(MaxTest = 40)]
    public Property FastKernelMatchesReferenceOnRandomShapes() =>
        TestData.ForAll(RandomShapes, s =>
        {
            if (!WinogradConvolution.Available) return;
            CheckFast(Make(s.N, s.C, s.H, s.W, s.O), new Random(s.Seed), withBias: s.Seed % 2 == 0,
                withResidual: s.Seed % 3 == 0, accumulate: false);
        });

    [Fact]
    public void FastKernelIsBitIdenticalForOneAndTwoThreads()
    {
        if (!WinogradConvolution.Available) return;
        foreach (var g in new[] { Make(9, 64, 8, 8, 64), Make(4, 16, 32, 32, 16), Make(3, 5, 33, 35, 6),
                     Make(7, 32, 16, 16, 32) })
        {
            var random = new Random(11);
            float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
            float[] bias = RandomArray(random, g.OutChannels);
            float[] Run(int threads)
            {
                var y = new float[g.OutputLength];
                WithThreads(threads, () => WinogradConvolution.Forward(g, x, weights, bias, y));
                return y;
            }
            Assert.Equal(Run(1), Run(2));
        }
    }

    [Fact]
    public void DispatcherTakesWinogradExactlyForTheRule()
    {
        bool available = WinogradConvolution.Available;
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
        WinogradReference.Forward(g, x, weights, bias, want);
        AssertWithinBound(g, want, y, MagnitudeSums(g, x, weights, bias, [], []), "forward");

        var transposed = g with { InChannels = o, OutChannels = c };
        float[] flipped = new float[g.WeightLength]; // [C, O, 3, 3]
        for (int oc = 0; oc < o; oc++)
            for (int ic = 0; ic < c; ic++)
                for (int t = 0; t < 9; t++)
                    flipped[(ic * o + oc) * 9 + t] = weights[(oc * c + ic) * 9 + 8 - t];
        float[] gradX = (float[])before.Clone(), wantGradX = new float[g.InputLength];
        ConvolutionKernels.BackwardInput(g, gradY, weights, gradX);
        WinogradReference.Forward(transposed, gradY, flipped, [], wantGradX);
        for (int i = 0; i < wantGradX.Length; i++) wantGradX[i] += before[i];
        // Adding the previous gradX to the reference rounds once more: one of the bias or residual roundings the
        // bound counts and this call does not make.
        AssertWithinBound(transposed, wantGradX, gradX, MagnitudeSums(transposed, gradY, flipped, [], [], before),
            "input gradient");
    }

    private static void AssertWithinBound(in ConvGeometry g, float[] want, float[] got, double[] magnitude,
        string what)
    {
        for (int i = 0; i < got.Length; i++)
        {
            double bound = (g.InChannels + 10) * UnitRoundoff * magnitude[i];
            if (!(Math.Abs(got[i] - (double)want[i]) <= bound))
                Assert.Fail($"{what} {g}: element {i} is {got[i]}, want {want[i]} (bound {bound}).");
        }
    }

    [Fact]
    public void BadGeometryThrows()
    {
        var strided = new ConvGeometry(1, 2, 8, 8, 2, 3, 3, 2, 2, 1, 1);
        var unpadded = new ConvGeometry(1, 2, 8, 8, 2, 3, 3, 1, 1, 0, 0);
        float[] buffer = new float[256];
        Assert.Throws<ArgumentException>(() => WinogradReference.Forward(strided, buffer, buffer, [], buffer));
        Assert.Throws<ArgumentException>(() => WinogradReference.Forward(unpadded, buffer, buffer, [], buffer));
        if (WinogradConvolution.Available)
            Assert.Throws<ArgumentException>(() => WinogradConvolution.Forward(strided, buffer, buffer, [], buffer));
        var g = Make(1, 2, 4, 4, 2);
        Assert.Throws<ArgumentException>(() =>
            WinogradReference.Forward(g, new float[g.InputLength - 1], new float[g.WeightLength], [],
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
        WinogradReference.Forward(g, x, weights, bias, reference);
        float[] got = accumulate ? (float[])before.Clone() : RandomArray(random, g.OutputLength, 1e6f);
        WinogradConvolution.Forward(g, x, weights, bias, got, residual, accumulate);
        double[] magnitude = MagnitudeSums(g, x, weights, bias, residual, before);
        for (int i = 0; i < got.Length; i++)
        {
            double want = (double)reference[i] + (withResidual ? residual[i] : 0) + (accumulate ? before[i] : 0);
            double bound = (g.InChannels + 10) * UnitRoundoff * magnitude[i];
            if (!(Math.Abs(got[i] - want) <= bound))
                Assert.Fail($"{g} bias {withBias} residual {withResidual} accumulate {accumulate}: output {i} is " +
                    $"{got[i]}, want {want}, |difference| {Math.Abs(got[i] - want)} > bound {bound}.");
        }
    }

    /// <summary>
    /// S per output: the Winograd computation with absolute values throughout, plus |bias|, |residual| and
    /// |y before| (each may be empty).
    /// </summary>
    private static double[] MagnitudeSums(in ConvGeometry g, float[] x, float[] weights, float[] bias,
        float[] residual, float[] before)
    {
        double[,] gAbs = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, 0.5, 0.5 }, { 0, 0, 1 } };
        double[,] btAbs = { { 1, 0, 1, 0 }, { 0, 1, 1, 0 }, { 0, 1, 1, 0 }, { 0, 1, 0, 1 } };
        double[,] atAbs = { { 1, 1, 1, 0 }, { 0, 1, 1, 1 } };
        int h = g.Height, w = g.Width, channels = g.InChannels, outs = g.OutChannels;
        var u = new double[outs, channels, 4, 4];
        for (int o = 0; o < outs; o++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        for (int a = 0; a < 3; a++)
                            for (int b = 0; b < 3; b++)
                            {
                                float tap = weights[((o * channels + c) * 3 + a) * 3 + b];
                                u[o, c, i, j] += gAbs[i, a] * Math.Abs(tap) * gAbs[j, b];
                            }
        var sums = new double[g.OutputLength];
        var v = new double[channels, 4, 4];
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
                        for (int p = 0; p < 2; p++)
                            for (int q = 0; q < 2; q++)
                            {
                                int row = 2 * ty + p, column = 2 * tx + q;
                                if (row >= h || column >= w) continue;
                                double sum = 0;
                                for (int c = 0; c < channels; c++)
                                    for (int i = 0; i < 4; i++)
                                        for (int j = 0; j < 4; j++)
                                            sum += atAbs[p, i] * u[o, c, i, j] * v[c, i, j] * atAbs[q, j];
                                int index = ((n * outs + o) * h + row) * w + column;
                                sums[index] = sum + (bias.Length > 0 ? Math.Abs(bias[o]) : 0)
                                    + (residual.Length > 0 ? Math.Abs(residual[index]) : 0)
                                    + (before.Length > 0 ? Math.Abs(before[index]) : 0);
                            }
                }
        return sums;
    }
}

/// <summary>Once warm, the Winograd kernel allocates nothing on the managed heap.</summary>
[Collection(AllocationCollection.Name)]
public class WinogradAllocationTests
{
    [Fact]
    public void WinogradAllocatesNothingOnceWarm()
    {
        if (!WinogradConvolution.Available) return;
        foreach (var g in new[] { new ConvGeometry(4, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1),
                     new ConvGeometry(9, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1),
                     new ConvGeometry(2, 5, 7, 9, 3, 3, 3, 1, 1, 1, 1) })
        {
            var random = new Random(8);
            float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
            float[] bias = new float[g.OutChannels], y = new float[g.OutputLength];
            KernelAllocationTests.AssertNoSteadyStateAllocation(() => WinogradConvolution.Forward(g, x, w, bias, y));
        }
    }
}

/// <summary>The switch that gives every convolution the direct kernels (runs alone: it is process-wide).</summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradSwitchTests
{
    [Fact]
    public void SwitchedOffEveryConvolutionTakesTheDirectKernels()
    {
        var g = new ConvGeometry(2, 32, 8, 8, 32, 3, 3, 1, 1, 1, 1);
        Assert.True(ConvolutionKernels.WinogradEnabled); // the default
        try
        {
            ConvolutionKernels.WinogradEnabled = false;
            Assert.False(ConvolutionKernels.UsesWinograd(g));
            Assert.False(ConvolutionKernels.UsesWinograd(new ConvGeometry(128, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1)));
        }
        finally
        {
            ConvolutionKernels.WinogradEnabled = true;
        }
        Assert.Equal(WinogradConvolution.Available, ConvolutionKernels.UsesWinograd(g));
    }
}
