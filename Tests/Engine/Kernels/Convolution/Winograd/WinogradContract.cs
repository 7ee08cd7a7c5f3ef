using FsCheck;
using FsCheck.Fluent;
using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The contract every Winograd kernel's tests state: the fast kernel is within (k + n)·u·S of the reference, u = 2⁻²⁴
/// (float's unit roundoff), n the number of roundings an output passes through (the test class says which) and S
/// the same computation with every matrix, weight and input replaced by its absolute value; the textbook bound
/// |error| ≤ γ_n·S with γ_n = n·u / (1 − n·u) ≈ n·u then applies. Here too: the shapes, the thread-count and
/// allocation checks, and S of a forward convolution for any F(m×m, 3×3).
/// </summary>
internal static class WinogradContract
{
    /// <summary>u = 2⁻²⁴, float's unit roundoff.</summary>
    public const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>A 3×3 stride-1 pad-1 geometry, the one Winograd computes.</summary>
    public static ConvGeometry Make(int n, int c, int h, int w, int o) => new(n, c, h, w, o, 3, 3, 1, 1, 1, 1);

    /// <summary>3×3 stride 2: not a Winograd geometry.</summary>
    public static readonly ConvGeometry Strided = new(1, 2, 8, 8, 2, 3, 3, 2, 2, 1, 1);

    /// <summary>3×3 stride 1 unpadded: not a Winograd geometry.</summary>
    public static readonly ConvGeometry Unpadded = new(1, 2, 8, 8, 2, 3, 3, 1, 1, 0, 0);

    /// <summary>Random small shapes (N, C, H, W, O) and a seed for the property tests.</summary>
    public static Gen<(int N, int C, int H, int W, int O, int Seed)> RandomShapes(int maxBatch, int maxChannels,
        int maxOutChannels) =>
        from n in Gen.Choose(1, maxBatch)
        from c in Gen.Choose(1, maxChannels)
        from h in Gen.Choose(1, 19)
        from w in Gen.Choose(1, 37)
        from o in Gen.Choose(1, maxOutChannels)
        from seed in TestData.Seed
        select (n, c, h, w, o, seed);

