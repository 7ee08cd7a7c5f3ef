using RocketNet.Kernels;

namespace RocketNet.SelfCheck;

/// <summary>
/// A hash of the exact bits of seeded GEMM (packed and direct paths, every transpose case), convolution and Winograd
/// outputs: two machines that print the same fingerprint computed the same bits.
/// </summary>
internal static class Fingerprint
{
    /// <summary>
    /// FNV-1a over the output bits of the packed GEMM, im2col convolution and direct (small) GEMM paths, and of the
    /// Winograd F(4×4, 3×3) forward and F(2×2, 3×3) weight gradient (the 128-bit bodies; "none" where they do not
    /// run).
    /// </summary>
    public static string Compute()
    {
        var random = new Random(11);
        uint packed = GemmHash(random, [(64, 48, 70), (130, 200, 300), (7, 520, 33)]);
        uint direct = GemmHash(random, [(13, 60, 37), (5, 9, 40)]);
        uint conv = 2166136261;
        ConvGeometry[] geometries = [new(2, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1), new(2, 4, 9, 9, 6, 3, 3, 2, 2, 1, 1)];
        foreach (var g in geometries)
        {
            float[] x = KernelChecks.Filled(random, g.InputLength), w = KernelChecks.Filled(random, g.WeightLength);
            float[] y = new float[g.OutputLength];
            ConvolutionKernels.Forward(g, x, w, [], y);
            conv = Hash(conv, y);
        }
        return $"packed gemm {packed:x8}, conv {conv:x8}, direct gemm {direct:x8}, winograd {WinogradHash(random)}";
    }

    /// <summary>FNV-1a over a Winograd forward (batch 4: one full group of 4 images) and a weight gradient.</summary>
    private static string WinogradHash(Random random)
    {
        if (!WinogradF43Convolution.Available || !WinogradF23WeightGradient.Available) return "none";
        var g = new ConvGeometry(5, 13, 9, 7, 11, 3, 3, 1, 1, 1, 1);
        float[] x = KernelChecks.Filled(random, g.InputLength), w = KernelChecks.Filled(random, g.WeightLength);
        float[] bias = KernelChecks.Filled(random, g.OutChannels), gradY = KernelChecks.Filled(random, g.OutputLength);
        float[] y = new float[g.OutputLength], gradW = new float[g.WeightLength];
        WinogradF43Convolution.Forward(g, x, w, bias, y);
        WinogradF23WeightGradient.BackwardWeight(g, x, gradY, gradW);
        return Hash(Hash(2166136261, y), gradW).ToString("x8");
    }

    /// <summary>FNV-1a over C = op(A)·op(B) for each shape and transpose case.</summary>
    private static uint GemmHash(Random random, (int M, int N, int K)[] shapes)
    {
        uint hash = 2166136261;
        foreach (var (m, n, k) in shapes)
            foreach (bool transA in new[] { false, true })
                foreach (bool transB in new[] { false, true })
                {
                    float[] a = KernelChecks.Filled(random, m * k), b = KernelChecks.Filled(random, k * n);
                    float[] c = new float[m * n];
                    Gemm.Multiply(a, b, c, m, n, k, transA, transB);
                    hash = Hash(hash, c);
                }
        return hash;
    }

    private static uint Hash(uint hash, ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            uint bits = (uint)BitConverter.SingleToInt32Bits(value);
            for (int shift = 0; shift < 32; shift += 8) hash = (hash ^ ((bits >> shift) & 0xFF)) * 16777619;
        }
        return hash;
    }
}
