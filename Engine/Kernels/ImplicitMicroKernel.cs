using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The implicit-GEMM convolution's micro-kernel: a 16 × 16 tile of y (16 output channels × 16 consecutive
/// output positions) from a packed weight panel [k][16] and the image itself. Row r = (c, kh, kw) of the
/// virtual im2col matrix is the input plane c read at a constant shift, so each k step is one masked zmm
/// load straight from the image (the per-tap lane mask zeroes padding and row wrap-around, and masked-off
/// lanes never touch memory) followed by 16 FMAs against the 16 broadcast weights (16 accumulators: one
/// vector of positions and 16 channels balances the broadcast loads against the FMAs).
/// No im2col matrix and no packed B panel are ever written.
/// </summary>
internal static unsafe class ImplicitMicroKernel
{
    /// <summary>Output channels per tile (rows of the packed weight panel).</summary>
    public const int Mr = 16;

    /// <summary>Output positions per tile, one zmm vector.</summary>
    public const int Nr = 16;

    /// <summary>
    /// y[0..16, 0..16] (+)= Σ_r a[r][i] · masked(image + source[r])[j]. <paramref name="image"/> points at
    /// this image's [C, H, W] plus the tile's first position; <paramref name="source"/>[r] is row r's offset
    /// from it (c·H·W + shift), <paramref name="mask"/> + <paramref name="maskOffset"/>[r] its 16 lane masks
    /// (already offset to the tile). y is row-major with row stride <paramref name="ldy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* image, int* source, float* mask, int* maskOffset, int k, float* y,
        nint ldy, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default, c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default, c14 = default, c15 = default;
        Vector512<float> zero = Vector512<float>.Zero;

        for (int r = 0; r < k; r++, a += Mr)
        {
            Vector512<float> b = Avx512F.MaskLoad(image + source[r], Vector512.Load(mask + maskOffset[r]), zero);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(a[12]), b, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(a[13]), b, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(a[14]), b, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(a[15]), b, c15);
        }

        Store(y, c0, accumulate);
        Store(y + 1 * ldy, c1, accumulate);
        Store(y + 2 * ldy, c2, accumulate);
        Store(y + 3 * ldy, c3, accumulate);
        Store(y + 4 * ldy, c4, accumulate);
        Store(y + 5 * ldy, c5, accumulate);
        Store(y + 6 * ldy, c6, accumulate);
        Store(y + 7 * ldy, c7, accumulate);
        Store(y + 8 * ldy, c8, accumulate);
        Store(y + 9 * ldy, c9, accumulate);
        Store(y + 10 * ldy, c10, accumulate);
        Store(y + 11 * ldy, c11, accumulate);
        Store(y + 12 * ldy, c12, accumulate);
        Store(y + 13 * ldy, c13, accumulate);
        Store(y + 14 * ldy, c14, accumulate);
        Store(y + 15 * ldy, c15, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector512<float> value, bool accumulate)
    {
        if (accumulate) value += Vector512.Load(row);
        value.Store(row);
    }
}
