using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

/// <summary>
/// The portable micro-kernel for hardware without accelerated 256/512-bit vectors: one 4x4 tile of C in 16
/// scalar accumulators. Plain multiply-add rather than MathF.FusedMultiplyAdd: without FMA hardware the
/// latter is a slow software call.
/// </summary>
internal static unsafe class GemmMicroKernelScalar
{
    /// <summary>Rows of C per tile (= rows per packed A panel).</summary>
    public const int Mr = 4;

    /// <summary>Columns of C per tile (= columns per packed B panel).</summary>
    public const int Nr = 4;

    /// <summary>
    /// C[0..4, 0..4] (+)= A·B where <paramref name="a"/> is a k-major panel [kc][4], <paramref name="b"/> a
    /// k-major panel [kc][4], and C is row-major with row stride <paramref name="ldc"/>.
    /// </summary>
    public static void Run(float* a, float* b, float* c, nint ldc, int kc, bool accumulate)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0];
            c00 = c00 + a0 * b0; c01 = c01 + a0 * b1;
            c02 = c02 + a0 * b2; c03 = c03 + a0 * b3;
            float a1 = a[1];
            c10 = c10 + a1 * b0; c11 = c11 + a1 * b1;
            c12 = c12 + a1 * b2; c13 = c13 + a1 * b3;
            float a2 = a[2];
            c20 = c20 + a2 * b0; c21 = c21 + a2 * b1;
            c22 = c22 + a2 * b2; c23 = c23 + a2 * b3;
            float a3 = a[3];
            c30 = c30 + a3 * b0; c31 = c31 + a3 * b1;
            c32 = c32 + a3 * b2; c33 = c33 + a3 * b3;
            a += Mr;
            b += Nr;
        }
        Store(c, c00, c01, c02, c03, accumulate);
        Store(c + ldc, c10, c11, c12, c13, accumulate);
        Store(c + 2 * ldc, c20, c21, c22, c23, accumulate);
        Store(c + 3 * ldc, c30, c31, c32, c33, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, float v0, float v1, float v2, float v3, bool accumulate)
    {
        if (accumulate)
        {
            v0 += row[0]; v1 += row[1]; v2 += row[2]; v3 += row[3];
        }
        row[0] = v0; row[1] = v1; row[2] = v2; row[3] = v3;
    }
}
