using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>The backward of <see cref="MaxPool2x2"/>: the windows' gradients written as whole vectors.</summary>
internal static unsafe partial class MaxPool2x2
{
    /// <summary>Lanes 0, 16, 1, 17, .., 7, 23: interleaves the low halves of two vectors.</summary>
    private static readonly Vector512<int> LowPairs =
        (Vector512<int>.Indices >>> 1) + (Vector512<int>.Indices & Vector512<int>.One) * 16;

    /// <summary>Lanes 8, 24, .., 15, 31: interleaves the high halves.</summary>
    private static readonly Vector512<int> HighPairs = LowPairs + Vector512.Create(8);

    /// <summary>
    /// The backward of one plane, 16 windows per vector, without the scatter's data-dependent branch: each window's
    /// gradient goes to whichever of its four taps the index names, and both input rows of a row of windows are
    /// written as whole vectors. gradX [H, W] gets 0 + gradY at the winners and zero elsewhere
    /// (<paramref name="overwrite"/>), or adds gradY at the winners (0 + gradY with <paramref name="pooled"/>, the
    /// ReLU variant, which passes only windows whose pooled output is positive) — the scatter's values bit for bit.
    /// Returns false, having written nothing, when an index is not inside its own window (indices that are not a
    /// 2×2 forward's): the caller then scatters.
    /// </summary>
    public static bool Backward(in PoolGeometry g, float* gradX, float* gradY, int* indices, float* pooled,
        bool overwrite)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        if (outWidth < 16 && 16 % outWidth == 0) return NarrowBackward(g, gradX, gradY, indices, pooled, overwrite);
        if (outWidth % 16 != 0) return false;
        var lane2 = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var one = Vector512<int>.One;
        var below = Vector512.Create(width);
        for (int oh = 0; oh < outHeight; oh++)
            for (int j = 0; j < outWidth; j += 16)
            {
                var corner = Vector512.Create(2 * oh * width + 2 * j) + lane2; // each window's top-left tap
                var index = Vector512.Load(indices + oh * outWidth + j);
                var topLeft = Vector512.Equals(index, corner);
                var topRight = Vector512.Equals(index, corner + one);
                var bottomLeft = Vector512.Equals(index, corner + below);
                var bottomRight = Vector512.Equals(index, corner + below + one);
                if (!Vector512.EqualsAll(topLeft | topRight | bottomLeft | bottomRight, Vector512<int>.AllBitsSet))
                    return false;
            }

