using System.Numerics;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// The register width of the vector loops: Vector&lt;float&gt;'s (what these loops used before the width cap
    /// existed, so the uncapped bits are unchanged), narrowed by the <see cref="VectorWidth"/> cap.
    /// </summary>
    private static int LoopBits => Vector.IsHardwareAccelerated
        ? Math.Min(Vector<float>.Count * 32, VectorWidth.MaxBits) : 0;

    /// <summary>y[j] += alpha·x[j] for j &lt; length: one FMA per element in the vector part.</summary>
    private static void Axpy(float alpha, float* x, float* y, int length)
    {
        int j = 0;
        switch (LoopBits)
        {
            case >= 512 when VectorWidth.Use512: Axpy<Vector512<float>, Lanes512>(alpha, x, y, length, ref j); break;
            case >= 256 when VectorWidth.Use256: Axpy<Vector256<float>, Lanes256>(alpha, x, y, length, ref j); break;
            case >= 128 when VectorWidth.Use128: Axpy<Vector128<float>, Lanes128>(alpha, x, y, length, ref j); break;
        }
        for (; j < length; j++) y[j] += alpha * x[j];
    }

    private static void Axpy<TVector, TLanes>(float alpha, float* x, float* y, int length, ref int j)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        var va = TLanes.Broadcast(alpha);
        for (; j <= length - TLanes.Count; j += TLanes.Count)
            TLanes.Store(TLanes.FusedMultiplyAdd(va, TLanes.Load(x + j), TLanes.Load(y + j)), y + j);
    }

    /// <summary>Σ x[p]·y[p]: lane-wise FMAs, the lanes summed, then the scalar tail.</summary>
    private static float Dot(float* x, float* y, int length)
    {
        int p = 0;
        float sum = LoopBits switch
        {
            >= 512 when VectorWidth.Use512 => Dot<Vector512<float>, Lanes512>(x, y, length, ref p),
            >= 256 when VectorWidth.Use256 => Dot<Vector256<float>, Lanes256>(x, y, length, ref p),
            >= 128 when VectorWidth.Use128 => Dot<Vector128<float>, Lanes128>(x, y, length, ref p),
            _ => 0,
        };
        for (; p < length; p++) sum += x[p] * y[p];
        return sum;
    }

    private static float Dot<TVector, TLanes>(float* x, float* y, int length, ref int p)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        var acc = TLanes.Broadcast(0f);
        for (; p <= length - TLanes.Count; p += TLanes.Count)
            acc = TLanes.FusedMultiplyAdd(TLanes.Load(x + p), TLanes.Load(y + p), acc);
        return TLanes.Sum(acc);
    }

    private static float StridedDot(float* x, nint stride, float* y, int length)
    {
        float sum = 0;
        for (int p = 0; p < length; p++) sum += x[p * stride] * y[p];
        return sum;
    }
}
