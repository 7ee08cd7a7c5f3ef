using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

/// <summary>
/// The transforms of <see cref="WinogradF43Convolution"/> (F(4×4, 3×3), the matrices of
/// <see cref="WinogradF43Reference"/>), vectorised over the images: lane i of every vector belongs to image n0 + i
/// of the chunk's image group, at the same tile. A tile row of an 8×8 or 16×16 image has only 2 or 4 tiles of
/// stride 4, too few to fill a vector; the same tile of 16 images always does, whatever the plane size, and the
/// 6×6 cells of a tile become plain vector loads. The price is a 16×16 transpose per 16 input and per 16 output
/// values (<see cref="Gather"/>, <see cref="Scatter"/>): 4 rounds of 16 two-source permutes. The transforms are
/// written once over <see cref="IFloatLanes{TVector}"/>: 16 images per 512-bit vector (AVX-512), 4 per 128-bit
/// vector (ARM64 NEON, or x64 with the width capped; a 4×4 transpose instead).
/// </summary>
internal static unsafe partial class WinogradF43Transforms
{
    /// <summary>Images per vector on AVX-512 (and channels per block of <see cref="Filters"/>).</summary>
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
    /// Tile vectors per B panel of the channel reductions: two of 16 images in the AVX-512 micro-kernel's 32
    /// columns, three of 4 images in <see cref="WinogradCellKernel128"/>'s 12.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PanelVectors<TVector, TLanes>()
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector> =>
        TLanes.Count == Lanes ? Winograd.Panel / Lanes : WinogradCellKernel128.Nr / TLanes.Count;

