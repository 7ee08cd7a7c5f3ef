using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>The filter transform of <see cref="WinogradF23Transforms"/>: U = G·g·Gᵀ, once per call.</summary>
internal static unsafe partial class WinogradF23Transforms
{
    /// <summary>
    /// u[ξ, o, c] = (G·w[o, c]·Gᵀ)[ξ] for ξ = 4i + j, in double and rounded once; rows o ≥ O are zero (the
    /// micro-kernel computes 8 rows at a time). w: [O, C, 3, 3], u: [16, paddedOut, C].
    /// </summary>
    public static void Filters(float* w, float* u, int outChannels, int paddedOut, int inChannels)
    {
        Span<double> half = stackalloc double[12]; // G·g: [4, 3]
        for (int o = 0; o < paddedOut; o++)
            for (int c = 0; c < inChannels; c++)
            {
                if (o < outChannels && c + 8 <= inChannels && Avx2.IsSupported)
                {
                    FiltersOf8(w + ((nint)o * inChannels + c) * 9, u + (nint)o * inChannels + c,
                        (nint)paddedOut * inChannels);
                    c += 7;
                    continue;
                }
                if (o >= outChannels)
                {
                    for (int cell = 0; cell < WinogradF23Convolution.Cells; cell++)
                        u[((nint)cell * paddedOut + o) * inChannels + c] = 0;
                    continue;
                }
                float* g = w + ((nint)o * inChannels + c) * 9;
                for (int col = 0; col < 3; col++)
                {
                    double g0 = g[col], g1 = g[3 + col], g2 = g[6 + col];
                    half[col] = g0;
                    half[3 + col] = 0.5 * (g0 + g1 + g2);
                    half[6 + col] = 0.5 * (g0 - g1 + g2);
                    half[9 + col] = g2;
                }
                for (int i = 0; i < 4; i++)
                {
                    double h0 = half[3 * i], h1 = half[3 * i + 1], h2 = half[3 * i + 2];
                    ReadOnlySpan<double> row = [h0, 0.5 * (h0 + h1 + h2), 0.5 * (h0 - h1 + h2), h2];
                    for (int j = 0; j < 4; j++)
                        u[((nint)(4 * i + j) * paddedOut + o) * inChannels + c] = (float)row[j];
                }
            }
    }

    /// <summary>Tap offsets of 8 consecutive 3×3 filters: 0, 9, .., 63.</summary>
    private static readonly Vector256<int> FilterStarts = Vector256<int>.Indices * 9;

    /// <summary>
    /// <see cref="Filters"/> for 8 consecutive filters w[o, c .. c + 7] at once, one filter per double lane: the same
    /// operations in the same order, so the same bits as one at a time. u: cell 0 of the first; cells
    /// <paramref name="cellStride"/> apart.
    /// </summary>
    private static void FiltersOf8(float* w, float* u, nint cellStride)
    {
        var half = stackalloc Vector512<double>[12]; // G·g: [4, 3]
        var oneHalf = Vector512.Create(0.5);
        for (int col = 0; col < 3; col++)
        {
            Vector512<double> g0 = Tap(w, col), g1 = Tap(w, 3 + col), g2 = Tap(w, 6 + col);
            half[col] = g0;
            half[3 + col] = oneHalf * (g0 + g1 + g2);
            half[6 + col] = oneHalf * (g0 - g1 + g2);
            half[9 + col] = g2;
        }
        for (int i = 0; i < 4; i++)
        {
            Vector512<double> h0 = half[3 * i], h1 = half[3 * i + 1], h2 = half[3 * i + 2];
            Store(h0, u + 4 * i * cellStride);
            Store(oneHalf * (h0 + h1 + h2), u + (4 * i + 1) * cellStride);
            Store(oneHalf * (h0 - h1 + h2), u + (4 * i + 2) * cellStride);
            Store(h2, u + (4 * i + 3) * cellStride);
        }

        static Vector512<double> Tap(float* w, int tap) =>
            Avx512F.ConvertToVector512Double(Avx2.GatherVector256(w + tap, FilterStarts, 4));

        static void Store(Vector512<double> value, float* target) =>
            Avx512F.ConvertToVector256Single(value).Store(target);
    }
}
