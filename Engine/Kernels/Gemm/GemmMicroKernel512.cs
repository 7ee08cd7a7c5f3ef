using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: one 8x32 tile of C from 8 rows of A (a packed panel, or A's rows in place) and a
/// 32-column B panel. 8 rows x 2 zmm = 16 accumulators + 2 B vectors = 18 of the 32 zmm registers, so nothing
/// spills; A values are broadcast straight from memory (the JIT folds them into the FMA as an embedded {1to16}
/// broadcast).
/// Per k step: 16 FMAs against 2 loads + 8 broadcasts, which keeps both FMA ports busy (8 cycles) while
/// the load ports stay under their 2-3 per cycle.
/// </summary>
internal static unsafe class GemmMicroKernel512
{
    /// <summary>Rows of C per tile (= rows per packed A panel).</summary>
    public const int Mr = 8;

    /// <summary>Columns of C per tile (= columns per packed B panel), two zmm vectors.</summary>
    public const int Nr = 32;

    /// <summary>
    /// C[0..8, 0..32] (+)= A·B where <paramref name="a"/> is a k-major panel [kc][8], <paramref name="b"/> a
    /// k-major panel [kc][32], and C is row-major with row stride <paramref name="ldc"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Run(float* a, float* b, float* c, nint ldc, int kc, bool accumulate) =>
        Tile(a, 1, Mr, b, c, ldc, kc, accumulate);

    /// <summary>
    /// As <see cref="Run"/>, with A's 8 rows read in place at <paramref name="a"/> + r·<paramref name="lda"/>
    /// (A stored [m, k], k contiguous) instead of from a packed panel: an embedded broadcast loads one float from
    /// anywhere, so packing A bought only locality, and the tile's 8 rows x kc stay in L1 across every B panel of
    /// the tile anyway. Each row is read sequentially, one stream per row for the hardware prefetcher. The same
    /// FMAs in the same order as <see cref="Run"/>, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void RunRows(float* a, nint lda, float* b, float* c, nint ldc, int kc, bool accumulate) =>
        Tile(a, lda, 1, b, c, ldc, kc, accumulate);

    /// <summary>
    /// The 8x32 tile with A[r, p] at a + r·<paramref name="rowStride"/> + p·<paramref name="stepStride"/>: a packed
    /// panel (1, 8) or rows in place (lda, 1). Inlined into both callers, where the strides are constants or loop
    /// invariants and every A access is one base-plus-index operand of its FMA. The callers themselves are never
    /// inlined: inlined into the driver's tile loop, four copies of this body made gemm512 slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile(float* a, nint rowStride, nint stepStride, float* b, float* c, nint ldc,
        int kc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        float* a0 = a, a1 = a + rowStride, a2 = a + 2 * rowStride, a3 = a + 3 * rowStride;
        float* a4 = a + 4 * rowStride, a5 = a + 5 * rowStride, a6 = a + 6 * rowStride, a7 = a + 7 * rowStride;

        for (nint p = 0, end = kc * stepStride; p < end; p += stepStride)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> av = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a1[p]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a2[p]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a4[p]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a5[p]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a6[p]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a7[p]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            b += Nr;
        }

        Store(c, c00, c01, accumulate);
        Store(c + ldc, c10, c11, accumulate);
        Store(c + 2 * ldc, c20, c21, accumulate);
        Store(c + 3 * ldc, c30, c31, accumulate);
        Store(c + 4 * ldc, c40, c41, accumulate);
        Store(c + 5 * ldc, c50, c51, accumulate);
        Store(c + 6 * ldc, c60, c61, accumulate);
        Store(c + 7 * ldc, c70, c71, accumulate);
    }

    /// <summary>
    /// The left half of <see cref="Run"/>: C[0..8, 0..16] from the first 16 columns of a 32-column B panel, for
    /// the last panel of an n that is not a multiple of 32 (n = 200 leaves 8 columns: a full-width tile would do
    /// 4x the needed work there, 12 % of that whole GEMM). Eight accumulators cover the FMA latency on two ports.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void RunHalf(float* a, float* b, float* c, nint ldc, int kc, bool accumulate) =>
        HalfTile(a, 1, Mr, b, c, ldc, kc, accumulate);

    /// <summary>
    /// As <see cref="RunHalf"/>, with A's 8 rows read in place at <paramref name="a"/> + r·<paramref name="lda"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void RunHalfRows(float* a, nint lda, float* b, float* c, nint ldc, int kc, bool accumulate) =>
        HalfTile(a, lda, 1, b, c, ldc, kc, accumulate);

    /// <summary>The 8x16 half tile, A addressed as in <see cref="Tile"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HalfTile(float* a, nint rowStride, nint stepStride, float* b, float* c, nint ldc,
        int kc, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        Vector512<float> c4 = default, c5 = default, c6 = default, c7 = default;
        float* a0 = a, a1 = a + rowStride, a2 = a + 2 * rowStride, a3 = a + 3 * rowStride;
        float* a4 = a + 4 * rowStride, a5 = a + 5 * rowStride, a6 = a + 6 * rowStride, a7 = a + 7 * rowStride;
        for (nint p = 0, end = kc * stepStride; p < end; p += stepStride)
        {
            Vector512<float> b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a0[p]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a1[p]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a2[p]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a3[p]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a4[p]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a5[p]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a6[p]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a7[p]), b0, c7);
            b += Nr;
        }
        StoreHalf(c, c0, accumulate);
        StoreHalf(c + ldc, c1, accumulate);
        StoreHalf(c + 2 * ldc, c2, accumulate);
        StoreHalf(c + 3 * ldc, c3, accumulate);
        StoreHalf(c + 4 * ldc, c4, accumulate);
        StoreHalf(c + 5 * ldc, c5, accumulate);
        StoreHalf(c + 6 * ldc, c6, accumulate);
        StoreHalf(c + 7 * ldc, c7, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreHalf(float* row, Vector512<float> value, bool accumulate)
    {
        if (accumulate) value += Vector512.Load(row);
        value.Store(row);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector512<float> lo, Vector512<float> hi, bool accumulate)
    {
        if (accumulate)
        {
            lo += Vector512.Load(row);
            hi += Vector512.Load(row + 16);
        }
        lo.Store(row);
        hi.Store(row + 16);
    }
}
