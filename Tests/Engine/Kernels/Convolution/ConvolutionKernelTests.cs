using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

public class ConvolutionKernelTests
{
    public static TheoryData<int, int, int, int, int, int, int, int> Geometries => new()
    {
        // N, C, H, W, O, kernel, stride, pad
        { 2, 3, 7, 7, 4, 3, 1, 1 },
        { 1, 1, 1, 1, 1, 1, 1, 0 },
        { 3, 2, 33, 7, 3, 3, 2, 1 },
        { 2, 4, 8, 8, 5, 1, 1, 0 },   // pointwise fast path
        { 2, 4, 9, 9, 3, 1, 2, 0 },   // 1×1 stride 2 (ResNet shortcut)
        { 2, 2, 7, 33, 2, 5, 1, 2 },
        { 1, 3, 6, 5, 2, 5, 2, 2 },
        { 2, 2, 1, 7, 3, 1, 1, 1 },   // padded 1×1
        { 1, 2, 3, 3, 2, 5, 1, 1 },   // kernel larger than input, fits thanks to padding
        { 4, 5, 5, 6, 6, 3, 2, 0 },
        { 2, 2, 1, 1, 3, 3, 1, 1 },   // same-size fast path on a single pixel
        { 1, 3, 2, 33, 2, 3, 1, 1 },  // same-size fast path, wide and short
        { 3, 30, 11, 13, 9, 3, 1, 1 }, // implicit GEMM: two k slabs, partial panels, O not a multiple of 8
        { 2, 16, 8, 8, 32, 3, 1, 1 },  // Wide-ResNet 8×8 stage
        { 1, 4, 12, 12, 3, 5, 1, 2 },  // implicit GEMM with a 5×5 kernel, several column tiles
        { 5, 6, 16, 16, 7, 3, 1, 1 },  // packed weight gradient: 4 images per group, O = 7 (a zero gradY row)
        { 2, 3, 32, 8, 5, 3, 1, 1 },   // packed, images as lanes (OW = 8): 2 of 16 lanes used
        { 2, 5, 16, 20, 6, 5, 1, 2 },  // packed, images as lanes in bands of 3 rows; 5×5: two zero rows, 2-wide gaps
        { 2, 3, 8, 8, 5, 3, 2, 1 },    // stride-2 phases gathered (images as lanes, OW = 4)
        { 2, 4, 32, 32, 6, 3, 2, 1 },  // stride-2 phase rows deinterleaved into the pack (positions as lanes)
        { 2, 16, 32, 32, 7, 1, 2, 0 }, // 1×1 stride 2: only phase (0, 0) is packed; patch 16 = 5 tiles + a zero row
        { 1, 2, 12, 8, 3, 5, 2, 2 },   // stride-2 phases with a 5×5 kernel (shifts of ±1 phase rows)
        { 3, 64, 8, 8, 64, 3, 1, 1 },  // 8×8, images as lanes: WRN 64-channel stage, one short group
        { 19, 64, 8, 8, 64, 3, 1, 1 }, // 8×8 packed: odd batch, a group of 16 and a short chunk of 3
        { 131, 6, 8, 8, 5, 3, 1, 1 },  // 8×8 packed: O = 5 (zero gradY rows), 8 full groups and a chunk of 3
        { 4, 5, 8, 8, 7, 5, 1, 2 },    // 8×8 packed with a 5×5 kernel (two zero rows, 2-position gaps)
        { 19, 32, 16, 16, 64, 3, 2, 1 }, // stride 2 to 8×8: phase rows permuted per 16-image block; WRN 32 → 64
        { 3, 5, 16, 16, 6, 3, 2, 1 },  // 8×8 packed phases: O = 6
        { 5, 6, 16, 16, 7, 1, 2, 0 },  // 8×8 packed phases, 1×1 stride 2: only phase (0, 0) is read
        { 1, 3, 48, 48, 5, 3, 1, 1 },  // packed, positions as lanes: 2304 positions in bands of 21, 21 and 6 rows
        { 1, 2, 96, 64, 3, 3, 2, 1 },  // stride 2 in bands: 48×32 output as bands of 32 and 16 rows
        { 2, 3, 12, 12, 4, 3, 3, 1 },  // stride 3: phases gathered
        { 2, 2, 32, 16, 3, 3, 2, 1 },  // stride 2 to 16×8 in bands of 8 rows: blocks start mid-pair, end half-full
        { 2, 13, 32, 32, 17, 3, 1, 1 }, // implicit: 4 KB planes, channel chunks of 8 + 5; O = 16 + 1
        { 1, 20, 64, 64, 3, 3, 1, 1 },  // implicit: 16 KB planes, chunks 8 + 8 + 4; one partial channel panel
        { 3, 4, 5, 13, 18, 3, 1, 1 },   // implicit: 65-position plane (a one-lane last tile), tiles across rows
        { 2, 3, 1, 40, 33, 3, 1, 1 },   // implicit: one-row plane, every kh ≠ 1 tap is all padding (skipped)
    };

