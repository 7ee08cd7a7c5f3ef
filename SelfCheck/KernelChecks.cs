using RocketNet.Kernels;

namespace RocketNet.SelfCheck;

/// <summary>
/// Every kernel family against its reference on seeded shapes (GEMM in all four transpose cases, convolution forward
/// and both backwards, the Winograd convolutions, batch norm, max and average pooling, SiLU, the fused SGD update), on
/// whatever path the current <see cref="VectorWidth"/> cap selects, and the GEMM's independence of the thread count.
/// Tolerances are those of the unit tests: a float sum of k products against a double reference within 4·(k + 1)·ε
/// relative (Winograd: see <see cref="WinogradConvolutions"/>).
/// </summary>
internal static class KernelChecks
{
    private const float Epsilon = 1.1920929e-7f;

    /// <summary>Runs every check at the current width, naming each with <paramref name="path"/>.</summary>
    public static void Run(CheckLog log, string path)
    {
        Gemm(log, path);
        GemmThreads(log, path);
        Convolution(log, path);
        WinogradConvolutions(log, path);
        BatchNorm(log, path);
        Pooling(log, path);
        Silu(log, path);
        Sgd(log, path);
    }

    /// <summary>Odd and block-edge shapes through the public entry point (one-row, direct and packed paths).</summary>
    private static void Gemm(CheckLog log, string path)
    {
        (int M, int N, int K)[] shapes = [(1, 200, 576), (7, 33, 257), (33, 7, 33), (64, 48, 70), (130, 200, 300),
            (257, 33, 7), (13, 60, 37), (96, 96, 96)];
        var random = new Random(1);
        foreach (var (m, n, k) in shapes)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    float[] a = Filled(random, m * k), b = Filled(random, k * n), c0 = Filled(random, m * n);
                    float[] want = (float[])c0.Clone(), got = (float[])c0.Clone();
                    GemmReference.Multiply(a, b, want, m, n, k, transA, transB, accumulate: true);
                    Kernels.Gemm.Multiply(a, b, got, m, n, k, transA, transB, accumulate: true);
                    log.Close($"{path} gemm {m}x{n}x{k} transA={transA} transB={transB}", want, got,
                        4 * (k + 1) * Epsilon);
                }
    }

    private static void GemmThreads(CheckLog log, string path)
    {
        const int m = 200, n = 300, k = 600;
        var random = new Random(2);
        float[] a = Filled(random, m * k), b = Filled(random, k * n), one = new float[m * n], two = new float[m * n];
        int saved = Parallelism.ThreadCount;
        try
        {
            Parallelism.ThreadCount = 1;
            Kernels.Gemm.Multiply(a, b, one, m, n, k, transB: true);
            Parallelism.ThreadCount = 2;
            Kernels.Gemm.Multiply(a, b, two, m, n, k, transB: true);
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
        log.Identical($"{path} gemm {m}x{n}x{k} on 1 and 2 threads", one, two);
    }

    private static void Convolution(CheckLog log, string path)
    {
        ConvGeometry[] geometries =
        [
            new(2, 3, 9, 9, 5, 3, 3, 1, 1, 1, 1),
            new(2, 4, 8, 8, 6, 3, 3, 2, 2, 1, 1),
            new(1, 8, 7, 7, 4, 1, 1, 1, 1, 0, 0),
            new(2, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1),
        ];
        var random = new Random(3);
        foreach (var g in geometries)
        {
            string name = $"{path} conv {g.InChannels}->{g.OutChannels} {g.KernelHeight}x{g.KernelWidth} " +
                $"s{g.StrideH} on {g.Height}x{g.Width}";
            float[] x = Filled(random, g.InputLength), w = Filled(random, g.WeightLength);
            float[] bias = Filled(random, g.OutChannels), gradY = Filled(random, g.OutputLength);
            float tolerance = 4 * (g.PatchLength + 1) * Epsilon;
            float[] want = new float[g.OutputLength], got = new float[g.OutputLength];
            ConvolutionReference.Forward(g, x, w, bias, want);
            ConvolutionKernels.Forward(g, x, w, bias, got);
            log.Close(name + " forward", want, got, tolerance);

            float[] gradX0 = Filled(random, g.InputLength);
            float[] wantX = (float[])gradX0.Clone(), gotX = (float[])gradX0.Clone();
            ConvolutionReference.BackwardInput(g, gradY, w, wantX);
            ConvolutionKernels.BackwardInput(g, gradY, w, gotX);
            log.Close(name + " input gradient", wantX, gotX, 4 * (g.OutChannels * 9 + 1) * Epsilon);

            float[] gradW0 = Filled(random, g.WeightLength), gradB0 = Filled(random, g.OutChannels);
            float[] wantW = (float[])gradW0.Clone(), gotW = (float[])gradW0.Clone();
            float[] wantB = (float[])gradB0.Clone(), gotB = (float[])gradB0.Clone();
            ConvolutionReference.BackwardWeight(g, x, gradY, wantW, wantB);
            ConvolutionKernels.BackwardWeight(g, x, gradY, gotW, gotB);
            int positions = g.Batch * g.OutHeight * g.OutWidth;
            log.Close(name + " weight gradient", wantW, gotW, 4 * (positions + 1) * Epsilon);
            log.Close(name + " bias gradient", wantB, gotB, 4 * (positions + 1) * Epsilon);
        }
    }

    /// <summary>
    /// Winograd F(4×4, 3×3) forward and F(2×2, 3×3) weight gradient, called directly where this path has them
    /// (AVX-512, or 128-bit vectors with FMA: ARM64), on partial tiles, partial image groups and channel counts that
    /// are not multiples of 4, 8 or 12. Winograd's transforms grow the values summed (up to 60× direct
    /// convolution's Σ|w||x| on these shapes, WinogradF43Tests), so the bound is that of the unit tests loosened
    /// by that growth: 64·(k + 15)·ε relative to the largest output, k the length of each sum (channels, or tiles
    /// for the weight gradient). A wrong transform or a lost tile errs by whole values, far outside it.
    /// </summary>
    private static void WinogradConvolutions(CheckLog log, string path)
    {
        ConvGeometry[] geometries =
        [
            new(4, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1),
            new(5, 7, 9, 7, 10, 3, 3, 1, 1, 1, 1),
            new(3, 33, 6, 10, 12, 3, 3, 1, 1, 1, 1),
        ];
        var random = new Random(8);
        foreach (var g in geometries)
        {
            string name = $"{path} winograd {g.InChannels}->{g.OutChannels} on {g.Batch}x{g.Height}x{g.Width}";
            float[] x = Filled(random, g.InputLength), w = Filled(random, g.WeightLength);
            float[] bias = Filled(random, g.OutChannels), gradY = Filled(random, g.OutputLength);
            if (WinogradF43Convolution.Available)
            {
                float[] want = new float[g.OutputLength], got = new float[g.OutputLength];
                ConvolutionReference.Forward(g, x, w, bias, want);
                WinogradF43Convolution.Forward(g, x, w, bias, got);
                log.Close(name + " F(4x4, 3x3) forward", want, got, 64 * (g.InChannels + 15) * Epsilon);
            }
            if (WinogradF23WeightGradient.Available)
            {
                float[] gradW0 = Filled(random, g.WeightLength);
                float[] want = (float[])gradW0.Clone(), got = (float[])gradW0.Clone();
                ConvolutionReference.BackwardWeight(g, x, gradY, want, []);
                WinogradF23WeightGradient.BackwardWeight(g, x, gradY, got);
                int tiles = g.Batch * ((g.Height + 1) / 2) * ((g.Width + 1) / 2);
                log.Close(name + " F(2x2, 3x3) weight gradient", want, got, 64 * (tiles + 22) * Epsilon);
            }
        }
    }

    private static void BatchNorm(CheckLog log, string path)
    {
        foreach (var (n, c, s) in new[] { (4, 3, 37), (9, 19, 1), (2, 2, 1089) })
        {
            var random = new Random(4);
            float[] x = Filled(random, n * c * s), gamma = Filled(random, c), beta = Filled(random, c);
            float[] gradY = Filled(random, n * c * s);
            float[] yE = new float[x.Length], yA = new float[x.Length];
            float[] meanE = new float[c], meanA = new float[c], invE = new float[c], invA = new float[c];
            BatchNormReference.ForwardTraining(x, gamma, beta, yE, meanE, invE, [], [], n, c, s, 0.1f, 1e-5f);
            BatchNormKernels.ForwardTraining(x, gamma, beta, yA, meanA, invA, [], [], n, c, s, 0.1f, 1e-5f);
            string name = $"{path} batch norm [{n}, {c}, {s}]";
            log.Close(name + " forward", yE, yA, 1e-5f);
            float[] gxE = new float[x.Length], gxA = new float[x.Length];
            float[] ggE = new float[c], ggA = new float[c], gbE = new float[c], gbA = new float[c];
            BatchNormReference.Backward(x, gradY, gamma, meanE, invE, gxE, ggE, gbE, n, c, s);
            BatchNormKernels.Backward(x, gradY, gamma, meanA, invA, gxA, ggA, gbA, n, c, s);
            log.Close(name + " input gradient", gxE, gxA, 1e-4f);
            log.Close(name + " gamma gradient", ggE, ggA, 1e-4f);
        }
    }

    private static void Pooling(CheckLog log, string path)
    {
        PoolGeometry[] geometries = [new(2, 3, 8, 8, 2, 2, 2, 2, 0, 0), new(2, 3, 9, 9, 3, 3, 2, 2, 1, 1)];
        var random = new Random(5);
        foreach (var g in geometries)
        {
            string name = $"{path} pool {g.KernelH}x{g.KernelW} s{g.StrideH} p{g.PadH}";
            int inLength = g.N * g.C * g.H * g.W, outLength = g.N * g.C * g.OutHeight * g.OutWidth;
            float[] x = Filled(random, inLength), gradY = Filled(random, outLength);
            float[] yE = new float[outLength], yA = new float[outLength];
            int[] iE = new int[outLength], iA = new int[outLength];
            PoolingReference.MaxPoolForward(g, x, yE, iE);
            PoolingKernels.MaxPoolForward(g, x, yA, iA);
            log.Identical(name + " max forward", yE, yA);
            log.Record(name + " max indices", iE.AsSpan().SequenceEqual(iA), "same argmax");
            float[] gxE = new float[inLength], gxA = new float[inLength];
            PoolingReference.MaxPoolBackward(g, gradY, iE, gxE);
            PoolingKernels.MaxPoolBackward(g, gradY, iA, gxA);
            log.Close(name + " max backward", gxE, gxA, 4 * Epsilon);
            PoolingReference.AvgPoolForward(g, x, yE);
            PoolingKernels.AvgPoolForward(g, x, yA);
            log.Close(name + " average forward", yE, yA, 16 * Epsilon);
        }
    }

    private static void Silu(CheckLog log, string path)
    {
        var random = new Random(6);
        float[] x = Filled(random, 1037, 6f), dy = Filled(random, 1037);
        float[] yE = new float[x.Length], yA = new float[x.Length];
        float[] dxE = new float[x.Length], dxA = new float[x.Length];
        SiluReference.Forward(x, yE);
        SiluKernels.Forward(x, yA);
        log.Close($"{path} silu forward", yE, yA, 1e-6f);
        SiluReference.Backward(x, dy, dxE);
        SiluKernels.Backward(x, dy, dxA);
        log.Close($"{path} silu backward", dxE, dxA, 1e-6f);
    }

    /// <summary>The vector loop and the scalar formula round alike (two FMAs per element): bit for bit.</summary>
    private static void Sgd(CheckLog log, string path)
    {
        var random = new Random(7);
        float[] p = Filled(random, 1037), g = Filled(random, 1037), want = (float[])p.Clone();
        const float lr = 0.1f, wd = 1e-3f;
        for (int i = 0; i < want.Length; i++)
            want[i] = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(want[i], wd, g[i]), -lr, want[i]);
        FusedUpdates.Sgd(p, g, lr, wd);
        log.Identical($"{path} fused SGD update", want, p);
    }

    /// <summary>Seeded values uniform in [−scale, scale).</summary>
    public static float[] Filled(Random random, long length, float scale = 1f)
    {
        var values = new float[length];
        for (long i = 0; i < length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
