using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The AVX-512 micro-kernel: one 8x32 tile of C from an 8-row A panel and a 32-column B panel.
/// 8 rows x 2 zmm = 16 accumulators + 2 B vectors = 18 of the 32 zmm registers, so nothing spills; A values
/// are broadcast straight from the panel (the JIT folds them into the FMA as an embedded {1to16} broadcast).
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* b, float* c, nint ldc, int kc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
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
            a += Mr;
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
