using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The common 2×2, stride-2, unpadded max pool of one plane, without branches. The general loop in
/// <see cref="PoolingPlanes.MaxForward"/> branches on every comparison, and on real activations that
/// branch is unpredictable (about half the taps win), which made pooling a fifth of a CNN step. Same
/// semantics: the first maximum in row-major window order wins, and NaN propagates.
/// </summary>
internal static unsafe class MaxPool2x2
{
    /// <summary>True when <paramref name="g"/> is a 2×2, stride-2, unpadded pool.</summary>
    public static bool Applies(in PoolGeometry g) =>
        g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 && g.PadH == 0 && g.PadW == 0;

    /// <summary>x: [H, W] → y, indices: [H/2, W/2] (floor; a trailing odd row or column is ignored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in PoolGeometry g, float* x, float* y, int* indices)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        for (int oh = 0; oh < outHeight; oh++)
        {
            float* row0 = x + 2 * oh * width, row1 = row0 + width;
            float* yRow = y + oh * outWidth;
            int* iRow = indices + oh * outWidth;
            int rowBase = 2 * oh * width;
            int ow = 0;
            if (Avx512F.IsSupported)
            {
                // Lanes 0..15 of (lo, hi) hold 32 consecutive inputs; the permutes split them into the
                // left (even) and right (odd) column of each window.
                var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
                var odd = even + Vector512<int>.One;
                var lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                for (; ow + 16 <= outWidth; ow += 16)
                {
                    int c = 2 * ow;
                    var a0 = Vector512.Load(row0 + c);
                    var a1 = Vector512.Load(row0 + c + 16);
                    var b0 = Vector512.Load(row1 + c);
                    var b1 = Vector512.Load(row1 + c + 16);
                    var topLeft = Avx512F.PermuteVar16x32x2(a0, even, a1);
                    var topRight = Avx512F.PermuteVar16x32x2(a0, odd, a1);
                    var bottomLeft = Avx512F.PermuteVar16x32x2(b0, even, b1);
                    var bottomRight = Avx512F.PermuteVar16x32x2(b0, odd, b1);

                    // Index of the top-left tap of each window, then the offset of the winner.
                    var index = Vector512.Create(rowBase + c) + lane * 2;
                    var best = topLeft;
                    var offset = Vector512<int>.Zero;
                    Take(ref best, ref offset, topRight, Vector512<int>.One);
                    Take(ref best, ref offset, bottomLeft, Vector512.Create(width));
                    Take(ref best, ref offset, bottomRight, Vector512.Create(width + 1));
                    best.Store(yRow + ow);
                    (index + offset).Store(iRow + ow);
                }
            }
            for (; ow < outWidth; ow++)
            {
                // The maximum first (branch-free max instructions), then the first tap equal to it found
                // with bit tricks instead of data-dependent branches.
                int c = 2 * ow;
                float a = row0[c], b = row0[c + 1], d = row1[c], e = row1[c + 1];
                float best = MathF.Max(MathF.Max(a, b), MathF.Max(d, e));
                int at;
                if (float.IsNaN(best))
                {
                    // Rare: the reference semantics (the last NaN wins), taken slowly.
                    at = float.IsNaN(e) ? width + 1 : float.IsNaN(d) ? width : float.IsNaN(b) ? 1 : 0;
                }
                else
                {
                    int equal = (a == best ? 1 : 0) | (b == best ? 2 : 0) | (d == best ? 4 : 0) | (e == best ? 8 : 0);
                    int tap = System.Numerics.BitOperations.TrailingZeroCount(equal);
                    at = (tap & 1) + (tap >> 1) * width;
                }
                at += rowBase + c;
                yRow[ow] = x[at];
                iRow[ow] = at;
            }
        }
    }

    /// <summary>Where <paramref name="candidate"/> beats <paramref name="best"/> (or is NaN), take it and its offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref Vector512<float> best, ref Vector512<int> offset, Vector512<float> candidate, Vector512<int> candidateOffset)
    {
        var wins = Vector512.GreaterThan(candidate, best) | ~Vector512.Equals(candidate, candidate);
        best = Vector512.ConditionalSelect(wins, candidate, best);
        offset = Vector512.ConditionalSelect(wins.AsInt32(), candidateOffset, offset);
    }
}
