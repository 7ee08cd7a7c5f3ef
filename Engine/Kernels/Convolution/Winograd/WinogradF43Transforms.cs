using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The transforms of <see cref="WinogradF43Convolution"/> (F(4×4, 3×3), the matrices of
/// <see cref="WinogradF43Reference"/>), vectorised over 16 images: lane i of every vector belongs to image n0 + i
/// of the chunk's image group, at the same tile. A tile row of an 8×8 or 16×16 image has only 2 or 4 tiles of
/// stride 4, too few to fill a vector; the same tile of 16 images always does, whatever the plane size, and the
/// 6×6 cells of a tile become plain vector loads. The price is a 16×16 transpose per 16 input and per 16 output
/// values (<see cref="Gather"/>, <see cref="Scatter"/>): 4 rounds of 16 two-source permutes.
/// </summary>
internal static unsafe class WinogradF43Transforms
{
    /// <summary>Images per vector.</summary>
    public const int Lanes = 16;

    /// <summary>Cells of the 6×6 Winograd domain.</summary>
    public const int Cells = 36;

    /// <summary>
    /// u[ξ, o, c] = (G·w[o, c]·Gᵀ)[ξ] for ξ = 6i + j, in double and rounded once; rows o ≥ O are zero (the
    /// micro-kernel computes 8 rows at a time). w: [O, C, 3, 3], u: [36, paddedOut, C]. Computed for 16 channels
    /// at a time into a [36][16] block and copied out a cell row at a time: stored one value at a time, the 36 cells
    /// of one (o, c) lie paddedOut·C floats apart (256 KB at 256 channels), all in one L1 and one L2 set, and each
    /// store missed both.
    /// </summary>
    public static void Filters(float* w, float* u, int outChannels, int paddedOut, int inChannels)
    {
        Span<double> half = stackalloc double[18]; // G·g: [6, 3]
        float* block = stackalloc float[Cells * Lanes]; // u[ξ, o, c0 .. c0 + 15]
        nint cellStride = (nint)paddedOut * inChannels;
        for (int o = 0; o < paddedOut; o++)
            for (int c0 = 0; c0 < inChannels; c0 += Lanes)
            {
                int count = Math.Min(Lanes, inChannels - c0);
                for (int k = 0; k < count; k++)
                {
                    if (o >= outChannels)
                    {
                        for (int cell = 0; cell < Cells; cell++) block[cell * Lanes + k] = 0;
                        continue;
                    }
                    float* g = w + ((nint)o * inChannels + c0 + k) * 9;
                    for (int col = 0; col < 3; col++)
                        ApplyG(g[col], g[3 + col], g[6 + col], out half[col], out half[3 + col], out half[6 + col],
                            out half[9 + col], out half[12 + col], out half[15 + col]);
                    for (int i = 0; i < 6; i++)
                    {
                        ApplyG(half[3 * i], half[3 * i + 1], half[3 * i + 2], out double v0, out double v1,
                            out double v2, out double v3, out double v4, out double v5);
                        float* row = block + 6 * i * Lanes + k;
                        row[0] = (float)v0;
                        row[Lanes] = (float)v1;
                        row[2 * Lanes] = (float)v2;
                        row[3 * Lanes] = (float)v3;
                        row[4 * Lanes] = (float)v4;
                        row[5 * Lanes] = (float)v5;
                    }
                }
                float* target = u + (nint)o * inChannels + c0;
                for (int cell = 0; cell < Cells; cell++)
                    new ReadOnlySpan<float>(block + cell * Lanes, count).CopyTo(
                        new Span<float>(target + cell * cellStride, count));
            }
    }

    /// <summary>
    /// The six rows of G (<see cref="WinogradF43Reference"/>) applied to g0..g2, written out: the
    /// <c>double[,]</c> loops instead would cost as much as the rest of the filter transform.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ApplyG(double g0, double g1, double g2, out double r0, out double r1, out double r2,
        out double r3, out double r4, out double r5)
    {
        const double sixth = 1.0 / 6, twelfth = 1.0 / 12, twentyFourth = 1.0 / 24;
        double outer = g0 + g2, sides = g0 * twentyFourth + g2 * sixth, middle = g1 * twelfth;
        r0 = g0 * 0.25;
        r1 = -(outer + g1) * sixth;
        r2 = -(outer - g1) * sixth;
        r3 = sides + middle;
        r4 = sides - middle;
        r5 = g2;
    }

    /// <summary>
    /// Floats between the images' rows of the staging buffer of <see cref="Gather"/> and <see cref="Scatter"/> for
    /// <paramref name="length"/> values per image: room for a vector past the end, and never a multiple of 1 KB
    /// (16 rows 4 KB apart would share one L1 set).
    /// </summary>
    public static int StagingStride(int length)
    {
        int stride = (length + 2 * Lanes - 1) / Lanes * Lanes;
        return stride % 256 == 0 ? stride + Lanes : stride;
    }

    /// <summary>
    /// s[r − firstRow, col + 1] = (x_0[r, col], .., x_15[r, col]) for the input rows [rowStart, rowEnd) of one
    /// channel of 16 images: x_i = x + i·imageStride, a plane [H = any, W = width]; lanes of images past
    /// <paramref name="images"/> are zero. s: rows of <paramref name="sStride"/> vectors (column −1 first); cells it
    /// does not write (the padding) are left as they are, zero. The rows are first copied image by image into
    /// <paramref name="staging"/> (16 rows of <see cref="StagingStride"/>): in place the 16 images' rows are C·H·W
    /// floats apart, a multiple of 4 KB, all in one L1 set (with the transpose in registers and the prefetch this
    /// halved the gather; docs/performance.md). The same rows <paramref name="prefetch"/> floats further
    /// (the next channel; 0: none) are prefetched.
    /// </summary>
    public static void Gather(float* x, nint imageStride, int images, int width, int rowStart, int rowEnd,
        int firstRow, int sStride, float* s, float* staging, nint prefetch)
    {
        int length = (rowEnd - rowStart) * width, stagingStride = StagingStride(length);
        for (int i = 0; i < images; i++)
            Buffer.MemoryCopy(x + i * imageStride + (nint)rowStart * width, staging + (nint)i * stagingStride,
                (long)length * sizeof(float), (long)length * sizeof(float));
        for (int i = images; i < Lanes; i++) new Span<float>(staging + (nint)i * stagingStride, length).Clear();
        if (prefetch != 0)
            for (int i = 0; i < images; i++)
            {
                // The next channel's rows: 16 short streams the hardware prefetcher does not pick up in time.
                float* next = x + i * imageStride + (nint)rowStart * width + prefetch;
                for (int f = 0; f < length; f += Lanes) Sse.Prefetch0(next + f);
            }
        Vector512<float>* rows = stackalloc Vector512<float>[Lanes];
        int row = rowStart, column = 0;
        // Runs of 16 consecutive values of the flattened planes: whole rows and row ends alike. Values past the
        // length are stale; they land in the lanes past count, never stored.
        for (int f = 0; f < length; f += Lanes)
        {
            int count = Math.Min(Lanes, length - f);
            float* target = s + ((nint)(row - firstRow) * sStride + column + 1) * Lanes;
            if (count == Lanes && column + Lanes <= width)
            {
                // The run stays inside one row of the plane.
                Transpose(staging + f, stagingStride, target, Lanes);
                column += Lanes;
                if (column == width) { column = 0; row++; }
                continue;
            }
            Transpose(staging + f, stagingStride, (float*)rows, Lanes);
            for (int k = 0; k < count; k++)
            {
                Vector512.Store(rows[k], s + ((nint)(row - firstRow) * sStride + column + 1) * Lanes);
                if (++column == width) { column = 0; row++; }
            }
        }
    }

    /// <summary>
    /// V = Bᵀ·d·B for the tiles (ty, tx), ty &lt; tileRows, tx &lt; tilesX, of a gathered s (tile (ty, tx) reads
    /// s rows 4ty .. 4ty + 5, columns 4tx .. 4tx + 5). Tile vector k = ty·tilesX + tx holds chunk tiles
    /// 16k .. 16k + 15; cell ξ of it goes to v + ξ·cellStride + (k / 2)·panelStride + (k % 2)·16 (v already offset
    /// to the channel: the micro-kernel's [C][32] B panels).
    /// </summary>
    public static void Input(float* s, int sStride, int tileRows, int tilesX, float* v, nint panelStride,
        nint cellStride)
    {
        Vector512<float>* half = stackalloc Vector512<float>[Cells]; // Bᵀ·d: [6][6]
        nint rowStride = (nint)sStride * Lanes;
        for (int ty = 0, k = 0; ty < tileRows; ty++)
            for (int tx = 0; tx < tilesX; tx++, k++)
            {
                float* d = s + ((nint)4 * ty * sStride + 4 * tx) * Lanes;
                // Bᵀ·d: the rows of each column b combined.
                for (int b = 0; b < 6; b++)
                {
                    float* column = d + b * Lanes;
                    Transform(Vector512.Load(column), Vector512.Load(column + rowStride),
                        Vector512.Load(column + 2 * rowStride), Vector512.Load(column + 3 * rowStride),
                        Vector512.Load(column + 4 * rowStride), Vector512.Load(column + 5 * rowStride),
                        out half[b], out half[6 + b], out half[12 + b], out half[18 + b], out half[24 + b],
                        out half[30 + b]);
                }
                // (Bᵀ·d)·B: the same across the columns of each row i gives cells 6i .. 6i + 5.
                float* target = v + (k >> 1) * panelStride + (k & 1) * Lanes;
                for (int i = 0; i < 6; i++)
                {
                    Vector512<float>* r = half + 6 * i;
                    Transform(r[0], r[1], r[2], r[3], r[4], r[5], out var v0, out var v1, out var v2, out var v3,
                        out var v4, out var v5);
                    float* cell = target + 6 * i * cellStride;
                    Vector512.Store(v0, cell);
                    Vector512.Store(v1, cell + cellStride);
                    Vector512.Store(v2, cell + 2 * cellStride);
                    Vector512.Store(v3, cell + 3 * cellStride);
                    Vector512.Store(v4, cell + 4 * cellStride);
                    Vector512.Store(v5, cell + 5 * cellStride);
                }
            }
    }

    /// <summary>
    /// The six rows of Bᵀ applied to d0..d5: 4d0 − 5d2 + d4, (d3 + d4) − 4(d1 + d2), (d4 − d3) + 4(d1 − d2),
    /// (d4 − d2) ± 2(d3 − d1), 4d1 − 5d3 + d5. Every input passes through at most two roundings.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(Vector512<float> d0, Vector512<float> d1, Vector512<float> d2,
        Vector512<float> d3, Vector512<float> d4, Vector512<float> d5, out Vector512<float> r0,
        out Vector512<float> r1, out Vector512<float> r2, out Vector512<float> r3, out Vector512<float> r4,
        out Vector512<float> r5)
    {
        Vector512<float> four = Vector512.Create(4f), five = Vector512.Create(-5f), two = Vector512.Create(2f);
        Vector512<float> difference = d3 - d1, sides = d4 - d2;
        r0 = Avx512F.FusedMultiplyAdd(d2, five, Avx512F.FusedMultiplyAdd(d0, four, d4));
        r1 = Avx512F.FusedMultiplyAddNegated(d1 + d2, four, d3 + d4);
        r2 = Avx512F.FusedMultiplyAdd(d1 - d2, four, d4 - d3);
        r3 = Avx512F.FusedMultiplyAdd(difference, two, sides);
        r4 = Avx512F.FusedMultiplyAddNegated(difference, two, sides);
        r5 = Avx512F.FusedMultiplyAdd(d3, five, Avx512F.FusedMultiplyAdd(d1, four, d5));
    }

    /// <summary>
    /// y = Aᵀ·M·A for the tiles (ty, tx), ty &lt; tileRows, tx &lt; tilesX, of one output channel: M's tile
    /// vector k = ty·tilesX + tx at m + 16k, cells <paramref name="cellStride"/> apart. Output (4ty + p, 4tx + q),
    /// when row 4ty + p &lt; <paramref name="height"/> and column 4tx + q &lt; <paramref name="width"/>, goes to
    /// t + ((4ty + p)·width + 4tx + q)·16: the chunk's outputs in plane order, one vector of 16 images each.
    /// </summary>
    public static void Output(float* m, nint cellStride, int tileRows, int tilesX, int height, int width, float* t)
    {
        Vector512<float>* half = stackalloc Vector512<float>[24]; // Aᵀ·M: [4][6]
        for (int ty = 0, k = 0; ty < tileRows; ty++)
            for (int tx = 0; tx < tilesX; tx++, k++)
            {
                float* source = m + (nint)k * Lanes;
                // Aᵀ·M: the rows of each column j combined.
                for (int j = 0; j < 6; j++)
                {
                    float* column = source + j * cellStride;
                    Combine(Vector512.Load(column), Vector512.Load(column + 6 * cellStride),
                        Vector512.Load(column + 12 * cellStride), Vector512.Load(column + 18 * cellStride),
                        Vector512.Load(column + 24 * cellStride), Vector512.Load(column + 30 * cellStride),
                        out half[j], out half[6 + j], out half[12 + j], out half[18 + j]);
                }
                int columns = Math.Min(4, width - 4 * tx);
                for (int p = 0; p < 4 && 4 * ty + p < height; p++)
                {
                    // (Aᵀ·M)·A: the same across the columns gives output row 4ty + p of the tile.
                    Vector512<float>* r = half + 6 * p;
                    Combine(r[0], r[1], r[2], r[3], r[4], r[5], out var y0, out var y1, out var y2, out var y3);
                    float* target = t + ((nint)(4 * ty + p) * width + 4 * tx) * Lanes;
                    Vector512.Store(y0, target);
                    if (columns > 1) Vector512.Store(y1, target + Lanes);
                    if (columns > 2) Vector512.Store(y2, target + 2 * Lanes);
                    if (columns > 3) Vector512.Store(y3, target + 3 * Lanes);
                }
            }
    }

    /// <summary>
    /// The four rows of Aᵀ applied to m0..m5: m0 + (m1 + m2) + (m3 + m4), (m1 − m2) + 2(m3 − m4),
    /// (m1 + m2) + 4(m3 + m4), (m1 − m2) + 8(m3 − m4) + m5. Every input passes through at most three roundings.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(Vector512<float> m0, Vector512<float> m1, Vector512<float> m2, Vector512<float> m3,
        Vector512<float> m4, Vector512<float> m5, out Vector512<float> s0, out Vector512<float> s1,
        out Vector512<float> s2, out Vector512<float> s3)
    {
        Vector512<float> sum12 = m1 + m2, difference12 = m1 - m2, sum34 = m3 + m4, difference34 = m3 - m4;
        s0 = m0 + sum12 + sum34;
        s1 = Avx512F.FusedMultiplyAdd(difference34, Vector512.Create(2f), difference12);
        s2 = Avx512F.FusedMultiplyAdd(sum34, Vector512.Create(4f), sum12);
        s3 = Avx512F.FusedMultiplyAdd(difference34, Vector512.Create(8f), difference12) + m5;
    }

    /// <summary>
    /// y_i[f] (+)= t[f][i] + bias (+ residual_i[f]) for f &lt; <paramref name="length"/> and the first
    /// <paramref name="images"/> images i: y_i = y + i·imageStride, residual likewise (or null). The inverse of
    /// <see cref="Gather"/>'s transpose, through <paramref name="staging"/> likewise so that each image is written
    /// as one stream. t needs 16 readable vectors past <paramref name="length"/>.
    /// </summary>
    public static void Scatter(float* t, int length, float* y, float* residual, nint imageStride, int images,
        float bias, bool accumulate, float* staging)
    {
        int stagingStride = StagingStride(length);
        // Vectors past the length are stale; their lanes land past it in staging, never written out.
        for (int f = 0; f < length; f += Lanes)
            Transpose(t + (nint)f * Lanes, Lanes, staging + f, stagingStride);
        var biasVector = Vector512.Create(bias);
        int full = length & ~(Lanes - 1);
        Vector512<float> mask = WinogradF23Transforms.Mask(length - full);
        for (int i = 0; i < images; i++)
        {
            float* source = staging + (nint)i * stagingStride, image = y + i * imageStride;
            float* imageResidual = residual == null ? null : residual + i * imageStride;
            for (int f = 0; f < full; f += Lanes)
                WinogradF23Transforms.WriteFull(image + f, imageResidual == null ? null : imageResidual + f, biasVector,
                    accumulate, Vector512.Load(source + f));
            if (full < length)
                WinogradF23Transforms.WriteMasked(image + full, imageResidual == null ? null : imageResidual + full,
                    mask, biasVector, accumulate, Vector512.Load(source + full));
        }
    }

    /// <summary>
    /// Transposes 16×16 floats: row i at source + i·sourceStride goes to column i of the rows at
    /// target + j·targetStride. Each round interleaves row i with row i + 8 into rows 2i and 2i + 1: with row bits
    /// r3r2r1r0 and lane bits c3c2c1c0 an element moves to row r2r1r0c3, lane c2c1c0r3; four rounds give row
    /// c3c2c1c0, lane r3r2r1r0. Written out so that the 16 rows stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(float* source, nint sourceStride, float* target, nint targetStride)
    {
        Vector512<int> low = WinogradF23Transforms.LowPairs, high = WinogradF23Transforms.HighPairs;
        Vector512<float> r0 = Vector512.Load(source);
        Vector512<float> r1 = Vector512.Load(source + 1 * sourceStride);
        Vector512<float> r2 = Vector512.Load(source + 2 * sourceStride);
        Vector512<float> r3 = Vector512.Load(source + 3 * sourceStride);
        Vector512<float> r4 = Vector512.Load(source + 4 * sourceStride);
        Vector512<float> r5 = Vector512.Load(source + 5 * sourceStride);
        Vector512<float> r6 = Vector512.Load(source + 6 * sourceStride);
        Vector512<float> r7 = Vector512.Load(source + 7 * sourceStride);
        Vector512<float> r8 = Vector512.Load(source + 8 * sourceStride);
        Vector512<float> r9 = Vector512.Load(source + 9 * sourceStride);
        Vector512<float> r10 = Vector512.Load(source + 10 * sourceStride);
        Vector512<float> r11 = Vector512.Load(source + 11 * sourceStride);
        Vector512<float> r12 = Vector512.Load(source + 12 * sourceStride);
        Vector512<float> r13 = Vector512.Load(source + 13 * sourceStride);
        Vector512<float> r14 = Vector512.Load(source + 14 * sourceStride);
        Vector512<float> r15 = Vector512.Load(source + 15 * sourceStride);
        Vector512<float> a0 = Avx512F.PermuteVar16x32x2(r0, low, r8), a1 = Avx512F.PermuteVar16x32x2(r0, high, r8);
        Vector512<float> a2 = Avx512F.PermuteVar16x32x2(r1, low, r9), a3 = Avx512F.PermuteVar16x32x2(r1, high, r9);
        Vector512<float> a4 = Avx512F.PermuteVar16x32x2(r2, low, r10), a5 = Avx512F.PermuteVar16x32x2(r2, high, r10);
        Vector512<float> a6 = Avx512F.PermuteVar16x32x2(r3, low, r11), a7 = Avx512F.PermuteVar16x32x2(r3, high, r11);
        Vector512<float> a8 = Avx512F.PermuteVar16x32x2(r4, low, r12), a9 = Avx512F.PermuteVar16x32x2(r4, high, r12);
        Vector512<float> a10 = Avx512F.PermuteVar16x32x2(r5, low, r13), a11 = Avx512F.PermuteVar16x32x2(r5, high, r13);
        Vector512<float> a12 = Avx512F.PermuteVar16x32x2(r6, low, r14), a13 = Avx512F.PermuteVar16x32x2(r6, high, r14);
        Vector512<float> a14 = Avx512F.PermuteVar16x32x2(r7, low, r15), a15 = Avx512F.PermuteVar16x32x2(r7, high, r15);
        Vector512<float> b0 = Avx512F.PermuteVar16x32x2(a0, low, a8), b1 = Avx512F.PermuteVar16x32x2(a0, high, a8);
        Vector512<float> b2 = Avx512F.PermuteVar16x32x2(a1, low, a9), b3 = Avx512F.PermuteVar16x32x2(a1, high, a9);
        Vector512<float> b4 = Avx512F.PermuteVar16x32x2(a2, low, a10), b5 = Avx512F.PermuteVar16x32x2(a2, high, a10);
        Vector512<float> b6 = Avx512F.PermuteVar16x32x2(a3, low, a11), b7 = Avx512F.PermuteVar16x32x2(a3, high, a11);
        Vector512<float> b8 = Avx512F.PermuteVar16x32x2(a4, low, a12), b9 = Avx512F.PermuteVar16x32x2(a4, high, a12);
        Vector512<float> b10 = Avx512F.PermuteVar16x32x2(a5, low, a13), b11 = Avx512F.PermuteVar16x32x2(a5, high, a13);
        Vector512<float> b12 = Avx512F.PermuteVar16x32x2(a6, low, a14), b13 = Avx512F.PermuteVar16x32x2(a6, high, a14);
        Vector512<float> b14 = Avx512F.PermuteVar16x32x2(a7, low, a15), b15 = Avx512F.PermuteVar16x32x2(a7, high, a15);
        Vector512<float> c0 = Avx512F.PermuteVar16x32x2(b0, low, b8), c1 = Avx512F.PermuteVar16x32x2(b0, high, b8);
        Vector512<float> c2 = Avx512F.PermuteVar16x32x2(b1, low, b9), c3 = Avx512F.PermuteVar16x32x2(b1, high, b9);
        Vector512<float> c4 = Avx512F.PermuteVar16x32x2(b2, low, b10), c5 = Avx512F.PermuteVar16x32x2(b2, high, b10);
        Vector512<float> c6 = Avx512F.PermuteVar16x32x2(b3, low, b11), c7 = Avx512F.PermuteVar16x32x2(b3, high, b11);
        Vector512<float> c8 = Avx512F.PermuteVar16x32x2(b4, low, b12), c9 = Avx512F.PermuteVar16x32x2(b4, high, b12);
        Vector512<float> c10 = Avx512F.PermuteVar16x32x2(b5, low, b13), c11 = Avx512F.PermuteVar16x32x2(b5, high, b13);
        Vector512<float> c12 = Avx512F.PermuteVar16x32x2(b6, low, b14), c13 = Avx512F.PermuteVar16x32x2(b6, high, b14);
        Vector512<float> c14 = Avx512F.PermuteVar16x32x2(b7, low, b15), c15 = Avx512F.PermuteVar16x32x2(b7, high, b15);
        Vector512<float> d0 = Avx512F.PermuteVar16x32x2(c0, low, c8), d1 = Avx512F.PermuteVar16x32x2(c0, high, c8);
        Vector512<float> d2 = Avx512F.PermuteVar16x32x2(c1, low, c9), d3 = Avx512F.PermuteVar16x32x2(c1, high, c9);
        Vector512<float> d4 = Avx512F.PermuteVar16x32x2(c2, low, c10), d5 = Avx512F.PermuteVar16x32x2(c2, high, c10);
        Vector512<float> d6 = Avx512F.PermuteVar16x32x2(c3, low, c11), d7 = Avx512F.PermuteVar16x32x2(c3, high, c11);
        Vector512<float> d8 = Avx512F.PermuteVar16x32x2(c4, low, c12), d9 = Avx512F.PermuteVar16x32x2(c4, high, c12);
        Vector512<float> d10 = Avx512F.PermuteVar16x32x2(c5, low, c13), d11 = Avx512F.PermuteVar16x32x2(c5, high, c13);
        Vector512<float> d12 = Avx512F.PermuteVar16x32x2(c6, low, c14), d13 = Avx512F.PermuteVar16x32x2(c6, high, c14);
        Vector512<float> d14 = Avx512F.PermuteVar16x32x2(c7, low, c15), d15 = Avx512F.PermuteVar16x32x2(c7, high, c15);
        Vector512.Store(d0, target);
        Vector512.Store(d1, target + 1 * targetStride);
        Vector512.Store(d2, target + 2 * targetStride);
        Vector512.Store(d3, target + 3 * targetStride);
        Vector512.Store(d4, target + 4 * targetStride);
        Vector512.Store(d5, target + 5 * targetStride);
        Vector512.Store(d6, target + 6 * targetStride);
        Vector512.Store(d7, target + 7 * targetStride);
        Vector512.Store(d8, target + 8 * targetStride);
        Vector512.Store(d9, target + 9 * targetStride);
        Vector512.Store(d10, target + 10 * targetStride);
        Vector512.Store(d11, target + 11 * targetStride);
        Vector512.Store(d12, target + 12 * targetStride);
        Vector512.Store(d13, target + 13 * targetStride);
        Vector512.Store(d14, target + 14 * targetStride);
        Vector512.Store(d15, target + 15 * targetStride);
    }
}
