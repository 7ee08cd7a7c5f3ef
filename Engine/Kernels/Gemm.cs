namespace RocketNet.Kernels;

/// <summary>
/// Single-precision matrix multiply, the engine's workhorse (linear layers, convolutions via im2col,
/// and every backward of those). Covers the transposed variants backward needs without materialising
/// a transpose.
/// </summary>
public static class Gemm
{
    /// <summary>
    /// C = (accumulate ? C : 0) + op(A)·op(B), all row-major and contiguous.
    /// A is [m, k] (or [k, m] when <paramref name="transA"/>), B is [k, n] (or [n, k] when
    /// <paramref name="transB"/>), C is [m, n]. Runs on <see cref="Parallelism.ThreadCount"/> threads.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false)
    {
        // Placeholder until the packed kernel lands: correct, slow.
        GemmReference.Multiply(a, b, c, m, n, k, transA, transB, accumulate);
    }

    internal static void ValidateArguments(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative, got m={m}, n={n}, k={k}.");
        if (a.Length < (long)m * k)
            throw new ArgumentException($"GEMM: A holds {a.Length} floats but [{m}x{k}] needs {(long)m * k}.", nameof(a));
        if (b.Length < (long)k * n)
            throw new ArgumentException($"GEMM: B holds {b.Length} floats but [{k}x{n}] needs {(long)k * n}.", nameof(b));
        if (c.Length < (long)m * n)
            throw new ArgumentException($"GEMM: C holds {c.Length} floats but [{m}x{n}] needs {(long)m * n}.", nameof(c));
    }
}
