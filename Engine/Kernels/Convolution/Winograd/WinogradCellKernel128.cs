using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The channel reduction of one Winograd cell on 128-bit vectors (ARM64 NEON, or x64 under the width cap,
/// <see cref="VectorWidth"/>): one 8×12 tile of M[ξ] = U[ξ]·V[ξ] from 8 rows of U read in place and one V panel
/// [C][12] (3 tile vectors of 4 images). Register budget for NEON's 32 registers: 8 rows × 3 vectors = 24
/// accumulators, 3 V vectors and one broadcast U value = 28. Per channel: 3 loads and 8 broadcasts feed 24 FMAs
/// (<see cref="GemmMicroKernel128"/>'s 6×16 needs 4 + 6 for the same 24). Why not that kernel: U's rows are
/// padded to 8, the AVX-512 kernel's block, so that filters prepared once (<see cref="PreparedConvolution"/>) serve
/// either width, and 6 rows do not divide 8. Portable <see cref="Vector128.FusedMultiplyAdd(Vector128{float},
/// Vector128{float}, Vector128{float})"/>: one FMLA on ARM64, one VFMADD on x64; each element of M is one FMA chain
/// in channel order, so the result does not depend on how the tiles are cut.
/// </summary>
internal static unsafe class WinogradCellKernel128
{
    /// <summary>Rows of M per tile (rows of U per call).</summary>
    public const int Mr = 8;

    /// <summary>Columns of M per tile (tiles per V panel): three 128-bit vectors.</summary>
    public const int Nr = 12;

    /// <summary>
    /// M[0..8, 0..12] (+)= U·V: U's row r at <paramref name="a"/> + r·<paramref name="lda"/> (k contiguous),
    /// <paramref name="b"/> a k-major panel [kc][12], M row-major with row stride <paramref name="ldc"/>; the
    /// product is summed from zero, then added to M when <paramref name="accumulate"/> (as the AVX-512 kernel does).
    /// The weight gradient runs it with k = tiles, U = Y' and V = the transformed input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Run(float* a, nint lda, float* b, float* c, nint ldc, int kc, bool accumulate)
    {
        Vector128<float> c00 = default, c01 = default, c02 = default, c10 = default, c11 = default, c12 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default, c30 = default, c31 = default, c32 = default;
        Vector128<float> c40 = default, c41 = default, c42 = default, c50 = default, c51 = default, c52 = default;
        Vector128<float> c60 = default, c61 = default, c62 = default, c70 = default, c71 = default, c72 = default;
        float* a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
        float* a4 = a + 4 * lda, a5 = a + 5 * lda, a6 = a + 6 * lda, a7 = a + 7 * lda;

        for (nint p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b), b1 = Vector128.Load(b + 4), b2 = Vector128.Load(b + 8);
            Vector128<float> av = Vector128.Create(a0[p]);
            c00 = Vector128.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector128.FusedMultiplyAdd(av, b1, c01);
            c02 = Vector128.FusedMultiplyAdd(av, b2, c02);
            av = Vector128.Create(a1[p]);
            c10 = Vector128.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector128.FusedMultiplyAdd(av, b1, c11);
            c12 = Vector128.FusedMultiplyAdd(av, b2, c12);
            av = Vector128.Create(a2[p]);
            c20 = Vector128.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector128.FusedMultiplyAdd(av, b1, c21);
            c22 = Vector128.FusedMultiplyAdd(av, b2, c22);
            av = Vector128.Create(a3[p]);
            c30 = Vector128.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector128.FusedMultiplyAdd(av, b1, c31);
            c32 = Vector128.FusedMultiplyAdd(av, b2, c32);
            av = Vector128.Create(a4[p]);
            c40 = Vector128.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector128.FusedMultiplyAdd(av, b1, c41);
            c42 = Vector128.FusedMultiplyAdd(av, b2, c42);
            av = Vector128.Create(a5[p]);
            c50 = Vector128.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector128.FusedMultiplyAdd(av, b1, c51);
            c52 = Vector128.FusedMultiplyAdd(av, b2, c52);
            av = Vector128.Create(a6[p]);
            c60 = Vector128.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector128.FusedMultiplyAdd(av, b1, c61);
            c62 = Vector128.FusedMultiplyAdd(av, b2, c62);
            av = Vector128.Create(a7[p]);
            c70 = Vector128.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector128.FusedMultiplyAdd(av, b1, c71);
            c72 = Vector128.FusedMultiplyAdd(av, b2, c72);
            b += Nr;
        }

        Store(c, c00, c01, c02, accumulate);
        Store(c + ldc, c10, c11, c12, accumulate);
        Store(c + 2 * ldc, c20, c21, c22, accumulate);
        Store(c + 3 * ldc, c30, c31, c32, accumulate);
        Store(c + 4 * ldc, c40, c41, c42, accumulate);
        Store(c + 5 * ldc, c50, c51, c52, accumulate);
        Store(c + 6 * ldc, c60, c61, c62, accumulate);
        Store(c + 7 * ldc, c70, c71, c72, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector128<float> v0, Vector128<float> v1, Vector128<float> v2,
        bool accumulate)
    {
        if (accumulate)
        {
            v0 += Vector128.Load(row);
            v1 += Vector128.Load(row + 4);
            v2 += Vector128.Load(row + 8);
        }
        v0.Store(row);
        v1.Store(row + 4);
        v2.Store(row + 8);
    }
}
