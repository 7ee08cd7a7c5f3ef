using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static RocketNet.Kernels.WinogradF23Transforms;

namespace RocketNet.Kernels;

/// <summary>
/// The transforms of <see cref="WinogradF23WeightGradient"/> (the matrices of <see cref="WinogradF23Reference"/>). Its
/// channel reductions run over tiles, so the GEMM wants channels in the vector lanes: the input tiles are
/// transformed 16 channels at a time from a channels-last copy of the input rows (<see cref="ChannelsLast"/>),
/// while the output gradient, whose rows are the GEMM's A operand, is transformed 16 tiles at a time as in the
/// forward kernel.
/// </summary>
internal static unsafe class WinogradF23GradientTransforms
{
    private const int Lanes = 16;

    /// <summary>Columns of the channels-last copy: image columns −1 .. W + 1 (a partial tile reads W + 1).</summary>
    public static int ColumnsLast(int width) => width + 3;

    /// <summary>
    /// Copies image rows first .. first + rows − 1 of one image x [C, H, W] into a channels-last block
    /// [rows, ColumnsLast(W), paddedChannels]: cell (r, j) holds x[:, first + r, j − 1]. Rows and columns outside
    /// the image and channels ≥ C are written as zeros (the convolution's padding, and lanes the GEMM may read).
    /// The plane's positions are taken 16 at a time whatever the row length (a vector of an 8-wide image holds two
    /// rows), 16 channels × 16 positions per in-register transpose.
    /// </summary>
    public static void ChannelsLast(float* x, int channels, int paddedChannels, int height, int width, int first,
        int rows, float* block)
    {
        int columns = ColumnsLast(width);
        nint rowLength = (nint)columns * paddedChannels, plane = (nint)height * width;
        for (int r = 0; r < rows; r++)
        {
            int imageRow = first + r;
            float* target = block + r * rowLength;
            if ((uint)imageRow >= (uint)height)
            {
                new Span<float>(target, (int)rowLength).Clear();
                continue;
            }
            new Span<float>(target, paddedChannels).Clear(); // column −1
            new Span<float>(target + (nint)(width + 1) * paddedChannels, 2 * paddedChannels).Clear(); // W, W + 1
        }

        Vector512<float>* lanes = stackalloc Vector512<float>[Lanes];
        int p0 = Math.Max(first, 0) * width, p1 = Math.Min(first + rows, height) * width;
        for (int p = p0; p < p1; p += Lanes)
        {
            int count = Math.Min(Lanes, p1 - p);
            var valid = Mask(count);
            for (int c0 = 0; c0 < paddedChannels; c0 += Lanes)
            {
                for (int k = 0; k < Lanes; k++)
                    lanes[k] = c0 + k < channels
                        ? Avx512F.MaskLoad(x + (c0 + k) * plane + p, valid, Vector512<float>.Zero)
                        : Vector512<float>.Zero;
                WeightGradientPack.Transpose(lanes); // lanes[j]: channels c0 .. c0 + 15 of position p + j
                for (int j = 0; j < count; j++)
                {
                    int row = (p + j) / width, column = (p + j) - row * width;
                    Vector512.Store(lanes[j], block + ((nint)(row - first) * columns + column + 1) * paddedChannels
                        + c0);
                }
            }
        }
    }

