using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The 128-bit micro-kernel, for ARM64 (NEON) and for x64 with the width capped at 128
/// (<see cref="VectorWidth"/>): one 6x16 tile of C. Written with the portable Vector128 API, so
/// <see cref="Vector128.FusedMultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> is one FMLA on
/// ARM64 and one VFMADD on x64. Register budget for NEON's 32 registers: 6 rows x 4 vectors = 24 accumulators,
/// 4 B vectors and 1 broadcast A value (LD1R) = 29. The tile is as wide as the AVX2 one, so the driver's tile
/// widths (multiples of 16) and the B panels keep their shape; a wider 8x12 tile would need 12-wide panels that do
/// not divide the 128-column tiles. Per k step: 4 loads and 6 broadcasts feed 24 FMAs.
/// </summary>
internal static unsafe class GemmMicroKernel128
{
    /// <summary>Rows of C per tile (= rows per packed A panel).</summary>
    public const int Mr = 6;

    /// <summary>Columns of C per tile (= columns per packed B panel), four 128-bit vectors.</summary>
    public const int Nr = 16;

    /// <summary>
    /// C[0..6, 0..16] (+)= A·B where <paramref name="a"/> is a k-major panel [kc][6], <paramref name="b"/> a
    /// k-major panel [kc][16], and C is row-major with row stride <paramref name="ldc"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, float* c, nint ldc, int kc, bool accumulate)
    {
        Vector128<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector128<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector128<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector128<float> c50 = default, c51 = default, c52 = default, c53 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> b2 = Vector128.Load(b + 8);
            Vector128<float> b3 = Vector128.Load(b + 12);
            Vector128<float> av = Vector128.Create(a[0]);
            c00 = Vector128.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector128.FusedMultiplyAdd(av, b1, c01);
            c02 = Vector128.FusedMultiplyAdd(av, b2, c02);
            c03 = Vector128.FusedMultiplyAdd(av, b3, c03);
            av = Vector128.Create(a[1]);
            c10 = Vector128.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector128.FusedMultiplyAdd(av, b1, c11);
            c12 = Vector128.FusedMultiplyAdd(av, b2, c12);
            c13 = Vector128.FusedMultiplyAdd(av, b3, c13);
            av = Vector128.Create(a[2]);
            c20 = Vector128.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector128.FusedMultiplyAdd(av, b1, c21);
            c22 = Vector128.FusedMultiplyAdd(av, b2, c22);
            c23 = Vector128.FusedMultiplyAdd(av, b3, c23);
            av = Vector128.Create(a[3]);
            c30 = Vector128.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector128.FusedMultiplyAdd(av, b1, c31);
            c32 = Vector128.FusedMultiplyAdd(av, b2, c32);
            c33 = Vector128.FusedMultiplyAdd(av, b3, c33);
            av = Vector128.Create(a[4]);
            c40 = Vector128.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector128.FusedMultiplyAdd(av, b1, c41);
            c42 = Vector128.FusedMultiplyAdd(av, b2, c42);
            c43 = Vector128.FusedMultiplyAdd(av, b3, c43);
            av = Vector128.Create(a[5]);
            c50 = Vector128.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector128.FusedMultiplyAdd(av, b1, c51);
            c52 = Vector128.FusedMultiplyAdd(av, b2, c52);
            c53 = Vector128.FusedMultiplyAdd(av, b3, c53);
            a += Mr;
            b += Nr;
        }

        Store(c, c00, c01, c02, c03, accumulate);
        Store(c + ldc, c10, c11, c12, c13, accumulate);
        Store(c + 2 * ldc, c20, c21, c22, c23, accumulate);
        Store(c + 3 * ldc, c30, c31, c32, c33, accumulate);
        Store(c + 4 * ldc, c40, c41, c42, c43, accumulate);
        Store(c + 5 * ldc, c50, c51, c52, c53, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector128<float> v0, Vector128<float> v1, Vector128<float> v2,
        Vector128<float> v3, bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector128.Load(row);
            v1 += Vector128.Load(row + 4);
            v2 += Vector128.Load(row + 8);
            v3 += Vector128.Load(row + 12);
        }
        v0.Store(row);
        v1.Store(row + 4);
        v2.Store(row + 8);
        v3.Store(row + 12);
    }
}
