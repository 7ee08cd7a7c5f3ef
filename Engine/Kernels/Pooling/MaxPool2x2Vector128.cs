using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The 2×2, stride-2, unpadded max pool with the portable Vector128 API, for the paths without AVX-512 (ARM64, x64
/// with the width capped): four windows per step. Each window's four taps are compared in the reference's order
/// — (0,0), (0,1), (1,0), (1,1) — with its rule (a tap wins when greater, or when NaN), so values and indices are
/// those of <see cref="PoolingReference.MaxPoolForward"/>: the first maximum, or the last NaN.
/// </summary>
internal static unsafe class MaxPool2x2Vector128
{
    /// <summary>True when <paramref name="g"/> is a 2×2, stride-2, unpadded pool and 128-bit vectors run.</summary>
    public static bool Applies(in PoolGeometry g) =>
        VectorWidth.Use128 && g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2 &&
        g.PadH == 0 && g.PadW == 0;

    /// <summary>
    /// x: [H, W] → y, indices: [H/2, W/2] (a trailing odd row or column is ignored, as floor mode does).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in PoolGeometry g, float* x, float* y, int* indices)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        var evenColumns = Vector128.Create(0, 2, 4, 6);
        for (int oh = 0; oh < outHeight; oh++)
        {
            int top = 2 * oh * width;
            float* row0 = x + top, row1 = row0 + width, yRow = y + oh * outWidth;
            int* indexRow = indices + oh * outWidth;
            int ow = 0;
            for (; ow + 4 <= outWidth; ow += 4)
            {
                // Eight inputs of each row: [e0 o0 e1 o1], [e2 o2 e3 o3] → even [e0 e1 e2 e3], odd [o0 o1 o2 o3].
                var (even0, odd0) = Deinterleave(row0 + 2 * ow);
                var (even1, odd1) = Deinterleave(row1 + 2 * ow);
                var index = Vector128.Create(top + 2 * ow) + evenColumns;
                Vector128<float> best = even0;
                Vector128<int> bestIndex = index;
                Take(odd0, index + Vector128<int>.One, ref best, ref bestIndex);
                Take(even1, index + Vector128.Create(width), ref best, ref bestIndex);
                Take(odd1, index + Vector128.Create(width + 1), ref best, ref bestIndex);
                best.Store(yRow + ow);
                bestIndex.Store(indexRow + ow);
            }
            for (; ow < outWidth; ow++)
            {
                int at = top + 2 * ow, index = at;
                float value = x[at];
                Take(x, at + 1, ref value, ref index);
                Take(x, at + width, ref value, ref index);
                Take(x, at + width + 1, ref value, ref index);
                yRow[ow] = value;
                indexRow[ow] = index;
            }
        }
    }

    /// <summary>Where <paramref name="value"/> &gt; best or is NaN, it and its index replace best.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(Vector128<float> value, Vector128<int> index, ref Vector128<float> best,
        ref Vector128<int> bestIndex)
    {
        var wins = Vector128.GreaterThan(value, best) | ~Vector128.Equals(value, value);
        best = Vector128.ConditionalSelect(wins, value, best);
        bestIndex = Vector128.ConditionalSelect(wins.AsInt32(), index, bestIndex);
    }

    /// <summary>The scalar rule of <see cref="Take(Vector128{float}, Vector128{int}, ref Vector128{float},
    /// ref Vector128{int})"/> for one tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(float* x, int tap, ref float best, ref int bestIndex)
    {
        if (x[tap] > best || float.IsNaN(x[tap])) (best, bestIndex) = (x[tap], tap);
    }

    /// <summary>The even and odd elements of the eight floats at <paramref name="source"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector128<float> Even, Vector128<float> Odd) Deinterleave(float* source)
    {
        var order = Vector128.Create(0, 2, 1, 3);
        var low = Vector128.Shuffle(Vector128.Load(source), order);      // [e0 e1 o0 o1]
        var high = Vector128.Shuffle(Vector128.Load(source + 4), order); // [e2 e3 o2 o3]
        return (Vector128.Create(low.GetLower(), high.GetLower()), Vector128.Create(low.GetUpper(), high.GetUpper()));
    }
}
