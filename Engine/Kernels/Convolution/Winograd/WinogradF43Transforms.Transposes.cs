using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The transposes of <see cref="WinogradF43Transforms"/>: one channel's input rows of L images into vectors of L
/// images (<see cref="Gather"/>) and back (<see cref="Scatter"/>), L = 16 on AVX-512 (a 16×16 transpose in
/// registers) or 4 on 128-bit vectors (<see cref="GemmPacking.Transpose4x4"/>: SSE unpacks on x64, ZIP1/ZIP2 on
/// ARM64).
/// </summary>
internal static unsafe partial class WinogradF43Transforms
{
    /// <summary>
    /// Floats between the images' rows of the staging buffer of <see cref="Gather"/> and <see cref="Scatter"/> for
    /// <paramref name="length"/> values per image and <paramref name="lanes"/> images per vector: room for a vector
    /// past the end, and never a multiple of 1 KB (rows 4 KB apart would share one L1 set).
    /// </summary>
    public static int StagingStride(int length, int lanes = Lanes)
    {
        int stride = (length + 2 * lanes - 1) / lanes * lanes;
        return stride % 256 == 0 ? stride + lanes : stride;
    }

    /// <summary>
    /// s[r − firstRow, col + 1] = (x_0[r, col], .., x_(L−1)[r, col]) for the input rows [rowStart, rowEnd) of one
    /// channel of L = TLanes.Count images: x_i = x + i·imageStride, a plane [H = any, W = width]; lanes of images
    /// past <paramref name="images"/> are zero. s: rows of <paramref name="sStride"/> vectors (column −1 first);
    /// cells it does not write (the padding) are left as they are, zero. The rows are first copied image by image
    /// into <paramref name="staging"/> (L rows of <see cref="StagingStride"/>): in place the images' rows are C·H·W
    /// floats apart, a multiple of 4 KB, all in one L1 set (with the transpose in registers and the prefetch this
    /// halved the gather; docs/performance.md). The same rows <paramref name="prefetch"/> floats further
    /// (the next channel; 0: none) are prefetched on x64.
    /// </summary>
    public static void Gather<TVector, TLanes>(float* x, nint imageStride, int images, int width, int rowStart,
        int rowEnd, int firstRow, int sStride, float* s, float* staging, nint prefetch)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        int lanes = TLanes.Count;
        int length = (rowEnd - rowStart) * width, stagingStride = StagingStride(length, lanes);
        for (int i = 0; i < images; i++)
            Buffer.MemoryCopy(x + i * imageStride + (nint)rowStart * width, staging + (nint)i * stagingStride,
                (long)length * sizeof(float), (long)length * sizeof(float));
        for (int i = images; i < lanes; i++) new Span<float>(staging + (nint)i * stagingStride, length).Clear();
        if (prefetch != 0 && Sse.IsSupported)
            for (int i = 0; i < images; i++)
            {
                // The next channel's rows: short streams the hardware prefetcher does not pick up in time. One
                // prefetch per 64-byte line.
                float* next = x + i * imageStride + (nint)rowStart * width + prefetch;
                for (int f = 0; f < length; f += 16) Sse.Prefetch0(next + f);
            }
        TVector* rows = stackalloc TVector[lanes];
        int row = rowStart, column = 0;
        // Runs of L consecutive values of the flattened planes: whole rows and row ends alike. Values past the
        // length are stale; they land in the lanes past count, never stored.
        for (int f = 0; f < length; f += lanes)
        {
            int count = Math.Min(lanes, length - f);
            float* target = s + ((nint)(row - firstRow) * sStride + column + 1) * lanes;
            if (count == lanes && column + lanes <= width)
            {
                // The run stays inside one row of the plane.
                Transpose<TVector, TLanes>(staging + f, stagingStride, target, lanes);
                column += lanes;
                if (column == width) { column = 0; row++; }
                continue;
            }
            Transpose<TVector, TLanes>(staging + f, stagingStride, (float*)rows, lanes);
            for (int k = 0; k < count; k++)
            {
                TLanes.Store(rows[k], s + ((nint)(row - firstRow) * sStride + column + 1) * lanes);
                if (++column == width) { column = 0; row++; }
            }
        }
    }

    /// <summary>
    /// y_i[f] (+)= t[f][i] + bias (+ residual_i[f]) for f &lt; <paramref name="length"/> and the first
    /// <paramref name="images"/> images i: y_i = y + i·imageStride, residual likewise (or null). The inverse of
    /// <see cref="Gather"/>'s transpose, through <paramref name="staging"/> likewise so that each image is written
    /// as one stream. t needs L readable vectors past <paramref name="length"/>. Each value is
    /// ((t + bias) + residual) + y before, in that order, on every width (the last partial vector masked on AVX-512,
    /// one value at a time on 128 bits).
    /// </summary>
    public static void Scatter<TVector, TLanes>(float* t, int length, float* y, float* residual, nint imageStride,
        int images, float bias, bool accumulate, float* staging)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        int lanes = TLanes.Count, stagingStride = StagingStride(length, lanes);
        // Vectors past the length are stale; their lanes land past it in staging, never written out.
        for (int f = 0; f < length; f += lanes)
            Transpose<TVector, TLanes>(t + (nint)f * lanes, lanes, staging + f, stagingStride);
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            ScatterRows512(staging, stagingStride, length, y, residual, imageStride, images, bias, accumulate);
            return;
        }
        TVector biasVector = TLanes.Broadcast(bias);
        int full = length / lanes * lanes;
        for (int i = 0; i < images; i++)
        {
            float* source = staging + (nint)i * stagingStride, image = y + i * imageStride;
            float* imageResidual = residual == null ? null : residual + i * imageStride;
            for (int f = 0; f < full; f += lanes)
            {
                TVector value = TLanes.Add(TLanes.Load(source + f), biasVector);
                if (imageResidual != null) value = TLanes.Add(value, TLanes.Load(imageResidual + f));
                if (accumulate) value = TLanes.Add(TLanes.Load(image + f), value);
                TLanes.Store(value, image + f);
            }
            for (int f = full; f < length; f++)
            {
                float value = source[f] + bias;
                if (imageResidual != null) value += imageResidual[f];
                if (accumulate) value = image[f] + value;
                image[f] = value;
            }
        }
    }

    /// <summary>The AVX-512 write-out of <see cref="Scatter"/>, from the transposed rows in staging.</summary>
    private static void ScatterRows512(float* staging, int stagingStride, int length, float* y, float* residual,
        nint imageStride, int images, float bias, bool accumulate)
    {
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
    /// Transposes L×L floats (L = TLanes.Count, 16 or 4): row i at source + i·sourceStride goes to column i of the
    /// rows at target + j·targetStride.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose<TVector, TLanes>(float* source, nint sourceStride, float* target,
        nint targetStride)
        where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
    {
        if (typeof(TVector) == typeof(Vector512<float>)) Transpose16(source, sourceStride, target, targetStride);
        else GemmPacking.Transpose4x4(source, sourceStride, target, targetStride);
    }

    /// <summary>
    /// Transposes 16×16 floats: row i at source + i·sourceStride goes to column i of the rows at
    /// target + j·targetStride. Each round interleaves row i with row i + 8 into rows 2i and 2i + 1: with row bits
    /// r3r2r1r0 and lane bits c3c2c1c0 an element moves to row r2r1r0c3, lane c2c1c0r3; four rounds give row
    /// c3c2c1c0, lane r3r2r1r0. Written out so that the 16 rows stay in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose16(float* source, nint sourceStride, float* target, nint targetStride)
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