    /// <summary>
    /// V = Bᵀ·d·B for tile rows [0, tileRows) × [0, tilesX) of one channels-last image block (its row 0 is the
    /// input row above the first tile row), 16 channels per vector. Tile t0 + ty·tilesX + tx, cell ξ, channel c goes
    /// to v + ξ·cellStride + (c / 32)·32·tiles + t·32 + c % 32: per cell, B panels [tiles][32 channels].
    /// </summary>
    public static void Input(float* block, int width, int paddedChannels, int tileRows, int tilesX, float* v, int t0,
        int tiles, nint cellStride)
    {
        nint cellColumn = paddedChannels, cellRow = (nint)ColumnsLast(width) * paddedChannels;
        for (int ty = 0; ty < tileRows; ty++)
            for (int tx = 0; tx < tilesX; tx++)
            {
                int t = t0 + ty * tilesX + tx;
                float* corner = block + 2 * ty * cellRow + 2 * tx * cellColumn;
                for (int c0 = 0; c0 < paddedChannels; c0 += Lanes)
                {
                    float* d = corner + c0;
                    float* target = v + (nint)(c0 / GemmMicroKernel512.Nr) * GemmMicroKernel512.Nr * tiles
                        + (nint)t * GemmMicroKernel512.Nr + c0 % GemmMicroKernel512.Nr;
                    // Bᵀ·d column by column (rows d0 − d2, d1 + d2, d2 − d1, d1 − d3), then B across each row.
                    Rows(d, cellRow, out var r00, out var r10, out var r20, out var r30);
                    Rows(d + cellColumn, cellRow, out var r01, out var r11, out var r21, out var r31);
                    Rows(d + 2 * cellColumn, cellRow, out var r02, out var r12, out var r22, out var r32);
                    Rows(d + 3 * cellColumn, cellRow, out var r03, out var r13, out var r23, out var r33);
                    Columns(target, 0, cellStride, r00, r01, r02, r03);
                    Columns(target, 4, cellStride, r10, r11, r12, r13);
                    Columns(target, 8, cellStride, r20, r21, r22, r23);
                    Columns(target, 12, cellStride, r30, r31, r32, r33);
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(float* target, int first, nint cellStride, Vector512<float> d0, Vector512<float> d1,
        Vector512<float> d2, Vector512<float> d3)
    {
        Vector512.Store(d0 - d2, target + first * cellStride);
        Vector512.Store(d1 + d2, target + (first + 1) * cellStride);
        Vector512.Store(d2 - d1, target + (first + 2) * cellStride);
        Vector512.Store(d1 - d3, target + (first + 3) * cellStride);
    }

    /// <summary>
    /// Y' = A·dY·Aᵀ for tile rows [ty0, ty1) of one output-gradient plane gradY [H, W], 16 tiles per vector: tile
    /// (ty, tx), cell ξ goes to y + ξ·cellStride + (ty − ty0)·TilesX + tx (y already offset to the plane's first
    /// tile in its row of the GEMM's A operand). Outputs past the image read zero: they have no gradient.
    /// </summary>
    public static void OutputGradient(in WinogradF23Transforms.Shape shape, float* gradY, int ty0, int ty1, float* y,
        nint cellStride)
    {
        int width = shape.Width, tilesX = shape.TilesX;
        if (width % 2 == 0 && shape.Height % 2 == 0 && tilesX < Lanes && Lanes % tilesX == 0)
        {
            OutputGradientAcrossRows(shape, gradY, ty0, ty1, y, cellStride);
            return;
        }
        for (int ty = ty0, t = 0; ty < ty1; ty++, t += tilesX)
        {
            int row = 2 * ty;
            float* upper = gradY + (nint)row * width, lower = upper + width;
            bool hasLower = row + 1 < shape.Height;
            for (int tx = 0; tx < tilesX; tx += Lanes)
            {
                int column = 2 * tx, count = width - column;
                Split(upper + column, count, out var a, out var b); // a = dY[0][0], b = dY[0][1] of 16 tiles
                var c = Vector512<float>.Zero;
                var d = Vector512<float>.Zero;
                if (hasLower) Split(lower + column, count, out c, out d);
                var store = new TileStore(y + t + tx, Math.Min(Lanes, tilesX - tx));
                // A·dY: rows (a, b), (a + c, b + d), (a − c, b − d), (−c, −d); then the same across the columns.
                Expand(store, 0, cellStride, a, b);
                Expand(store, 4, cellStride, a + c, b + d);
                Expand(store, 8, cellStride, a - c, b - d);
                Expand(store, 12, cellStride, -c, -d);
            }
        }
    }

    /// <summary>
    /// <see cref="OutputGradient"/> for even planes narrower than 32 whose tile rows divide 16 (W = 2, 4, 8, 16): 16
    /// tiles are 16 / TilesX whole tile rows, 64 consecutive floats of gradY, and each of a tile's four values is
    /// one permutation of them — so every lane is used, where a tile row alone would fill 1/8 to 1/2 of them.
    /// </summary>
    private static void OutputGradientAcrossRows(in WinogradF23Transforms.Shape shape, float* gradY, int ty0, int ty1,
        float* y, nint cellStride)
    {
        int width = shape.Width, tilesX = shape.TilesX, rowsPerRun = Lanes / tilesX;
        // Tile l of a run: row l / TilesX, column l % TilesX; its top-left value sits 2W·row + 2·column floats in,
        // within the first 32 floats for l < 8 and the second 32 for l ≥ 8 (each half is 8 tiles).
        var tile = Vector512<int>.Indices;
        var row = Vector512.Create(2 * width) * Vector512.Divide(tile, Vector512.Create(tilesX));
        var offset = (row + (tile - Vector512.Divide(tile, Vector512.Create(tilesX)) * Vector512.Create(tilesX)) * 2)
            & Vector512.Create(31);
        var upperHalf = Vector512.GreaterThanOrEqual(tile, Vector512.Create(8)).AsSingle();
        var right = offset + Vector512<int>.One;
        var below = offset + Vector512.Create(width);
        var belowRight = below + Vector512<int>.One;
        for (int ty = ty0; ty < ty1; ty += rowsPerRun)
        {
            float* source = gradY + (nint)2 * ty * width;
            int floats = Math.Min(rowsPerRun, ty1 - ty) * 4 * tilesX;
            var v0 = Avx512F.MaskLoad(source, Mask(floats), Vector512<float>.Zero);
            var v1 = Avx512F.MaskLoad(source + Lanes, Mask(floats - Lanes), Vector512<float>.Zero);
            var v2 = Avx512F.MaskLoad(source + 2 * Lanes, Mask(floats - 2 * Lanes), Vector512<float>.Zero);
            var v3 = Avx512F.MaskLoad(source + 3 * Lanes, Mask(floats - 3 * Lanes), Vector512<float>.Zero);
            var a = Pick(v0, v1, v2, v3, offset, upperHalf);
            var b = Pick(v0, v1, v2, v3, right, upperHalf);
            var c = Pick(v0, v1, v2, v3, below, upperHalf);
            var d = Pick(v0, v1, v2, v3, belowRight, upperHalf);
            var store = new TileStore(y + (ty - ty0) * tilesX, Math.Min(Lanes, (ty1 - ty) * tilesX));
            Expand(store, 0, cellStride, a, b);
            Expand(store, 4, cellStride, a + c, b + d);
            Expand(store, 8, cellStride, a - c, b - d);
            Expand(store, 12, cellStride, -c, -d);
        }
    }

    /// <summary>Lanes 0..7 from the first 32 floats (v0, v1), lanes 8..15 from the next 32 (v2, v3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pick(Vector512<float> v0, Vector512<float> v1, Vector512<float> v2,
        Vector512<float> v3, Vector512<int> index, Vector512<float> upperHalf) =>
        Vector512.ConditionalSelect(upperHalf, Avx512F.PermuteVar16x32x2(v2, index, v3),
            Avx512F.PermuteVar16x32x2(v0, index, v1));

    /// <summary>The even and odd columns of up to 32 floats from <paramref name="source"/> (zero past count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Split(float* source, int count, out Vector512<float> even, out Vector512<float> odd)
    {
        Vector512<float> low = Avx512F.MaskLoad(source, Mask(count), Vector512<float>.Zero);
        Vector512<float> high = Avx512F.MaskLoad(source + Lanes, Mask(count - Lanes), Vector512<float>.Zero);
        even = Avx512F.PermuteVar16x32x2(low, EvenLanes, high);
        odd = Avx512F.PermuteVar16x32x2(low, OddLanes, high);
    }

    /// <summary>One row (p, q) of A·dY times Aᵀ: cells first .. first + 3 get p, p + q, p − q, −q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Expand(in TileStore store, int first, nint cellStride, Vector512<float> p, Vector512<float> q)
    {
        store.Store(first * cellStride, p);
        store.Store((first + 1) * cellStride, p + q);
        store.Store((first + 2) * cellStride, p - q);
        store.Store((first + 3) * cellStride, -q);
    }

    /// <summary>
    /// gradW[o, c] += Gᵀ·dU[o, c]·G for o &lt; O, c &lt; C, in double. sums: dU as [16 cells][paddedOut][paddedIn],
    /// gradW: [O, C, 3, 3].
    /// </summary>
    public static void Filters(float* sums, float* gradW, int outChannels, int paddedOut, int inChannels,
        int paddedIn)
    {
        nint cellStride = (nint)paddedOut * paddedIn;
        Span<double> half = stackalloc double[12]; // Gᵀ·dU: [3, 4]
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
            {
                float* m = sums + (nint)o * paddedIn + c;
                for (int j = 0; j < 4; j++)
                {
                    double m0 = m[j * cellStride], m1 = m[(4 + j) * cellStride];
                    double m2 = m[(8 + j) * cellStride], m3 = m[(12 + j) * cellStride];
                    half[j] = m0 + 0.5 * (m1 + m2);
                    half[4 + j] = 0.5 * (m1 - m2);
                    half[8 + j] = 0.5 * (m1 + m2) + m3;
                }
                float* target = gradW + ((nint)o * inChannels + c) * 9;
                for (int a = 0; a < 3; a++)
                {
                    double h0 = half[4 * a], h1 = half[4 * a + 1], h2 = half[4 * a + 2], h3 = half[4 * a + 3];
                    target[3 * a] += (float)(h0 + 0.5 * (h1 + h2));
                    target[3 * a + 1] += (float)(0.5 * (h1 - h2));
                    target[3 * a + 2] += (float)(0.5 * (h1 + h2) + h3);
                }
            }
    }

    /// <summary>A run of up to 16 consecutive tiles of one A row: a plain store when full, else masked.</summary>
    private readonly struct TileStore
    {
        private readonly float* _first;
        private readonly Vector512<float> _mask;
        private readonly bool _full;

        public TileStore(float* first, int count)
        {
            _first = first;
            _full = count == Lanes;
            _mask = Mask(count);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(nint offset, Vector512<float> value)
        {
            if (_full) Vector512.Store(value, _first + offset);
            else Avx512F.MaskStore(_first + offset, _mask, value);
        }
    }
}
