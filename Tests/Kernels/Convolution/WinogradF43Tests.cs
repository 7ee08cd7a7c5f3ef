using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Kernels;
using Xunit;
using Xunit.Abstractions;
using static RocketNet.Tests.Kernels.KernelTestData;

namespace RocketNet.Tests.Kernels;

/// <summary>
/// Winograd F(4×4, 3×3): the double-precision reference and the fast kernel against direct convolution
/// (<see cref="ConvolutionReference"/>), on odd sizes, partial tiles and image groups, 1×1 images, channel counts
/// that are not multiples of 8 or 16.
/// <para>
/// Error bound of the fast kernel, per output: |got − want| ≤ (C + 15)·u·S, u = 2⁻²⁴ and S the F(4×4, 3×3)
/// computation with every matrix, weight and input replaced by its absolute value
/// (S = Σ_c |Aᵀ|·(|G|·|g|·|Gᵀ| ⊙ |Bᵀ|·|d|·|B|)·|A| + |bias| + |residual| + |y before|). Every term of the sum
/// passes through at most C + 15 roundings: 1 for U (computed in double, rounded once), 4 for V (the rows of Bᵀ
/// round each input at most twice, as (d3 + d4) − 4(d1 + d2): an addition and a fused multiply-add; then the
/// columns), C for the channel sum (fused multiply-adds), 6 for the output transform (at most three per pass, as
/// m0 + (m1 + m2) + (m3 + m4)), 1 each for bias, residual and accumulation, and 1 for direct convolution's own
/// rounding to float; then |error| ≤ γ_n·S with γ_n = n·u / (1 − n·u) ≈ n·u. The bound is F(2×2, 3×3)'s form
/// (WinogradTests) with 5 more roundings, but S itself is what grows: |Bᵀ| has rows summing to up to 10 and |Aᵀ|
/// to 18, so on the WRN shapes S is a median 60× direct convolution's D = Σ|w||x| + |bias| (up to 700× where D is
/// small). Measured (<see cref="LargestErrorStaysWellInsideTheBound"/>): the largest error is about 0.1·u·S, some
/// 40–47·u·D, on 16, 32 and 64 channels.
/// </para>
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class WinogradF43Tests(ITestOutputHelper log)
{
    private const double UnitRoundoff = 1.0 / (1 << 24);

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
        WinogradF43Reference.Forward(g, x, weights, bias, got);
        double[] magnitude = MagnitudeSums(g, x, weights, bias, [], []);
        // Both sum in double (relative error ~1e-15 of S) and round once to float: at most one float ulp apart.
        for (int i = 0; i < want.Length; i++)
        {
            double bound = 2 * UnitRoundoff * Math.Abs(want[i]) + 1e-10 * magnitude[i];
            Assert.True(Math.Abs(got[i] - want[i]) <= bound,
                $"{g}: output {i} is {got[i]}, direct convolution gives {want[i]} (bound {bound})");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastKernelMatchesDirectConvolution(int n, int c, int h, int w, int o)
    {
        if (!WinogradF43Convolution.Available) return;
        var g = Make(n, c, h, w, o);
        CheckFast(g, new Random(c * 7 + w), withBias: true, withResidual: false, accumulate: false);
        CheckFast(g, new Random(h * 5 + o), withBias: false, withResidual: true, accumulate: false);
        CheckFast(g, new Random(n + 3), withBias: true, withResidual: true, accumulate: true);
    }

    private static Gen<(int N, int C, int H, int W, int O, int Seed)> RandomShapes =>
        from n in Gen.Choose(1, 18)
        from c in Gen.Choose(1, 20)
        from h in Gen.Choose(1, 19)
        from w in Gen.Choose(1, 37)
        from o in Gen.Choose(1, 12)
        from seed in TestData.Seed
        select (n, c, h, w, o, seed);

    [Property(MaxTest = 40)]
    public Property FastKernelMatchesDirectConvolutionOnRandomShapes() =>
        TestData.ForAll(RandomShapes, s =>
        {
            if (!WinogradF43Convolution.Available) return;
            CheckFast(Make(s.N, s.C, s.H, s.W, s.O), new Random(s.Seed), withBias: s.Seed % 2 == 0,
                withResidual: s.Seed % 3 == 0, accumulate: s.Seed % 5 == 0);
        });

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

    [Fact]
    public void FastKernelIsBitIdenticalForOneAndTwoThreads()
    {
        if (!WinogradF43Convolution.Available) return;
        foreach (var g in new[] { Make(33, 64, 8, 8, 64), Make(4, 16, 32, 32, 16), Make(3, 5, 33, 35, 6),
                     Make(18, 32, 16, 16, 32) })
        {
            var random = new Random(11);
            float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
            float[] bias = RandomArray(random, g.OutChannels);
            float[] Run(int threads)
            {
                var y = new float[g.OutputLength];
                WithThreads(threads, () => WinogradF43Convolution.Forward(g, x, weights, bias, y));
                return y;
            }
            Assert.Equal(Run(1), Run(2));
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
        AssertWithinBound(g, want, residual, y, MagnitudeSums(g, x, weights, bias, residual, []), "forward");

        var transposed = g with { InChannels = o, OutChannels = c };
        float[] flipped = new float[g.WeightLength]; // [C, O, 3, 3]
        for (int oc = 0; oc < o; oc++)
            for (int ic = 0; ic < c; ic++)
                for (int t = 0; t < 9; t++)
                    flipped[(ic * o + oc) * 9 + t] = weights[(oc * c + ic) * 9 + 8 - t];
        float[] gradY = RandomArray(random, g.OutputLength), before = RandomArray(random, g.InputLength);
        float[] gradX = (float[])before.Clone(), wantGradX = new float[g.InputLength];
        ConvolutionKernels.BackwardInput(g, gradY, weights, gradX);
        ConvolutionReference.BackwardInput(g, gradY, weights, wantGradX);
        AssertWithinBound(transposed, wantGradX, before, gradX,
            MagnitudeSums(transposed, gradY, flipped, [], [], before), "input gradient");
    }

    /// <summary>|got − (want + added)| ≤ (C + 15)·u·S, the sum in double.</summary>
    private static void AssertWithinBound(in ConvGeometry g, float[] want, float[] added, float[] got,
        double[] magnitude, string what)
    {
        for (int i = 0; i < got.Length; i++)
        {
            double expected = (double)want[i] + added[i], bound = (g.InChannels + 15) * UnitRoundoff * magnitude[i];
            if (!(Math.Abs(got[i] - expected) <= bound))
                Assert.Fail($"{what} {g}: element {i} is {got[i]}, want {expected} (bound {bound}).");
        }
    }

    [Fact]
    public void BadArgumentsThrow()
    {
        var strided = new ConvGeometry(1, 2, 8, 8, 2, 3, 3, 2, 2, 1, 1);
        var unpadded = new ConvGeometry(1, 2, 8, 8, 2, 3, 3, 1, 1, 0, 0);
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

    /// <summary>
    /// Fast kernel against direct convolution (plus residual and the previous y, added in double); returns the
    /// largest |error| / (u·S).
    /// </summary>
    internal static double CheckFast(in ConvGeometry g, Random random, bool withBias, bool withResidual,
        bool accumulate)
    {
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = withBias ? RandomArray(random, g.OutChannels) : [];
        float[] residual = withResidual ? RandomArray(random, g.OutputLength) : [];
        float[] before = accumulate ? RandomArray(random, g.OutputLength) : [];
        float[] reference = new float[g.OutputLength];
        ConvolutionReference.Forward(g, x, weights, bias, reference);
        float[] got = accumulate ? (float[])before.Clone() : RandomArray(random, g.OutputLength, 1e6f);
        WinogradF43Convolution.Forward(g, x, weights, bias, got, residual, accumulate);
        double[] magnitude = MagnitudeSums(g, x, weights, bias, residual, before);
        double used = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double want = (double)reference[i] + (withResidual ? residual[i] : 0) + (accumulate ? before[i] : 0);
            double error = Math.Abs(got[i] - want), bound = (g.InChannels + 15) * UnitRoundoff * magnitude[i];
            if (!(error <= bound))
                Assert.Fail($"{g} bias {withBias} residual {withResidual} accumulate {accumulate}: output {i} is " +
                    $"{got[i]}, want {want}, |difference| {error} > bound {bound}.");
            used = Math.Max(used, error / (UnitRoundoff * magnitude[i]));
        }
        return used;
    }

    /// <summary>
    /// S per output: the F(4×4, 3×3) computation with absolute values throughout, plus |bias|, |residual| and
    /// |y before| (each may be empty).
    /// </summary>
    internal static double[] MagnitudeSums(in ConvGeometry g, float[] x, float[] weights, float[] bias,
        float[] residual, float[] before)
    {
        double[,] gAbs = Absolute(WinogradF43Reference.G), btAbs = Absolute(WinogradF43Reference.BT);
        double[,] atAbs = Absolute(WinogradF43Reference.AT);
        int h = g.Height, w = g.Width, channels = g.InChannels, outs = g.OutChannels;
        var u = new double[outs, channels, 6, 6];
        for (int o = 0; o < outs; o++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++)
                        for (int a = 0; a < 3; a++)
                            for (int b = 0; b < 3; b++)
                                u[o, c, i, j] += gAbs[i, a] * Math.Abs(weights[((o * channels + c) * 3 + a) * 3 + b])
                                    * gAbs[j, b];
        var sums = new double[g.OutputLength];
        var v = new double[channels, 6, 6];
        for (int n = 0; n < g.Batch; n++)
            for (int ty = 0; ty < (h + 3) / 4; ty++)
                for (int tx = 0; tx < (w + 3) / 4; tx++)
                {
                    Array.Clear(v);
                    for (int c = 0; c < channels; c++)
                        for (int a = 0; a < 6; a++)
                            for (int b = 0; b < 6; b++)
                            {
                                int row = 4 * ty - 1 + a, column = 4 * tx - 1 + b;
                                if ((uint)row >= (uint)h || (uint)column >= (uint)w) continue;
                                double cell = Math.Abs(x[((n * channels + c) * h + row) * w + column]);
                                for (int i = 0; i < 6; i++)
                                    for (int j = 0; j < 6; j++)
                                        v[c, i, j] += btAbs[i, a] * cell * btAbs[j, b];
                            }
                    for (int o = 0; o < outs; o++)
                    {
                        var m = new double[6, 6];
                        for (int c = 0; c < channels; c++)
                            for (int i = 0; i < 6; i++)
                                for (int j = 0; j < 6; j++)
                                    m[i, j] += u[o, c, i, j] * v[c, i, j];
                        for (int p = 0; p < 4; p++)
                            for (int q = 0; q < 4; q++)
                            {
                                int row = 4 * ty + p, column = 4 * tx + q;
                                if (row >= h || column >= w) continue;
                                double sum = 0;
                                for (int i = 0; i < 6; i++)
                                    for (int j = 0; j < 6; j++)
                                        sum += atAbs[p, i] * m[i, j] * atAbs[q, j];
                                int index = ((n * outs + o) * h + row) * w + column;
                                sums[index] = sum + (bias.Length > 0 ? Math.Abs(bias[o]) : 0)
                                    + (residual.Length > 0 ? Math.Abs(residual[index]) : 0)
                                    + (before.Length > 0 ? Math.Abs(before[index]) : 0);
                            }
                    }
                }
        return sums;
    }

    private static double[,] Absolute(double[,] matrix)
    {
        var result = new double[matrix.GetLength(0), matrix.GetLength(1)];
        for (int i = 0; i < matrix.GetLength(0); i++)
            for (int j = 0; j < matrix.GetLength(1); j++)
                result[i, j] = Math.Abs(matrix[i, j]);
        return result;
    }
}

/// <summary>Once warm, the F(4×4, 3×3) kernel allocates nothing on the managed heap.</summary>
[Collection(AllocationCollection.Name)]
public class WinogradF43AllocationTests
{
    [Fact]
    public void WinogradF43AllocatesNothingOnceWarm()
    {
        if (!WinogradF43Convolution.Available) return;
        foreach (var g in new[] { new ConvGeometry(4, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1),
                     new ConvGeometry(17, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1),
                     new ConvGeometry(2, 5, 7, 9, 3, 3, 3, 1, 1, 1, 1) })
        {
            var random = new Random(8);
            float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
            float[] bias = new float[g.OutChannels], y = new float[g.OutputLength], residual = new float[y.Length];
            KernelAllocationTests.AssertNoSteadyStateAllocation(() =>
                WinogradF43Convolution.Forward(g, x, w, bias, y, residual, accumulate: true));
        }
    }
}