        for (int oh = 0; oh < outHeight; oh++)
        {
            float* top = gradX + 2 * oh * width, bottom = top + width;
            for (int j = 0; j < outWidth; j += 16)
            {
                int o = oh * outWidth + j;
                var corner = Vector512.Create(2 * oh * width + 2 * j) + lane2;
                var index = Vector512.Load(indices + o);
                var pass = pooled == null ? Vector512<int>.AllBitsSet
                    : Vector512.GreaterThan(Vector512.Load(pooled + o), Vector512<float>.Zero).AsInt32();
                var gradient = Vector512.Load(gradY + o);
                // The scatter adds gradY onto a cleared cell (0 + gradY) or, for ReLU, 0 + gradY onto the cell.
                if (overwrite || pooled != null) gradient = Vector512<float>.Zero + gradient;
                // Each tap's gradient where the index names it (and ReLU passes the window), zero elsewhere.
                var topLeft = (Vector512.Equals(index, corner) & pass).AsSingle();
                var topRight = (Vector512.Equals(index, corner + one) & pass).AsSingle();
                var bottomLeft = (Vector512.Equals(index, corner + below) & pass).AsSingle();
                var bottomRight = (Vector512.Equals(index, corner + below + one) & pass).AsSingle();
                WriteRow(top + 2 * j, topLeft, topRight, gradient, overwrite);
                WriteRow(bottom + 2 * j, bottomLeft, bottomRight, gradient, overwrite);
            }
        }
        if (overwrite && g.H > 2 * outHeight) // floor mode's unused last row has no gradient
            new Span<float>(gradX + 2 * outHeight * width, width).Clear();
        return true;
    }

    /// <summary>
    /// <see cref="Backward"/> for narrow planes (OW = 1, 2, 4 or 8): 16 windows are 16 / OW whole output rows, whose
    /// input rows are 64 consecutive floats, and each of those 4 vectors is a permutation of the four taps'
    /// gradients. Output rows past the last whole group of 16 windows go one window at a time.
    /// </summary>
    private static bool NarrowBackward(in PoolGeometry g, float* gradX, float* gradY, int* indices, float* pooled,
        bool overwrite)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W, rows = 16 / outWidth;
        int groups = outHeight / rows;
        // Window l of a group: output row l / OW, column l % OW; its top-left tap 2W·(l / OW) + 2·(l % OW) floats
        // into the group's 64. Input float p of the group (row r = p / W, column q = p % W) belongs to window
        // (r / 2)·OW + q / 2 and is its tap 2·(r % 2) + q % 2.
        var lane = Vector512<int>.Indices;
        var windowRow = Vector512.Divide(lane, Vector512.Create(outWidth));
        var corner = Vector512.Create(2 * width) * windowRow + (lane - windowRow * Vector512.Create(outWidth)) * 2;
        var one = Vector512<int>.One;
        var below = Vector512.Create(width);
        for (int k = 0; k < groups; k++)
        {
            var index = Vector512.Load(indices + 16 * k) - Vector512.Create(2 * width * rows * k);
            var inside = Vector512.Equals(index, corner) | Vector512.Equals(index, corner + one)
                | Vector512.Equals(index, corner + below) | Vector512.Equals(index, corner + below + one);
            if (!Vector512.EqualsAll(inside, Vector512<int>.AllBitsSet)) return false;
        }
        for (int o = groups * 16; o < outHeight * outWidth; o++)
        {
            int oh = o / outWidth, ow = o - oh * outWidth, offset = indices[o] - 2 * (oh * width + ow);
            if (offset != 0 && offset != 1 && offset != width && offset != width + 1) return false;
        }

        var taps = stackalloc Vector512<float>[4]; // each tap's gradient where the index names it, else zero
        var wins = stackalloc Vector512<float>[4]; // all bits set where it does (and ReLU passes the window)
        for (int k = 0; k < groups; k++)
        {
            var index = Vector512.Load(indices + 16 * k) - Vector512.Create(2 * width * rows * k);
            var pass = pooled == null ? Vector512<int>.AllBitsSet
                : Vector512.GreaterThan(Vector512.Load(pooled + 16 * k), Vector512<float>.Zero).AsInt32();
            var gradient = Vector512.Load(gradY + 16 * k);
            if (overwrite || pooled != null) gradient = Vector512<float>.Zero + gradient;
            wins[0] = (Vector512.Equals(index, corner) & pass).AsSingle();
            wins[1] = (Vector512.Equals(index, corner + one) & pass).AsSingle();
            wins[2] = (Vector512.Equals(index, corner + below) & pass).AsSingle();
            wins[3] = (Vector512.Equals(index, corner + below + one) & pass).AsSingle();
            for (int t = 0; t < 4; t++) taps[t] = Vector512.ConditionalSelect(wins[t], gradient, Vector512<float>.Zero);
            float* block = gradX + 2 * width * rows * k;
            for (int v = 0; v < 4; v++)
            {
                var p = lane + Vector512.Create(16 * v);
                var r = Vector512.Divide(p, below);
                var q = p - r * below;
                // Two-source permute index: the window in bits 0..3, the right-hand tap in bit 4.
                var source = (r >>> 1) * Vector512.Create(outWidth) + (q >>> 1) + (q & one) * 16;
                var bottom = Vector512.Equals(r & one, one).AsSingle();
                var value = Vector512.ConditionalSelect(bottom, Avx512F.PermuteVar16x32x2(taps[2], source, taps[3]),
                    Avx512F.PermuteVar16x32x2(taps[0], source, taps[1]));
                if (overwrite)
                {
                    Vector512.Store(value, block + 16 * v);
                    continue;
                }
                // Accumulating: add where a tap won (its gradient may be zero), keep the other cells as they were.
                var won = Vector512.ConditionalSelect(bottom, Avx512F.PermuteVar16x32x2(wins[2], source, wins[3]),
                    Avx512F.PermuteVar16x32x2(wins[0], source, wins[1]));
                var old = Vector512.Load(block + 16 * v);
                Vector512.Store(Vector512.ConditionalSelect(won, old + value, old), block + 16 * v);
            }
        }
        for (int o = groups * 16; o < outHeight * outWidth; o++) // the output rows left over, one window at a time
        {
            int oh = o / outWidth, ow = o - oh * outWidth;
            float* window = gradX + 2 * (oh * width + ow);
            if (overwrite) window[0] = window[1] = window[width] = window[width + 1] = 0;
            if (pooled != null && !(pooled[o] > 0)) continue;
            float value = overwrite || pooled != null ? 0f + gradY[o] : gradY[o];
            gradX[indices[o]] += value;
        }
        if (overwrite && g.H > 2 * outHeight) // floor mode's unused last row has no gradient
            new Span<float>(gradX + 2 * outHeight * width, width).Clear();
        return true;
    }

    /// <summary>
    /// 32 cells of one input row from 16 windows: the left tap of window i is cell 2i, the right one 2i + 1;
    /// a cell that wins gets the gradient (onto zero, or added), the others zero or their old value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(float* row, Vector512<float> left, Vector512<float> right, Vector512<float> gradient,
        bool overwrite)
    {
        var values = Vector512.ConditionalSelect(left, gradient, Vector512<float>.Zero);
        var rightValues = Vector512.ConditionalSelect(right, gradient, Vector512<float>.Zero);
        var low = Avx512F.PermuteVar16x32x2(values, LowPairs, rightValues);
        var high = Avx512F.PermuteVar16x32x2(values, HighPairs, rightValues);
        if (overwrite)
        {
            Vector512.Store(low, row);
            Vector512.Store(high, row + 16);
            return;
        }
        var lowWins = Avx512F.PermuteVar16x32x2(left, LowPairs, right);
        var highWins = Avx512F.PermuteVar16x32x2(left, HighPairs, right);
        var oldLow = Vector512.Load(row);
        var oldHigh = Vector512.Load(row + 16);
        Vector512.Store(Vector512.ConditionalSelect(lowWins, oldLow + low, oldLow), row);
        Vector512.Store(Vector512.ConditionalSelect(highWins, oldHigh + high, oldHigh), row + 16);
    }
}
