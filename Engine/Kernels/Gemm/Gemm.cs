using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Single-precision matrix multiply, the engine's workhorse (linear layers, convolutions via im2col,
/// and every backward of those). Covers the transposed variants backward needs without materialising
/// a transpose.
/// </summary>
public static class Gemm
{
    /// <summary>Below this many multiply-adds (m·n·k) the unpacked loops win over packing.</summary>
    private const long DirectMaxWork = 1 << 16;

    /// <summary>
    /// The packed kernel this machine runs: AVX-512 if accelerated, else AVX2+FMA, else 128-bit vectors with FMA
    /// (ARM64 NEON), else scalar; a <see cref="VectorWidth"/> cap removes the wider ones.
    /// </summary>
    internal static GemmKernelKind PackedKind =>
        VectorWidth.Use512 ? GemmKernelKind.Vector512
        : VectorWidth.Use256 && Fma.IsSupported ? GemmKernelKind.Vector256
        : VectorWidth.FusedMultiplyAdd128 ? GemmKernelKind.Vector128
        : GemmKernelKind.Scalar;

    /// <summary>
    /// C = (accumulate ? C : 0) + op(A)·op(B), all row-major and contiguous.
    /// A is [m, k] (or [k, m] when <paramref name="transA"/>), B is [k, n] (or [n, k] when
    /// <paramref name="transB"/>), C is [m, n]. Runs on <see cref="Parallelism.ThreadCount"/> threads.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transA = false, bool transB = false, bool accumulate = false)
    {
        if (m == 1 && k > 0 && n > 0)
        {
            // One row (single-sample inference): stream the weights instead of packing them.
            ValidateArguments(a, b, c, m, n, k);
            GemmVector.RowTimesMatrix(a, b, c, n, k, transB, accumulate);
            return;
        }
        var kind = PathFor(m, n, k) == GemmPath.Direct ? GemmKernelKind.Direct : PackedKind;
        Multiply(a, b, c, m, n, k, transA, transB, accumulate, kind);
    }

    /// <summary>As the public overload, but on the code path <paramref name="kind"/> (tests cover each).</summary>
    internal static unsafe void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n,
        int k, bool transA, bool transB, bool accumulate, GemmKernelKind kind)
    {
        ValidateArguments(a, b, c, m, n, k);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            // An empty sum: C stays as it is, or becomes zero.
            if (!accumulate) c[..(m * n)].Clear();
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (kind == GemmKernelKind.Direct)
                GemmDirect.Multiply(pa, pb, pc, m, n, k, transA, transB, accumulate);
            else
                GemmDriver.Multiply(pa, pb, pc, m, n, k, transA, transB, accumulate, kind);
        }
    }

    /// <summary>
    /// Which code path the public
    /// <see cref="Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int, bool, bool, bool)"/>
    /// takes for these sizes: the one-row loop, the direct loops or the packed kernel. Every row of C gets the
    /// same bits from two calls on the same path (the tiles never change a row's summation order); the paths
    /// themselves sum in different orders.
    /// </summary>
    internal static GemmPath PathFor(int m, int n, int k) =>
        m == 1 ? GemmPath.OneRow : (long)m * n * k < DirectMaxWork ? GemmPath.Direct : GemmPath.Packed;

    internal static void ValidateArguments(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c,
        int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM sizes must be non-negative, got m={m}, n={n}, k={k}.");
        if (a.Length < (long)m * k)
            throw new ArgumentException(
                $"GEMM: A holds {a.Length} floats but [{m}x{k}] needs {(long)m * k}.", nameof(a));
        if (b.Length < (long)k * n)
            throw new ArgumentException(
                $"GEMM: B holds {b.Length} floats but [{k}x{n}] needs {(long)k * n}.", nameof(b));
        if (c.Length < (long)m * n)
            throw new ArgumentException(
                $"GEMM: C holds {c.Length} floats but [{m}x{n}] needs {(long)m * n}.", nameof(c));
    }
}
