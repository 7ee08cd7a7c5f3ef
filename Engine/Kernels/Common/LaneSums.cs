using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>Horizontal sums of register-tile accumulators, several vectors at once.</summary>
internal static class LaneSums
{
    /// <summary>
    /// [Σ lanes of a0, …, Σ lanes of a7] with one shuffle tree: 16 shuffles and 8 adds for the 8 sums, where
    /// 8 separate sums would take 32 of each. Each level halves the vectors by adding pairs of matching quarters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Of8(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2,
        Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7)
    {
        // [quarters 0+2, 1+3 of a_i | quarters 0+2, 1+3 of a_j]
        Vector512<float> h01 = Avx512F.Shuffle4x128(a0, a1, 0x44) + Avx512F.Shuffle4x128(a0, a1, 0xEE);
        Vector512<float> h23 = Avx512F.Shuffle4x128(a2, a3, 0x44) + Avx512F.Shuffle4x128(a2, a3, 0xEE);
        Vector512<float> h45 = Avx512F.Shuffle4x128(a4, a5, 0x44) + Avx512F.Shuffle4x128(a4, a5, 0xEE);
        Vector512<float> h67 = Avx512F.Shuffle4x128(a6, a7, 0x44) + Avx512F.Shuffle4x128(a6, a7, 0xEE);
        // Quarter k: four partial sums of a_k (first vector) and of a_(k+4) (second).
        Vector512<float> low = Avx512F.Shuffle4x128(h01, h23, 0x88) + Avx512F.Shuffle4x128(h01, h23, 0xDD);
        Vector512<float> high = Avx512F.Shuffle4x128(h45, h67, 0x88) + Avx512F.Shuffle4x128(h45, h67, 0xDD);
        // Quarter k: [Σa_k, Σa_(k+4), Σa_k, Σa_(k+4)].
        Vector512<float> w = Avx512F.UnpackLow(low, high) + Avx512F.UnpackHigh(low, high);
        w += Avx512F.Shuffle(w, w, 0x4E);
        // A constant, not a static field: a class-initialisation helper call here would make the JIT spill every
        // accumulator of the calling loop on each update (vector registers do not survive calls).
        var gather = Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
        return Avx512F.PermuteVar16x32(w, gather).GetLower();
    }
}
