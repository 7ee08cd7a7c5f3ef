using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// Input gradient of stride-2 phase geometries (3×3 pad 1, 1×1 pad 0, even sizes), computed per phase by
/// <see cref="PhaseInputGradient"/> on AVX-512 machines and by im2col + fold elsewhere: both flags of
/// <see cref="ConvolutionKernels.BackwardInput"/> against <see cref="ConvolutionReference"/>.
/// </summary>
public class PhaseInputGradientTests
{
    public static TheoryData<int, int, int, int, int, int, int> Geometries => new()
    {
        // N, C, H, W, O, kernel, pad (stride 2)
        { 3, 5, 32, 32, 7, 3, 1 },    // 16×16 phases: one 16-lane block per phase row
        { 3, 5, 32, 32, 7, 1, 0 },    // 1×1: phase (0, 0) only
        { 5, 17, 16, 16, 33, 3, 1 },  // 8×8 phases; C = 16 + 1 rows (an edge panel), O = 33 channels of gradY
        { 5, 17, 16, 16, 33, 1, 0 },
        { 3, 20, 8, 8, 9, 3, 1 },     // 4×4 phases: one 16-lane block holds the whole plane
        { 3, 20, 8, 8, 9, 1, 0 },
        { 1, 3, 12, 20, 5, 3, 1 },    // non-square: 6×10 phases, 60 positions (a 12-lane edge tile)
        { 1, 3, 12, 20, 5, 1, 0 },
        { 3, 6, 6, 48, 4, 3, 1 },     // 3×24 phases: interleaved 16 columns, then 8
        { 3, 6, 6, 48, 4, 1, 0 },
        { 1, 2, 4, 34, 3, 3, 1 },     // 2×17 phases: 16 columns, then a scalar one
        { 3, 16, 32, 32, 32, 3, 1 },  // WRN-16-1 16 → 32
        { 3, 32, 16, 16, 64, 1, 0 },  // WRN-16-1 32 → 64 shortcut
    };

    private static ConvGeometry Make(int n, int c, int h, int w, int o, int k, int p) =>
        new(n, c, h, w, o, k, k, 2, 2, p, p);

