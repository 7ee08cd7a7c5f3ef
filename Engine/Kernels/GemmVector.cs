using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// GEMM with a single row of A (m = 1: one sample through a linear layer, the real-time inference case).
/// Packing would copy the whole weight matrix to use each value once, so these loops stream the weights
/// directly: with B stored [n, k] (the Bᵀ case, PyTorch's Linear layout) every output is one contiguous
/// dot product; with B stored [k, n] the row is a sum of B's rows scaled by a's values.
/// </summary>
internal static class GemmVector
{
    /// <summary>c[0..n] (+)= a[0..k]·op(B) where a is one row (m = 1) and op(B) is [k, n].</summary>
    public static void RowTimesMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int n, int k,
        bool transB, bool accumulate)
    {
        // a: [1, k] or, transposed, [k, 1]: either way its k values are contiguous.
        var row = a[..k];
        var output = c[..n];
        if (transB)
        {
            // b: [n, k]; c[j] = ⟨a, b[j, :]⟩, eight rows of b per pass (DotEight).
            int j = 0;
            if (Vector512.IsHardwareAccelerated && k >= 16)
            {
                unsafe
                {
                    fixed (float* pa = row, pb = b, pc = output)
                    {
                        for (; j + 8 <= n; j += 8) DotEight(pa, pb + (nint)j * k, k, pc + j, accumulate);
                    }
                }
            }
            for (; j < n; j++)
            {
                float dot = TensorPrimitives.Dot(row, b.Slice(j * k, k));
                output[j] = accumulate ? output[j] + dot : dot;
            }
            return;
        }
        // b: [k, n]; c = Σ_p a[p]·b[p, :].
        if (!accumulate) output.Clear();
        for (int p = 0; p < k; p++) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), row[p], output, output);
    }

    /// <summary>
    /// c[i] (+)= ⟨a, rows[i·k .. (i+1)·k]⟩ for i = 0..7: eight independent FMA chains (the FMA latency times
    /// its two ports) and one load of a per eight products. Raw pointers: the span checks cost more than the math.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotEight(float* a, float* rows, int k, float* c, bool accumulate)
    {
        float* r0 = rows, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k, r4 = r3 + k, r5 = r4 + k, r6 = r5 + k, r7 = r6 + k;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        int p = 0;
        for (; p + 16 <= k; p += 16)
        {
            var av = Vector512.Load(a + p);
            s0 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r3 + p), s3);
            s4 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r4 + p), s4);
            s5 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r5 + p), s5);
            s6 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r6 + p), s6);
            s7 = Vector512.FusedMultiplyAdd(av, Vector512.Load(r7 + p), s7);
        }
        Span<float> d = stackalloc float[8];
        d[0] = Vector512.Sum(s0); d[1] = Vector512.Sum(s1); d[2] = Vector512.Sum(s2); d[3] = Vector512.Sum(s3);
        d[4] = Vector512.Sum(s4); d[5] = Vector512.Sum(s5); d[6] = Vector512.Sum(s6); d[7] = Vector512.Sum(s7);
        for (; p < k; p++)
        {
            float ap = a[p];
            d[0] += ap * r0[p]; d[1] += ap * r1[p]; d[2] += ap * r2[p]; d[3] += ap * r3[p];
            d[4] += ap * r4[p]; d[5] += ap * r5[p]; d[6] += ap * r6[p]; d[7] += ap * r7[p];
        }
        for (int i = 0; i < 8; i++) c[i] = accumulate ? c[i] + d[i] : d[i];
    }
}
