using System.Numerics;

namespace RocketNet.Kernels;

/// <summary>
/// Unpacked GEMM for small problems (m·n·k below a few tens of thousands), single-threaded: at that size
/// packing and a parallel dispatch cost more than the multiply. Also the whole path when the packed
/// kernels do not apply.
/// </summary>
internal static unsafe class GemmDirect
{
    /// <summary>C (+)= op(A)·op(B); same layout contract as <see cref="Gemm"/>.</summary>
    public static void Multiply(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB,
        bool accumulate)
    {
        // A[i, p] lives at a[i * aRow + p * aCol] whichever way A is stored.
        nint aRow = transA ? 1 : k, aCol = transA ? m : 1;
        if (!transB)
        {
            // Row i of C is a sum of rows of B scaled by A[i, p]: contiguous vector axpys over n.
            for (int i = 0; i < m; i++)
            {
                float* cRow = c + (nint)i * n;
                if (!accumulate) new Span<float>(cRow, n).Clear();
                for (int p = 0; p < k; p++)
                    Axpy(a[i * aRow + p * aCol], b + (nint)p * n, cRow, n);
            }
            return;
        }
        // Bᵀ stored [n, k]: C[i, j] is a dot product of A's row i with B's row j (contiguous in k).
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float* bRow = b + (nint)j * k;
                float sum = transA ? StridedDot(a + i, m, bRow, k) : Dot(a + (nint)i * k, bRow, k);
                float* cij = c + (nint)i * n + j;
                *cij = accumulate ? *cij + sum : sum;
            }
        }
    }

    private static void Axpy(float alpha, float* x, float* y, int length)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<float>(alpha);
            for (; j <= length - Vector<float>.Count; j += Vector<float>.Count)
                Vector.Store(Vector.FusedMultiplyAdd(va, Vector.Load(x + j), Vector.Load(y + j)), y + j);
        }
        for (; j < length; j++) y[j] += alpha * x[j];
    }

    private static float Dot(float* x, float* y, int length)
    {
        int p = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; p <= length - Vector<float>.Count; p += Vector<float>.Count)
                acc = Vector.FusedMultiplyAdd(Vector.Load(x + p), Vector.Load(y + p), acc);
            sum = Vector.Sum(acc);
        }
        for (; p < length; p++) sum += x[p] * y[p];
        return sum;
    }

    private static float StridedDot(float* x, nint stride, float* y, int length)
    {
        float sum = 0;
        for (int p = 0; p < length; p++) sum += x[p * stride] * y[p];
        return sum;
    }
}
