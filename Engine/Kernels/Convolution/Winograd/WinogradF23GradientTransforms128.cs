using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// <see cref="WinogradF23GradientTransforms"/> for the 128-bit body of <see cref="WinogradF23WeightGradient"/>
/// (ARM64 NEON, or x64 with the width capped): the same layouts with V's B panels <see cref="Panel"/> = 12 channels
/// wide for <see cref="WinogradCellKernel128"/>, the channels-last copy by 4×4 transposes and the input tiles 4
/// channels per vector. The output gradient is transformed one tile at a time: AVX-512 takes 16 tiles per vector
/// by two-source permutes the portable 128-bit API lacks, and per value it costs a few additions against about C/4
/// vector FMAs of the channel reductions. Every value is computed by the same operations in the same order as
/// there, so V and Y' are the same bits on either width.
/// </summary>
internal static unsafe class WinogradF23GradientTransforms128
{
    /// <summary>Channels per B panel of V (the columns of <see cref="WinogradCellKernel128"/>).</summary>
    public const int Panel = WinogradCellKernel128.Nr;

    /// <summary>
    /// As <see cref="WinogradF23GradientTransforms.ChannelsLast"/>: image rows first .. first + rows − 1 of x
    /// [C, H, W] into a block [rows, W + 3, paddedChannels], cell (r, j) = x[:, first + r, j − 1], zeros outside
    /// the image and for channels ≥ C. Blocks of 4 channels × 4 positions go through a 4×4 transpose; the rest one
    /// value at a time.
    /// </summary>
    public static void ChannelsLast(float* x, int channels, int paddedChannels, int height, int width, int first,
        int rows, float* block)
    {
        int columns = WinogradF23GradientTransforms.ColumnsLast(width);
        nint rowLength = (nint)columns * paddedChannels, plane = (nint)height * width;
        int wholeChannels = channels & ~3, wholeColumns = width & ~3;
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
            float* source = x + (nint)imageRow * width;
            for (int j = 0; j < width; j++)
            {
                // Channels past C: zeros the GEMM reads.
                float* cell = target + (nint)(j + 1) * paddedChannels;
                new Span<float>(cell + channels, paddedChannels - channels).Clear();
                if (j >= wholeColumns)
                    for (int c = 0; c < channels; c++) cell[c] = source[c * plane + j];
            }
            for (int c = 0; c < wholeChannels; c += 4)
                for (int j = 0; j < wholeColumns; j += 4)
                    GemmPacking.Transpose4x4(source + c * plane + j, plane, target + (nint)(j + 1) * paddedChannels + c,
                        paddedChannels);
            for (int c = wholeChannels; c < channels; c++)
                for (int j = 0; j < wholeColumns; j++)
                    target[(nint)(j + 1) * paddedChannels + c] = source[c * plane + j];
        }
    }

    /// <summary>
    /// As <see cref="WinogradF23GradientTransforms.Input"/>, 4 channels per vector: tile t0 + ty·tilesX + tx,
    /// cell ξ, channel c goes to v + ξ·cellStride + (c / 12)·12·tiles + t·12 + c % 12.
    /// </summary>
    public static void Input(float* block, int width, int paddedChannels, int tileRows, int tilesX, float* v, int t0,
        int tiles, nint cellStride)
    {
        nint cellColumn = paddedChannels, cellRow = (nint)WinogradF23GradientTransforms.ColumnsLast(width)
            * paddedChannels;
        for (int ty = 0; ty < tileRows; ty++)
            for (int tx = 0; tx < tilesX; tx++)
            {
                int t = t0 + ty * tilesX + tx;
                float* corner = block + 2 * ty * cellRow + 2 * tx * cellColumn;
                for (int c0 = 0; c0 < paddedChannels; c0 += 4)
                {
                    float* d = corner + c0;
                    float* target = v + (nint)(c0 / Panel) * Panel * tiles + (nint)t * Panel + c0 % Panel;
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

    /// <summary>The four rows of Bᵀ on one column of a tile: d0 − d2, d1 + d2, d2 − d1, d1 − d3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows(float* column, nint stride, out Vector128<float> r0, out Vector128<float> r1,
        out Vector128<float> r2, out Vector128<float> r3)
    {
        Vector128<float> d0 = Vector128.Load(column), d1 = Vector128.Load(column + stride);
        Vector128<float> d2 = Vector128.Load(column + 2 * stride), d3 = Vector128.Load(column + 3 * stride);
        r0 = d0 - d2;
        r1 = d1 + d2;
        r2 = d2 - d1;
        r3 = d1 - d3;
    }

    /// <summary>The four columns of B applied to one row of Bᵀ·d, stored as cells first .. first + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(float* target, int first, nint cellStride, Vector128<float> d0, Vector128<float> d1,
        Vector128<float> d2, Vector128<float> d3)
    {
        Vector128.Store(d0 - d2, target + first * cellStride);
        Vector128.Store(d1 + d2, target + (first + 1) * cellStride);
        Vector128.Store(d2 - d1, target + (first + 2) * cellStride);
        Vector128.Store(d1 - d3, target + (first + 3) * cellStride);
    }

    /// <summary>
    /// As <see cref="WinogradF23GradientTransforms.OutputGradient"/>, one tile at a time: Y' = A·dY·Aᵀ for tile rows
    /// [ty0, ty1) of one output-gradient plane gradY [H, W]; tile (ty, tx), cell ξ goes to
    /// y + ξ·cellStride + (ty − ty0)·TilesX + tx. Outputs past the image read zero: they have no gradient.
    /// </summary>
    public static void OutputGradient(in WinogradF23Transforms.Shape shape, float* gradY, int ty0, int ty1, float* y,
        nint cellStride)
    {
        int width = shape.Width, height = shape.Height, tilesX = shape.TilesX;
        for (int ty = ty0, t = 0; ty < ty1; ty++)
        {
            int row = 2 * ty;
            float* upper = gradY + (nint)row * width, lower = upper + width;
            bool hasLower = row + 1 < height;
            for (int tx = 0; tx < tilesX; tx++, t++)
            {
                int column = 2 * tx;
                bool hasRight = column + 1 < width;
                float a = upper[column], b = hasRight ? upper[column + 1] : 0f;
                float c = hasLower ? lower[column] : 0f, d = hasLower && hasRight ? lower[column + 1] : 0f;
                float* target = y + t;
                // A·dY: rows (a, b), (a + c, b + d), (a − c, b − d), (−c, −d); then the same across the columns.
                Expand(target, 0, cellStride, a, b);
                Expand(target, 4, cellStride, a + c, b + d);
                Expand(target, 8, cellStride, a - c, b - d);
                Expand(target, 12, cellStride, -c, -d);
            }
        }
    }

    /// <summary>One row (p, q) of A·dY times Aᵀ: cells first .. first + 3 get p, p + q, p − q, −q.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Expand(float* target, int first, nint cellStride, float p, float q)
    {
        target[first * cellStride] = p;
        target[(first + 1) * cellStride] = p + q;
        target[(first + 2) * cellStride] = p - q;
        target[(first + 3) * cellStride] = -q;
    }
}
