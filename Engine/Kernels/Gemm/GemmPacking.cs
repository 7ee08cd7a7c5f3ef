using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Copies blocks of A and B into the k-major panels the micro-kernels stream through: an A panel is
/// [kc][mr] (the mr values of one k step side by side), a B panel is [kc][nr]. Panels past the matrix
/// edge are padded with zeros so the kernels never need a bounds check.
/// <para>
/// Every transpose case reduces to one of two shapes. "Copy": the panel's width runs along the source
/// rows (Aᵀ stored [k, m]; B stored [k, n]), so each k step is a contiguous run. "Transpose": the panel's
/// width runs down the source columns (A stored [m, k]; Bᵀ stored [n, k]), so each panel row of the
/// source is contiguous in k and gets scattered; done in 8x8 AVX transposes where possible, else 4x4 128-bit ones.
/// </para>
/// </summary>
/// <remarks>
/// The packing methods carry <see cref="MethodImplOptions.AggressiveOptimization"/>: each is called a few times
/// per GEMM and runs long loops, so the tiered JIT's first, unoptimised code for them ran for many calls and was
/// several times slower (docs/performance.md has the figure).
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs rows [i0, i0+rows) x k-range [p0, p0+kc) of op(A) into ceil(rows/mr) panels of [kc][mr]
    /// at <paramref name="dst"/>. A is [m, k] row-major, or [k, m] when <paramref name="transA"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(float* a, int m, int k, bool transA, int i0, int rows, int p0, int kc, int mr, float* dst)
    {
        for (int r = 0; r < rows; r += mr, dst += (nint)kc * mr)
        {
            int height = Math.Min(mr, rows - r);
            if (transA)
                PackCopy(a + (nint)p0 * m + i0 + r, m, height, kc, mr, dst);
            else
                PackTransposed(a + (nint)(i0 + r) * k + p0, k, height, kc, mr, dst);
        }
    }

    /// <summary>
    /// Packs k-range [p0, p0+kc) x columns [j0, j0+cols) of op(B) into ceil(cols/nr) panels of [kc][nr]
    /// at <paramref name="dst"/>. B is [k, n] row-major, or [n, k] when <paramref name="transB"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(float* b, int k, int n, bool transB, int p0, int kc, int j0, int cols, int nr, float* dst)
    {
        if (!transB)
        {
            PackCopyPanels(b + (nint)p0 * n + j0, n, cols, kc, nr, dst);
            return;
        }
        for (int j = 0; j < cols; j += nr, dst += (nint)kc * nr)
            PackTransposed(b + (nint)(j0 + j) * k + p0, k, Math.Min(nr, cols - j), kc, nr, dst);
    }

    /// <summary>
    /// The "copy" case for a whole run of panels at once: dst panel q holds columns [q·width, (q+1)·width)
    /// of the kc source rows. Walking each source row once, left to right, keeps the reads sequential
    /// (the hardware prefetcher follows them); walking panel by panel instead reads 128 bytes per row at a
    /// stride of the row length, which defeats the prefetcher (docs/performance.md has the bandwidth it got).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackCopyPanels(float* src, int ld, int cols, int kc, int width, float* dst)
    {
        int fullPanels = cols / width, tail = cols - fullPanels * width;
        nint panelStride = (nint)kc * width;
        bool vector = VectorWidth.Use512 && width % 16 == 0;
        for (int p = 0; p < kc; p++, src += ld)
        {
            float* row = src, d = dst + (nint)p * width;
            for (int q = 0; q < fullPanels; q++, row += width, d += panelStride)
            {
                if (vector)
                {
                    for (int r = 0; r < width; r += 16) Vector512.Store(Vector512.Load(row + r), d + r);
                }
                else
                {
                    new ReadOnlySpan<float>(row, width).CopyTo(new Span<float>(d, width));
                }
            }
            if (tail > 0)
            {
                int r = 0;
                for (; r < tail; r++) d[r] = row[r];
                for (; r < width; r++) d[r] = 0;
            }
        }
    }

    /// <summary>
    /// dst[p][r] = src[p * ld + r] for p &lt; kc, r &lt; valid; zero for valid ≤ r &lt; width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackCopy(float* src, int ld, int valid, int kc, int width, float* dst)
    {
        if (VectorWidth.Use512 && valid == width && width % Vector512<float>.Count == 0)
        {
            CopyRows<Vector512<float>, Lanes512>(src, ld, kc, width, dst);
            return;
        }
        if (VectorWidth.Use256 && valid == width && width % Vector256<float>.Count == 0)
        {
            CopyRows<Vector256<float>, Lanes256>(src, ld, kc, width, dst);
            return;
        }
        if (VectorWidth.Use128 && valid == width && width % Vector128<float>.Count == 0)
        {
            CopyRows<Vector128<float>, Lanes128>(src, ld, kc, width, dst);
            return;
        }
        for (int p = 0; p < kc; p++, src += ld, dst += width)
        {
            int r = 0;
            for (; r < valid; r++) dst[r] = src[r];
            for (; r < width; r++) dst[r] = 0;
        }
    }

    /// <summary>dst[p][r] = src[p * ld + r] for p &lt; kc, r &lt; width, a whole number of vectors per row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRows<TVector, TLanes>(float* src, int ld, int kc, int width, float* dst)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        for (int p = 0; p < kc; p++, src += ld, dst += width)
            for (int r = 0; r < width; r += TLanes.Count)
                TLanes.Store(TLanes.Load(src + r), dst + r);
    }

    /// <summary>
    /// dst[p][r] = src[r * ld + p] for p &lt; kc, r &lt; valid; zero for valid ≤ r &lt; width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackTransposed(float* src, int ld, int valid, int kc, int width, float* dst)
    {
        // Whole 8x8 blocks: 8 source rows x 8 k steps become 8 k steps x 8 panel lanes, for every whole group
        // of 8 valid rows (an edge panel, e.g. the last 8 of n = 200 in a 32-wide panel, included).
        // Row blocks outermost: the 8 source rows of a block are then each read sequentially.
        int blockRows = 0, whole = 0;
        if (Avx.IsSupported && VectorWidth.Use256 && width % 8 == 0)
        {
            blockRows = valid / 8 * 8;
            whole = kc / 8 * 8;
            for (int r = 0; r < blockRows; r += 8)
                for (int q = 0; q < whole; q += 8)
                    Transpose8x8(src + (nint)r * ld + q, ld, dst + (nint)q * width + r, width);
        }
        else if (Sse.IsSupported || AdvSimd.Arm64.IsSupported)
        {
            // The 128-bit paths (ARM64, or x64 with the width capped): 4x4 blocks, also in the 6-wide A panels of
            // the Vector128 kernel (rows 0-3 in blocks, rows 4-5 by the loop below).
            blockRows = valid / 4 * 4;
            whole = kc / 4 * 4;
            for (int r = 0; r < blockRows; r += 4)
                for (int q = 0; q < whole; q += 4)
                    Transpose4x4(src + (nint)r * ld + q, ld, dst + (nint)q * width + r, width);
        }
        for (int r = 0; r < valid; r++)
        {
            float* row = src + (nint)r * ld;
            for (int q = r < blockRows ? whole : 0; q < kc; q++) dst[(nint)q * width + r] = row[q];
        }
        if (valid < width)
        {
            for (int q = 0; q < kc; q++) new Span<float>(dst + (nint)q * width + valid, width - valid).Clear();
        }
    }

    /// <summary>
    /// Writes the transpose of the 4x4 block at <paramref name="src"/> (row stride ld) to dst (row stride ldd). The
    /// portable Vector128 API has no two-vector interleave, so one body per instruction set: SSE unpacks and half
    /// moves on x64, ZIP1/ZIP2 on ARM64 (checked there by the self-check under qemu).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose4x4(float* src, nint ld, float* dst, nint ldd)
    {
        Vector128<float> r0 = Vector128.Load(src), r1 = Vector128.Load(src + ld);
        Vector128<float> r2 = Vector128.Load(src + 2 * ld), r3 = Vector128.Load(src + 3 * ld);
        Vector128<float> c0, c1, c2, c3;
        if (AdvSimd.Arm64.IsSupported)
        {
            // [a0 b0 a1 b1], [a2 b2 a3 b3], [c0 d0 c1 d1], [c2 d2 c3 d3]; then pairs of pairs, 64 bits at a time.
            Vector128<double> t0 = AdvSimd.Arm64.ZipLow(r0, r1).AsDouble();
            Vector128<double> t1 = AdvSimd.Arm64.ZipHigh(r0, r1).AsDouble();
            Vector128<double> t2 = AdvSimd.Arm64.ZipLow(r2, r3).AsDouble();
            Vector128<double> t3 = AdvSimd.Arm64.ZipHigh(r2, r3).AsDouble();
            c0 = AdvSimd.Arm64.ZipLow(t0, t2).AsSingle();
            c1 = AdvSimd.Arm64.ZipHigh(t0, t2).AsSingle();
            c2 = AdvSimd.Arm64.ZipLow(t1, t3).AsSingle();
            c3 = AdvSimd.Arm64.ZipHigh(t1, t3).AsSingle();
        }
        else
        {
            Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackHigh(r0, r1);
            Vector128<float> t2 = Sse.UnpackLow(r2, r3), t3 = Sse.UnpackHigh(r2, r3);
            c0 = Sse.MoveLowToHigh(t0, t2);
            c1 = Sse.MoveHighToLow(t2, t0);
            c2 = Sse.MoveLowToHigh(t1, t3);
            c3 = Sse.MoveHighToLow(t3, t1);
        }
        c0.Store(dst);
        c1.Store(dst + ldd);
        c2.Store(dst + 2 * ldd);
        c3.Store(dst + 3 * ldd);
    }

    /// <summary>
    /// Writes the transpose of the 8x8 block at <paramref name="src"/> (row stride ld) to dst (row stride ldd).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * ld), r3 = Avx.LoadVector256(src + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * ld), r5 = Avx.LoadVector256(src + 5 * ld);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * ld), r7 = Avx.LoadVector256(src + 7 * ld);

        // Interleave pairs of rows, then pairs of pairs; each 128-bit half then holds 4 of a column.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Join the low halves (columns 0-3) and the high halves (columns 4-7) of rows 0-3 and 4-7.
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }
}
