using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The common 2×2, stride-2, unpadded max pool of one plane, without data-dependent branches. The
/// general loop in <see cref="PoolingPlanes.MaxForward"/> branches on every comparison, and on real
/// activations that branch is unpredictable (about half the taps win), which made pooling a fifth of a
/// CNN step. Two vector passes instead, both independent of the plane's width:
/// <code>
///   1. horizontal: every (left, right) pair of a row → its maximum and which of the two won;
///      with W even, the pairs tile the plane, so this runs over the plane as one flat array
///   2. vertical:   output row oh = the better of pair-rows 2·oh and 2·oh + 1
/// </code>
/// Same semantics as the reference: the first maximum in row-major window order wins, NaN propagates.
/// </summary>
internal static unsafe partial class MaxPool2x2
{
    [ThreadStatic] private static float[]? _pairValues;
    [ThreadStatic] private static int[]? _pairOffsets;

    /// <summary>True when <paramref name="g"/> is a 2×2, stride-2, unpadded pool over an even width.</summary>
    public static bool Applies(in PoolGeometry g) =>
        VectorWidth.Use512 && Avx512F.IsSupported && g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 &&
        g.StrideW == 2 && g.PadH == 0 && g.PadW == 0 && g.W % 2 == 0;

    /// <summary>x: [H, W] → y, indices: [H/2, W/2] (a trailing odd row is ignored, as floor mode does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in PoolGeometry g, float* x, float* y, int* indices)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        int pairs = 2 * outHeight * outWidth; // pairs in the rows that are used
        if (_pairValues is null || _pairValues.Length < pairs)
        {
            _pairValues = new float[pairs];
            _pairOffsets = new int[pairs];
        }
        fixed (float* pairValue = _pairValues)
        fixed (int* pairOffset = _pairOffsets)
        {
            HorizontalPairs(x, pairValue, pairOffset, pairs);
            int oh = 0;
            if (outWidth < 16 && 16 % outWidth == 0)
                oh = NarrowRows(pairValue, pairOffset, outHeight, outWidth, width, y, indices);
            for (; oh < outHeight; oh++)
            {
                VerticalPairs(pairValue + 2 * oh * outWidth, pairOffset + 2 * oh * outWidth, outWidth,
                    2 * oh * width, width,
                    y + oh * outWidth, indices + oh * outWidth);
            }
        }
    }

    /// <summary>value[p] = first max of (x[2p], x[2p+1]); offset[p] = 0 or 1 for the winner.</summary>
    private static void HorizontalPairs(float* x, float* value, int* offset, int pairs)
    {
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = even + Vector512<int>.One;
        int p = 0;
        for (; p + 16 <= pairs; p += 16)
        {
            var a = Vector512.Load(x + 2 * p);
            var b = Vector512.Load(x + 2 * p + 16);
            var best = Avx512F.PermuteVar16x32x2(a, even, b);
            var off = Vector512<int>.Zero;
            Take(ref best, ref off, Avx512F.PermuteVar16x32x2(a, odd, b), Vector512<int>.One);
            best.Store(value + p);
            off.Store(offset + p);
        }
        for (; p < pairs; p++)
        {
            float left = x[2 * p], right = x[2 * p + 1];
            bool takeRight = right > left || float.IsNaN(right);
            value[p] = takeRight ? right : left;
            offset[p] = takeRight ? 1 : 0;
        }
    }

    /// <summary>
    /// Combines pair-row <c>top</c> (input row 2·oh, starting at flat index <paramref name="rowBase"/>) with
    /// the pair-row below it into one output row: y[j] and its flat input index.
    /// </summary>
    private static void VerticalPairs(float* value, int* offset, int outWidth, int rowBase, int width,
        float* y, int* indices)
    {
        float* topValue = value, bottomValue = value + outWidth;
        int* topOffset = offset, bottomOffset = offset + outWidth;
        var lane2 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        int j = 0;
        for (; j + 16 <= outWidth; j += 16)
        {
            var column = Vector512.Create(rowBase + 2 * j) + lane2; // flat index of each window's top-left tap
            var best = Vector512.Load(topValue + j);
            var index = column + Vector512.Load(topOffset + j);
            Take(ref best, ref index, Vector512.Load(bottomValue + j), column + Vector512.Create(width)
                + Vector512.Load(bottomOffset + j));
            best.Store(y + j);
            index.Store(indices + j);
        }
        for (; j < outWidth; j++)
        {
            int column = rowBase + 2 * j;
            float best = topValue[j], below = bottomValue[j];
            bool takeBelow = below > best || float.IsNaN(below);
            y[j] = takeBelow ? below : best;
            indices[j] = takeBelow ? column + width + bottomOffset[j] : column + topOffset[j];
        }
    }

    /// <summary>
    /// The vertical pass for narrow outputs (OW = 1, 2, 4 or 8): one 16-lane vector covers 16/OW output
    /// rows, whose top and bottom pair-rows sit in the same 32 consecutive pair values, so two permutes
    /// gather them. Returns the first output row not done.
    /// </summary>
    private static int NarrowRows(float* value, int* offset, int outHeight, int outWidth, int width,
        float* y, int* indices)
    {
        int rowsPerVector = 16 / outWidth;
        Span<int> top = stackalloc int[16], column = stackalloc int[16];
        for (int lane = 0; lane < 16; lane++)
        {
            int row = lane / outWidth, j = lane % outWidth;
            top[lane] = row * 2 * outWidth + j;         // pair index of the top tap, relative to the group
            column[lane] = 2 * row * width + 2 * j;      // flat input index of the window's top-left tap
        }
        var topIndex = Vector512.Create((ReadOnlySpan<int>)top);
        var bottomIndex = topIndex + Vector512.Create(outWidth);
        var columnBase = Vector512.Create((ReadOnlySpan<int>)column);
        var belowStep = Vector512.Create(width);
        int oh = 0;
        for (; oh + rowsPerVector <= outHeight; oh += rowsPerVector)
        {
            int pairBase = 2 * oh * outWidth;
            var v0 = Vector512.Load(value + pairBase);
            var v1 = Vector512.Load(value + pairBase + 16);
            var o0 = Vector512.Load(offset + pairBase);
            var o1 = Vector512.Load(offset + pairBase + 16);
            var columns = columnBase + Vector512.Create(2 * oh * width);
            var best = Avx512F.PermuteVar16x32x2(v0, topIndex, v1);
            var index = columns + Avx512F.PermuteVar16x32x2(o0, topIndex, o1);
            Take(ref best, ref index, Avx512F.PermuteVar16x32x2(v0, bottomIndex, v1),
                columns + belowStep + Avx512F.PermuteVar16x32x2(o0, bottomIndex, o1));
            best.Store(y + oh * outWidth);
            index.Store(indices + oh * outWidth);
        }
        return oh;
    }

    /// <summary>
    /// Where <paramref name="candidate"/> beats <paramref name="best"/> (or is NaN), take it and its tag.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take(ref Vector512<float> best, ref Vector512<int> tag, Vector512<float> candidate,
        Vector512<int> candidateTag)
    {
        var wins = Vector512.GreaterThan(candidate, best) | ~Vector512.Equals(candidate, candidate);
        best = Vector512.ConditionalSelect(wins, candidate, best);
        tag = Vector512.ConditionalSelect(wins.AsInt32(), candidateTag, tag);
    }
}
