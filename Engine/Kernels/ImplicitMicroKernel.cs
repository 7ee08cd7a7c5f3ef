using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The implicit-GEMM convolution's micro-kernel: an 8 × 32 tile of y (8 output channels × 32 consecutive
/// output positions) from a packed weight panel [k][8] and the image itself. Row r = (c, kh, kw) of the
/// virtual im2col matrix is the input plane c read at a constant shift, so each k step is two masked zmm
/// loads straight from the image (the per-tap lane mask zeroes padding and row wrap-around, and masked-off
/// lanes never touch memory) followed by 16 FMAs against the 8 broadcast weights, like the GEMM kernel.
/// No im2col matrix and no packed B panel are ever written.
/// </summary>
internal static unsafe class ImplicitMicroKernel
{
    /// <summary>Output channels per tile (rows of the packed weight panel).</summary>
    public const int Mr = 8;

    /// <summary>Output positions per tile, two zmm vectors.</summary>
    public const int Nr = 32;

    /// <summary>
    /// y[0..8, 0..32] (+)= Σ_r a[r][i] · masked(image + source[r])[j]. <paramref name="image"/> points at
    /// this image's [C, H, W] plus the tile's first position; <paramref name="source"/>[r] is row r's offset
    /// from it (c·H·W + shift), <paramref name="mask"/> + <paramref name="maskOffset"/>[r] its 32 lane masks
    /// (already offset to the tile). y is row-major with row stride <paramref name="ldy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* image, int* source, float* mask, int* maskOffset, int k, float* y,
        nint ldy, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        Vector512<float> zero = Vector512<float>.Zero;

        for (int r = 0; r < k; r++, a += Mr)
        {
            float* src = image + source[r];
            float* m = mask + maskOffset[r];
            Vector512<float> b0 = Avx512F.MaskLoad(src, Vector512.Load(m), zero);
            Vector512<float> b1 = Avx512F.MaskLoad(src + 16, Vector512.Load(m + 16), zero);
            Vector512<float> av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
        }

        Store(y, c00, c01, accumulate);
        Store(y + ldy, c10, c11, accumulate);
        Store(y + 2 * ldy, c20, c21, accumulate);
        Store(y + 3 * ldy, c30, c31, accumulate);
        Store(y + 4 * ldy, c40, c41, accumulate);
        Store(y + 5 * ldy, c50, c51, accumulate);
        Store(y + 6 * ldy, c60, c61, accumulate);
        Store(y + 7 * ldy, c70, c71, accumulate);
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