    private static ConvGeometry Make(int n, int c, int h, int w, int o, int k, int s, int p) =>
        new(n, c, h, w, o, k, k, s, s, p, p);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ForwardMatchesReference(int n, int c, int h, int w, int o, int k, int s, int p)
    {
        var g = Make(n, c, h, w, o, k, s, p);
        CheckForward(g, new Random(1), withBias: true);
        CheckForward(g, new Random(2), withBias: false);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void BackwardInputAccumulatesLikeReference(int n, int c, int h, int w, int o, int k, int s, int p)
    {
        var g = Make(n, c, h, w, o, k, s, p);
        CheckBackwardInput(g, new Random(3));
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void BackwardWeightAccumulatesLikeReference(int n, int c, int h, int w, int o, int k, int s, int p)
    {
        var g = Make(n, c, h, w, o, k, s, p);
        CheckBackwardWeight(g, new Random(4), withBias: true);
        CheckBackwardWeight(g, new Random(5), withBias: false);
    }

    [Fact]
    public void RandomGeometriesMatchReference()
    {
        var random = new Random(42);
        int[] sizes = [1, 2, 5, 7, 9];
        for (int trial = 0; trial < 25; trial++)
        {
            int kh = random.Next(1, 4) * 2 - 1, kw = random.Next(1, 4) * 2 - 1;
            var g = new ConvGeometry(random.Next(1, 4), random.Next(1, 4), sizes[random.Next(sizes.Length)],
                sizes[random.Next(sizes.Length)], random.Next(1, 4), kh, kw, random.Next(1, 3), random.Next(1, 3),
                random.Next(0, 3), random.Next(0, 3));
            if (g.Height + 2 * g.PadH < kh || g.Width + 2 * g.PadW < kw) continue;
            CheckForward(g, random, withBias: trial % 2 == 0);
            CheckBackwardInput(g, random);
            CheckBackwardWeight(g, random, withBias: trial % 2 == 1);
        }
    }

    [Fact]
    public void ResultsAreBitIdenticalForOneAndTwoThreads()
    {
        foreach (var g in new[] { Make(20, 3, 9, 9, 4, 3, 1, 1), Make(37, 5, 16, 16, 6, 3, 1, 1),
            Make(9, 4, 32, 32, 6, 3, 2, 1), Make(5, 4, 6, 6, 3, 1, 1, 0), Make(33, 2, 7, 7, 3, 1, 2, 0),
                     Make(150, 6, 8, 8, 5, 3, 1, 1), Make(37, 64, 8, 8, 64, 3, 1, 1),
                     Make(35, 6, 16, 16, 5, 3, 2, 1), Make(5, 13, 32, 32, 17, 3, 1, 1) })
        {
            var random = new Random(7);
            float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
            float[] bias = RandomArray(random, g.OutChannels), gradY = RandomArray(random, g.OutputLength);
            (float[] y, float[] gx, float[] gw, float[] gb) Run(int threads)
            {
                float[] y = new float[g.OutputLength], gx = new float[g.InputLength];
                float[] gw = new float[g.WeightLength], gb = new float[g.OutChannels];
                WithThreads(threads, () =>
                {
                    ConvolutionKernels.Forward(g, x, w, bias, y);
                    ConvolutionKernels.BackwardInput(g, gradY, w, gx);
                    ConvolutionKernels.BackwardWeight(g, x, gradY, gw, gb);
                });
                return (y, gx, gw, gb);
            }
            var one = Run(1);
            var two = Run(2);
            Assert.Equal(one.y, two.y);
            Assert.Equal(one.gx, two.gx);
            Assert.Equal(one.gw, two.gw);
            Assert.Equal(one.gb, two.gb);
        }
    }

    [Theory]
    [InlineData(0, 1, 4, 4, 1, 3, 3, 1, 1, 0, 0)]   // empty batch
    [InlineData(1, 0, 4, 4, 1, 3, 3, 1, 1, 0, 0)]   // no input channels
    [InlineData(1, 1, 4, 4, 1, 0, 3, 1, 1, 0, 0)]   // empty kernel
    [InlineData(1, 1, 4, 4, 1, 3, 3, 0, 1, 0, 0)]   // zero stride
    [InlineData(1, 1, 4, 4, 1, 3, 3, 1, 1, -1, 0)]  // negative padding
    [InlineData(1, 1, 2, 2, 1, 5, 5, 1, 1, 1, 1)]   // kernel bigger than the padded input
    public void BadGeometryThrows(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var g = new ConvGeometry(n, c, h, w, o, kh, kw, sh, sw, ph, pw);
        Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.Throws<ArgumentException>(() =>
            ConvolutionKernels.Forward(g, new float[64], new float[64], [], new float[64]));
    }

    [Fact]
    public void ShortSpansThrowWithLengthsInTheMessage()
    {
        var g = Make(2, 3, 4, 4, 2, 3, 1, 1);
        float[] x = new float[g.InputLength], w = new float[g.WeightLength], y = new float[g.OutputLength];
        var e = Assert.Throws<ArgumentException>(() => ConvolutionKernels.Forward(g, x.AsSpan(1), w, [], y));
        Assert.Contains($"{g.InputLength - 1}", e.Message);
        Assert.Contains($"{g.InputLength}", e.Message);
        Assert.Throws<ArgumentException>(() => ConvolutionKernels.Forward(g, x, w, new float[1], y));
        Assert.Throws<ArgumentException>(() => ConvolutionKernels.BackwardInput(g, y.AsSpan(1), w, x));
        Assert.Throws<ArgumentException>(() => ConvolutionKernels.BackwardWeight(g, x, y, w.AsSpan(2), []));
        Assert.Throws<ArgumentException>(() => ConvolutionReference.Forward(g, x, w.AsSpan(1), [], y));
    }

    [Theory]
    [InlineData(2, 2, 4, 5, 3, 3, 1, 1)]
    [InlineData(1, 2, 5, 5, 2, 3, 2, 2)]
    [InlineData(2, 1, 3, 3, 2, 1, 2, 0)]
    public void ReferenceBackwardMatchesFiniteDifferences(int n, int c, int h, int w, int o, int k, int s, int p)
    {
        // L = ⟨r, conv(x, w) + b⟩ is linear in each argument, so central differences are exact up to
        // rounding; a step of 0.5 keeps that rounding small relative to the step.
        var g = Make(n, c, h, w, o, k, s, p);
        var random = new Random(9);
        float[] x = RandomArray(random, g.InputLength), weights = RandomArray(random, g.WeightLength);
        float[] bias = RandomArray(random, g.OutChannels), r = RandomArray(random, g.OutputLength);
        float[] gradX = new float[g.InputLength], gradW = new float[g.WeightLength], gradB = new float[g.OutChannels];
        ConvolutionReference.BackwardInput(g, r, weights, gradX);
        ConvolutionReference.BackwardWeight(g, x, r, gradW, gradB);

        double Loss()
        {
            var y = new float[g.OutputLength];
            ConvolutionReference.Forward(g, x, weights, bias, y);
            return Dot(r, y);
        }
        void CheckAgainst(float[] parameter, float[] analytic, string what)
        {
            const float step = 0.5f;
            for (int i = 0; i < parameter.Length; i++)
            {
                float saved = parameter[i];
                parameter[i] = saved + step;
                double plus = Loss();
                parameter[i] = saved - step;
                double minus = Loss();
                parameter[i] = saved;
                double numeric = (plus - minus) / (2 * step);
                Assert.True(Math.Abs(numeric - analytic[i]) < 1e-4 * (1 + Math.Abs(numeric)),
                    $"{what}[{i}]: numeric {numeric}, analytic {analytic[i]}");
            }
        }
        CheckAgainst(x, gradX, "gradX");
        CheckAgainst(weights, gradW, "gradW");
        CheckAgainst(bias, gradB, "gradBias");
    }

    private static void CheckForward(ConvGeometry g, Random random, bool withBias)
    {
        float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
        float[] bias = withBias ? RandomArray(random, g.OutChannels) : [];
        float[] expected = RandomArray(random, g.OutputLength), actual = RandomArray(random, g.OutputLength);
        ConvolutionReference.Forward(g, x, w, bias, expected);
        ConvolutionKernels.Forward(g, x, w, bias, actual);
        AssertClose(expected, actual, 1e-5f * g.PatchLength, $"forward {g}");
    }

    private static void CheckBackwardInput(ConvGeometry g, Random random)
    {
        float[] gradY = RandomArray(random, g.OutputLength), w = RandomArray(random, g.WeightLength);
        float[] expected = RandomArray(random, g.InputLength); // pre-filled: the kernels must add to it
        float[] actual = (float[])expected.Clone();
        ConvolutionReference.BackwardInput(g, gradY, w, expected);
        ConvolutionKernels.BackwardInput(g, gradY, w, actual);
        AssertClose(expected, actual, 1e-5f * g.OutChannels * g.KernelHeight * g.KernelWidth, $"backward input {g}");
    }

    private static void CheckBackwardWeight(ConvGeometry g, Random random, bool withBias)
    {
        float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
        float[] expectedW = RandomArray(random, g.WeightLength), actualW = (float[])expectedW.Clone();
        float[] expectedB = withBias ? RandomArray(random, g.OutChannels) : [];
        float[] actualB = (float[])expectedB.Clone();
        ConvolutionReference.BackwardWeight(g, x, gradY, expectedW, expectedB);
        ConvolutionKernels.BackwardWeight(g, x, gradY, actualW, actualB);
        float terms = g.Batch * g.OutHeight * g.OutWidth;
        AssertClose(expectedW, actualW, 1e-5f * terms, $"backward weight {g}");
        AssertClose(expectedB, actualB, 1e-5f * terms, $"backward bias {g}");
    }
}