    /// <summary>
    /// V = Bᵀ·d·B for the tiles (ty, tx), ty &lt; tileRows, tx &lt; tilesX, of a gathered s (tile (ty, tx) reads
    /// s rows 4ty .. 4ty + 5, columns 4tx .. 4tx + 5; one vector of L = TLanes.Count images per cell). Tile vector
    /// k = ty·tilesX + tx holds chunk tiles Lk .. Lk + L − 1; cell ξ of it goes to v + ξ·cellStride +
    /// (k / P)·panelStride + (k % P)·L, P = <see cref="PanelVectors"/> (v already offset to the channel: the
    /// micro-kernel's [C][P·L] B panels).
    /// </summary>
    public static void Input<TVector, TLanes>(float* s, int sStride, int tileRows, int tilesX, float* v,
        nint panelStride, nint cellStride)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        int lanes = TLanes.Count, perPanel = PanelVectors<TVector, TLanes>();
        TVector* half = stackalloc TVector[Cells]; // Bᵀ·d: [6][6]
        nint rowStride = (nint)sStride * lanes;
        for (int ty = 0, k = 0; ty < tileRows; ty++)
            for (int tx = 0; tx < tilesX; tx++, k++)
            {
                float* d = s + ((nint)4 * ty * sStride + 4 * tx) * lanes;
                // Bᵀ·d: the rows of each column b combined.
                for (int b = 0; b < 6; b++)
                {
                    float* column = d + b * lanes;
                    Transform<TVector, TLanes>(TLanes.Load(column), TLanes.Load(column + rowStride),
                        TLanes.Load(column + 2 * rowStride), TLanes.Load(column + 3 * rowStride),
                        TLanes.Load(column + 4 * rowStride), TLanes.Load(column + 5 * rowStride),
                        out half[b], out half[6 + b], out half[12 + b], out half[18 + b], out half[24 + b],
                        out half[30 + b]);
                }
                // (Bᵀ·d)·B: the same across the columns of each row i gives cells 6i .. 6i + 5.
                // Unsigned: a shift and a mask for two vectors per panel, as before the body was generic.
                float* target = v + (nint)((uint)k / (uint)perPanel) * panelStride
                    + (nint)((uint)k % (uint)perPanel) * lanes;
                for (int i = 0; i < 6; i++)
                {
                    TVector* r = half + 6 * i;
                    Transform<TVector, TLanes>(r[0], r[1], r[2], r[3], r[4], r[5], out var v0, out var v1,
                        out var v2, out var v3, out var v4, out var v5);
                    float* cell = target + 6 * i * cellStride;
                    TLanes.Store(v0, cell);
                    TLanes.Store(v1, cell + cellStride);
                    TLanes.Store(v2, cell + 2 * cellStride);
                    TLanes.Store(v3, cell + 3 * cellStride);
                    TLanes.Store(v4, cell + 4 * cellStride);
                    TLanes.Store(v5, cell + 5 * cellStride);
                }
            }
    }

    /// <summary>
    /// The six rows of Bᵀ applied to d0..d5: 4d0 − 5d2 + d4, (d3 + d4) − 4(d1 + d2), (d4 − d3) + 4(d1 − d2),
    /// (d4 − d2) ± 2(d3 − d1), 4d1 − 5d3 + d5. Every input passes through at most two roundings. A product
    /// subtracted is a fused multiply-add with the constant negated: −(a·b) + c and a·(−b) + c are the same exact
    /// value, rounded once, so the same bits as a negated fused multiply-add.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform<TVector, TLanes>(TVector d0, TVector d1, TVector d2, TVector d3, TVector d4,
        TVector d5, out TVector r0, out TVector r1, out TVector r2, out TVector r3, out TVector r4, out TVector r5)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        TVector four = TLanes.Broadcast(4f), minusFour = TLanes.Broadcast(-4f), five = TLanes.Broadcast(-5f);
        TVector two = TLanes.Broadcast(2f), minusTwo = TLanes.Broadcast(-2f);
        TVector difference = TLanes.Subtract(d3, d1), sides = TLanes.Subtract(d4, d2);
        r0 = TLanes.FusedMultiplyAdd(d2, five, TLanes.FusedMultiplyAdd(d0, four, d4));
        r1 = TLanes.FusedMultiplyAdd(TLanes.Add(d1, d2), minusFour, TLanes.Add(d3, d4));
        r2 = TLanes.FusedMultiplyAdd(TLanes.Subtract(d1, d2), four, TLanes.Subtract(d4, d3));
        r3 = TLanes.FusedMultiplyAdd(difference, two, sides);
        r4 = TLanes.FusedMultiplyAdd(difference, minusTwo, sides);
        r5 = TLanes.FusedMultiplyAdd(d3, five, TLanes.FusedMultiplyAdd(d1, four, d5));
    }

    /// <summary>
    /// y = Aᵀ·M·A for the tiles (ty, tx), ty &lt; tileRows, tx &lt; tilesX, of one output channel: M's tile
    /// vector k = ty·tilesX + tx at m + L·k (L = TLanes.Count), cells <paramref name="cellStride"/> apart. Output
    /// (4ty + p, 4tx + q), when row 4ty + p &lt; <paramref name="height"/> and column 4tx + q &lt;
    /// <paramref name="width"/>, goes to t + ((4ty + p)·width + 4tx + q)·L: the chunk's outputs in plane order, one
    /// vector of L images each.
    /// </summary>
    public static void Output<TVector, TLanes>(float* m, nint cellStride, int tileRows, int tilesX, int height,
        int width, float* t)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        int lanes = TLanes.Count;
        TVector* half = stackalloc TVector[24]; // Aᵀ·M: [4][6]
        for (int ty = 0, k = 0; ty < tileRows; ty++)
            for (int tx = 0; tx < tilesX; tx++, k++)
            {
                float* source = m + (nint)k * lanes;
                // Aᵀ·M: the rows of each column j combined.
                for (int j = 0; j < 6; j++)
                {
                    float* column = source + j * cellStride;
                    Combine<TVector, TLanes>(TLanes.Load(column), TLanes.Load(column + 6 * cellStride),
                        TLanes.Load(column + 12 * cellStride), TLanes.Load(column + 18 * cellStride),
                        TLanes.Load(column + 24 * cellStride), TLanes.Load(column + 30 * cellStride),
                        out half[j], out half[6 + j], out half[12 + j], out half[18 + j]);
                }
                int columns = Math.Min(4, width - 4 * tx);
                for (int p = 0; p < 4 && 4 * ty + p < height; p++)
                {
                    // (Aᵀ·M)·A: the same across the columns gives output row 4ty + p of the tile.
                    TVector* r = half + 6 * p;
                    Combine<TVector, TLanes>(r[0], r[1], r[2], r[3], r[4], r[5], out var y0, out var y1,
                        out var y2, out var y3);
                    float* target = t + ((nint)(4 * ty + p) * width + 4 * tx) * lanes;
                    TLanes.Store(y0, target);
                    if (columns > 1) TLanes.Store(y1, target + lanes);
                    if (columns > 2) TLanes.Store(y2, target + 2 * lanes);
                    if (columns > 3) TLanes.Store(y3, target + 3 * lanes);
                }
            }
    }

    /// <summary>
    /// The four rows of Aᵀ applied to m0..m5: m0 + (m1 + m2) + (m3 + m4), (m1 − m2) + 2(m3 − m4),
    /// (m1 + m2) + 4(m3 + m4), (m1 − m2) + 8(m3 − m4) + m5. Every input passes through at most three roundings.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine<TVector, TLanes>(TVector m0, TVector m1, TVector m2, TVector m3, TVector m4,
        TVector m5, out TVector s0, out TVector s1, out TVector s2, out TVector s3)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        TVector sum12 = TLanes.Add(m1, m2), difference12 = TLanes.Subtract(m1, m2);
        TVector sum34 = TLanes.Add(m3, m4), difference34 = TLanes.Subtract(m3, m4);
        s0 = TLanes.Add(TLanes.Add(m0, sum12), sum34);
        s1 = TLanes.FusedMultiplyAdd(difference34, TLanes.Broadcast(2f), difference12);
        s2 = TLanes.FusedMultiplyAdd(sum34, TLanes.Broadcast(4f), sum12);
        s3 = TLanes.Add(TLanes.FusedMultiplyAdd(difference34, TLanes.Broadcast(8f), difference12), m5);
    }
}