    /// <summary>
    /// |got[i] − want[i]| ≤ <paramref name="roundings"/>·u·S[i] for every element; returns the largest
    /// |error| / (u·S), how much of the bound an error of one rounding per term would use.
    /// </summary>
    public static double AssertWithinBound(string what, double[] want, float[] got, double[] magnitude,
        int roundings)
    {
        double used = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double error = Math.Abs(got[i] - want[i]), bound = roundings * UnitRoundoff * magnitude[i];
            if (!(error <= bound))
                Assert.Fail($"{what}: element {i} is {got[i]}, want {want[i]}, |difference| {error} > bound {bound}.");
            used = Math.Max(used, error / (UnitRoundoff * magnitude[i]));
        }
        return used;
    }

    /// <summary>reference + each of <paramref name="added"/> (empty ones skipped), summed in double.</summary>
    public static double[] Sum(float[] reference, params float[][] added)
    {
        var sum = new double[reference.Length];
        for (int i = 0; i < sum.Length; i++)
        {
            sum[i] = reference[i];
            foreach (float[] terms in added)
                if (terms.Length > 0) sum[i] += terms[i];
        }
        return sum;
    }

    /// <summary>
    /// A double-precision reference against direct convolution: both sum in double (relative error ~1e-15 of S)
    /// and round once to float, so they are at most one float ulp apart, plus <paramref name="relative"/>·S.
    /// </summary>
    public static void AssertReferenceMatchesDirect(string what, float[] direct, float[] reference,
        double[] magnitude, double relative)
    {
        for (int i = 0; i < direct.Length; i++)
        {
            double bound = 2 * UnitRoundoff * Math.Abs(direct[i]) + relative * magnitude[i];
            Assert.True(Math.Abs(reference[i] - direct[i]) <= bound,
                $"{what}: element {i} is {reference[i]}, the direct computation gives {direct[i]} (bound {bound})");
        }
    }

    /// <summary>w: [O, C, 3, 3] flipped and channel-transposed to [C, O, 3, 3]: the input gradient's kernel.</summary>
    public static float[] Flipped(float[] weights, int inChannels, int outChannels)
    {
        var flipped = new float[weights.Length];
        for (int oc = 0; oc < outChannels; oc++)
            for (int ic = 0; ic < inChannels; ic++)
                for (int t = 0; t < 9; t++)
                    flipped[(ic * outChannels + oc) * 9 + t] = weights[(oc * inChannels + ic) * 9 + 8 - t];
        return flipped;
    }

    /// <summary>
    /// For each shape, the kernel run on one and on two threads gives the same bits. <paramref name="prepare"/>
    /// makes a shape's inputs (from a random source seeded 11) and returns a call that runs the kernel into a fresh
    /// output and returns it.
    /// </summary>
    public static void AssertSameBitsOnOneAndTwoThreads(ConvGeometry[] shapes,
        Func<ConvGeometry, Random, Func<float[]>> prepare)
    {
        foreach (var g in shapes)
        {
            var run = prepare(g, new Random(11));
            float[] Run(int threads)
            {
                float[] result = [];
                WithThreads(threads, () => result = run());
                return result;
            }
            Assert.Equal(Run(1), Run(2));
        }
    }

    /// <summary>
    /// Once warm, the kernel allocates nothing on the managed heap, on WRN-like shapes and a small odd one.
    /// <paramref name="prepare"/> makes a shape's inputs (from a random source seeded 8) and returns the call.
    /// </summary>
    public static void AssertAllocatesNothingOnceWarm(int largeBatch, Func<ConvGeometry, Random, Action> prepare)
    {
        foreach (var g in new[] { Make(4, 16, 32, 32, 16), Make(largeBatch, 64, 8, 8, 64), Make(2, 5, 7, 9, 3) })
            KernelAllocationTests.AssertNoSteadyStateAllocation(prepare(g, new Random(8)));
    }

    /// <summary>
    /// S per output of a forward Winograd F(m×m, 3×3): the computation with absolute values throughout
    /// (Σ_c |Aᵀ|·(|G|·|g|·|Gᵀ| ⊙ |Bᵀ|·|d|·|B|)·|A|), plus |bias|, |residual| and |y before| (each may be empty).
    /// The tile size m is the row count of Aᵀ, the domain size α = m + 2 that of Bᵀ.
    /// </summary>
    public static double[] ForwardMagnitudeSums(double[,] gMatrix, double[,] btMatrix, double[,] atMatrix,
        in ConvGeometry g, float[] x, float[] weights, float[] bias, float[] residual, float[] before)
    {
        double[,] gAbs = Absolute(gMatrix), btAbs = Absolute(btMatrix), atAbs = Absolute(atMatrix);
        int alpha = btAbs.GetLength(0), tile = atAbs.GetLength(0);
        int h = g.Height, w = g.Width, channels = g.InChannels, outs = g.OutChannels;
        var u = new double[outs, channels, alpha, alpha];
        for (int o = 0; o < outs; o++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < alpha; i++)
                    for (int j = 0; j < alpha; j++)
                        for (int a = 0; a < 3; a++)
                            for (int b = 0; b < 3; b++)
                                u[o, c, i, j] += gAbs[i, a] * Math.Abs(weights[((o * channels + c) * 3 + a) * 3 + b])
                                    * gAbs[j, b];
        var sums = new double[g.OutputLength];
        var v = new double[channels, alpha, alpha];
        var m = new double[alpha, alpha];
        for (int n = 0; n < g.Batch; n++)
            for (int ty = 0; ty < (h + tile - 1) / tile; ty++)
                for (int tx = 0; tx < (w + tile - 1) / tile; tx++)
                {
                    Array.Clear(v);
                    for (int c = 0; c < channels; c++)
                        for (int a = 0; a < alpha; a++)
                            for (int b = 0; b < alpha; b++)
                            {
                                int row = tile * ty - 1 + a, column = tile * tx - 1 + b;
                                if ((uint)row >= (uint)h || (uint)column >= (uint)w) continue;
                                double cell = Math.Abs(x[((n * channels + c) * h + row) * w + column]);
                                for (int i = 0; i < alpha; i++)
                                    for (int j = 0; j < alpha; j++)
                                        v[c, i, j] += btAbs[i, a] * cell * btAbs[j, b];
                            }
                    for (int o = 0; o < outs; o++)
                    {
                        Array.Clear(m);
                        for (int c = 0; c < channels; c++)
                            for (int i = 0; i < alpha; i++)
                                for (int j = 0; j < alpha; j++)
                                    m[i, j] += u[o, c, i, j] * v[c, i, j];
                        for (int p = 0; p < tile; p++)
                            for (int q = 0; q < tile; q++)
                            {
                                int row = tile * ty + p, column = tile * tx + q;
                                if (row >= h || column >= w) continue;
                                double sum = 0;
                                for (int i = 0; i < alpha; i++)
                                    for (int j = 0; j < alpha; j++)
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

    /// <summary>|matrix|, elementwise.</summary>
    public static double[,] Absolute(double[,] matrix)
    {
        var result = new double[matrix.GetLength(0), matrix.GetLength(1)];
        for (int i = 0; i < matrix.GetLength(0); i++)
            for (int j = 0; j < matrix.GetLength(1); j++)
                result[i, j] = Math.Abs(matrix[i, j]);
        return result;
    }
}