    private static float Tolerance(ConvGeometry g) => 1e-5f * g.OutChannels * g.KernelHeight * g.KernelWidth;

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AccumulatesLikeReference(int n, int c, int h, int w, int o, int k, int p)
    {
        var g = Make(n, c, h, w, o, k, p);
        var random = new Random(11);
        float[] gradY = RandomArray(random, g.OutputLength), weights = RandomArray(random, g.WeightLength);
        float[] expected = RandomArray(random, g.InputLength);
        float[] actual = (float[])expected.Clone();
        ConvolutionReference.BackwardInput(g, gradY, weights, expected);
        ConvolutionKernels.BackwardInput(g, gradY, weights, actual, accumulate: true);
        AssertClose(expected, actual, Tolerance(g), $"accumulated input gradient {g}");
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void OverwritesGarbageLikeReference(int n, int c, int h, int w, int o, int k, int p)
    {
        var g = Make(n, c, h, w, o, k, p);
        var random = new Random(12);
        float[] gradY = RandomArray(random, g.OutputLength), weights = RandomArray(random, g.WeightLength);
        float[] expected = new float[g.InputLength];
        float[] actual = new float[g.InputLength];
        for (int i = 0; i < actual.Length; i++) actual[i] = i % 3 == 0 ? float.NaN : 1e30f; // any element left shows
        ConvolutionReference.BackwardInput(g, gradY, weights, expected);
        ConvolutionKernels.BackwardInput(g, gradY, weights, actual, accumulate: false);
        AssertClose(expected, actual, Tolerance(g), $"overwritten input gradient {g}");
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ForwardAndWeightGradientStillMatchReference(int n, int c, int h, int w, int o, int k, int p)
    {
        // The same phase split feeds these (16-, 8- and 1-column deinterleaving; 1×1: phase (0, 0) packed).
        var g = Make(n, c, h, w, o, k, p);
        var random = new Random(15);
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = RandomArray(random, g.OutChannels), gradY = RandomArray(random, g.OutputLength);
        float[] expectedY = new float[g.OutputLength], actualY = RandomArray(random, g.OutputLength);
        ConvolutionReference.Forward(g, x, weights, bias, expectedY);
        ConvolutionKernels.Forward(g, x, weights, bias, actualY);
        AssertClose(expectedY, actualY, 1e-5f * g.PatchLength, $"forward {g}");
        float[] expectedW = RandomArray(random, g.WeightLength), actualW = (float[])expectedW.Clone();
        ConvolutionReference.BackwardWeight(g, x, gradY, expectedW, []);
        ConvolutionKernels.BackwardWeight(g, x, gradY, actualW, []);
        AssertClose(expectedW, actualW, 1e-5f * g.Batch * g.OutHeight * g.OutWidth, $"weight gradient {g}");
    }

    [Theory]
    [InlineData(8, 12)] // 6 phase columns: scalar interleave
    [InlineData(8, 50)] // 25 phase columns: vector interleave of 16, then 8, then scalar
    public void PointwiseLeavesUntouchedPhasesBitForBitWhenAccumulating(int h, int w)
    {
        // A 1×1 stride-2 kernel only reaches even rows and columns; the rest must keep their exact bits (−0 too).
        var g = Make(3, 5, h, w, 4, 1, 0);
        var random = new Random(13);
        float[] gradY = RandomArray(random, g.OutputLength), weights = RandomArray(random, g.WeightLength);
        float[] before = RandomArray(random, g.InputLength);
        for (int i = 0; i < before.Length; i += 7) before[i] = -0f;
        float[] after = (float[])before.Clone();
        ConvolutionKernels.BackwardInput(g, gradY, weights, after, accumulate: true);
        for (int i = 0; i < after.Length; i++)
        {
            int row = i / g.Width % g.Height, column = i % g.Width;
            if (row % 2 == 0 && column % 2 == 0) continue;
            Assert.Equal(BitConverter.SingleToInt32Bits(before[i]), BitConverter.SingleToInt32Bits(after[i]));
        }
    }

    [Theory]
    [InlineData(9, 5, 32, 32, 7, 3, 1)]
    [InlineData(9, 17, 16, 16, 33, 1, 0)]
    [InlineData(4, 3, 12, 20, 5, 3, 1)] // non-square, edge tiles, two images per thread
    [InlineData(1, 6, 16, 16, 9, 3, 1)] // one image: runs on the calling thread alone
    public void OneAndTwoThreadsAgreeBitForBit(int n, int c, int h, int w, int o, int k, int p)
    {
        var g = Make(n, c, h, w, o, k, p);
        var random = new Random(14);
        float[] gradY = RandomArray(random, g.OutputLength), weights = RandomArray(random, g.WeightLength);
        float[] start = RandomArray(random, g.InputLength);
        foreach (bool accumulate in new[] { true, false })
        {
            float[] Run(int threads)
            {
                float[] gradX = (float[])start.Clone();
                WithThreads(threads, () => ConvolutionKernels.BackwardInput(g, gradY, weights, gradX, accumulate));
                return gradX;
            }
            Assert.Equal(Run(1), Run(2));
        }
    }

    [Fact]
    public void AppliesExactlyToStridedPhaseGeometriesOnImplicitMachines()
    {
        bool available = ImplicitConvolution.Available;
        Assert.Equal(available, PhaseInputGradient.Applies(Make(2, 3, 32, 32, 4, 3, 1)));
        Assert.Equal(available, PhaseInputGradient.Applies(Make(2, 3, 16, 12, 4, 1, 0)));
        Assert.False(PhaseInputGradient.Applies(Make(2, 3, 9, 9, 4, 1, 0)));   // odd size: im2col + fold
        Assert.False(PhaseInputGradient.Applies(Make(2, 3, 8, 8, 4, 3, 0)));   // 3×3 unpadded: OH ≠ H / 2
        Assert.False(PhaseInputGradient.Applies(new ConvGeometry(2, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1))); // stride 1
    }
}
