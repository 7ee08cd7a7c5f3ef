namespace RocketNet.Kernels;

/// <summary>
/// The teaching version of <see cref="Gemm"/>: three plain loops, no blocking, no SIMD. Tests compare the
/// optimised kernel against it.
/// </summary>
public static class GemmReference
{
    /// <summary>
    /// C = (accumulate ? C : 0) + op(A)·op(B), all row-major and contiguous.
    /// A is [m, k] (or [k, m] when <paramref name="transA"/>), B is [k, n] (or [n, k] when
    /// <paramref name="transB"/>), C is [m, n].
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false)
    {
        Gemm.ValidateArguments(a, b, c, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                // Accumulate in double so the reference is the more accurate of the two.
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * m + i] : a[i * k + p];
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double)av * bv;
                }
                c[i * n + j] = accumulate ? c[i * n + j] + (float)sum : (float)sum;
            }
        }
    }
}
