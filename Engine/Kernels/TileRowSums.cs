using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Folds one row of a 4×4 weight-gradient register tile (four 16-lane accumulators, one per input channel) into
/// the partial gradient: shared by <see cref="ImplicitWeightGradient"/> and <see cref="SmallPlaneWeightGradient"/>.
/// </summary>
internal static unsafe class TileRowSums
{
    /// <summary>
    /// target[row·patch + j·taps] += Σ lanes of s_j for j &lt; cols, when row &lt; rows. The four sums come out of one
    /// tree (256-bit halves added, then three horizontal adds), cheaper than four full-vector sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(float* target, int rows, int cols, int row, Vector512<float> s0, Vector512<float> s1,
        Vector512<float> s2, Vector512<float> s3, int patch, int taps)
    {
        if (row >= rows) return;
        Vector256<float> h01 = Avx.HorizontalAdd(s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper());
        Vector256<float> h23 = Avx.HorizontalAdd(s2.GetLower() + s2.GetUpper(), s3.GetLower() + s3.GetUpper());
        Vector256<float> h = Avx.HorizontalAdd(h01, h23); // per 128-bit lane: [Σs0, Σs1, Σs2, Σs3] of that lane
        Vector128<float> sums = h.GetLower() + h.GetUpper();
        float* t = target + (nint)row * patch;
        t[0] += sums.GetElement(0);
        if (cols > 1) t[taps] += sums.GetElement(1);
        if (cols > 2) t[2 * taps] += sums.GetElement(2);
        if (cols > 3) t[3 * taps] += sums.GetElement(3);
    }
}
