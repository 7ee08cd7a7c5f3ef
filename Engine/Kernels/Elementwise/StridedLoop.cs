namespace RocketNet.Kernels;

/// <summary>
/// Visits a contiguous output of some shape row by row, together with two operands read through
/// strides (0 along broadcast dimensions). Adjacent dimensions that are contiguous for every operand
/// are merged first, so a same-shape operation is a single row and a bias add [M, N] + [N] is M rows of N.
/// The last dimension becomes the row: operands have inner stride 1 (varying) or 0 (broadcast).
/// </summary>
internal static class StridedLoop
{
    /// <summary>Work done on one row: <c>length</c> output elements starting at <c>outOffset</c>.</summary>
    internal interface IRowOp
    {
        void Row(int outOffset, int aOffset, int bOffset, int length, bool aVaries, bool bVaries);
    }

    private const int MaxRank = 16;

    public static void Run<TOp>(ReadOnlySpan<int> shape, ReadOnlySpan<int> strideA,
        ReadOnlySpan<int> strideB, ref TOp op)
        where TOp : IRowOp, allows ref struct
    {
        if (shape.Length > MaxRank)
            throw new ArgumentException($"Tensors of rank above {MaxRank} are not supported (got {shape.Length}).");
        foreach (int d in shape) if (d == 0) return;

        // Coalesce: drop size-1 dims, merge dim i into i+1 when both operands step through them contiguously.
        Span<int> dims = stackalloc int[MaxRank], sa = stackalloc int[MaxRank], sb = stackalloc int[MaxRank];
        int rank = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1) continue;
            if (rank > 0 && sa[rank - 1] == strideA[i] * shape[i] && sb[rank - 1] == strideB[i] * shape[i])
            {
                dims[rank - 1] *= shape[i];
                sa[rank - 1] = strideA[i];
                sb[rank - 1] = strideB[i];
                continue;
            }
            dims[rank] = shape[i];
            sa[rank] = strideA[i];
            sb[rank] = strideB[i];
            rank++;
        }
        if (rank == 0)
        {
            op.Row(0, 0, 0, 1, false, false);
            return;
        }

        int inner = dims[rank - 1];
        bool aVaries = sa[rank - 1] != 0, bVaries = sb[rank - 1] != 0;
        int outer = 1;
        for (int i = 0; i < rank - 1; i++) outer *= dims[i];

        // Odometer over the outer dimensions, tracking each operand's offset incrementally.
        Span<int> index = stackalloc int[MaxRank];
        index.Clear();
        int offA = 0, offB = 0, offOut = 0;
        for (int row = 0; row < outer; row++)
        {
            op.Row(offOut, offA, offB, inner, aVaries, bVaries);
            offOut += inner;
            for (int d = rank - 2; d >= 0; d--)
            {
                offA += sa[d];
                offB += sb[d];
                if (++index[d] < dims[d]) break;
                offA -= sa[d] * dims[d];
                offB -= sb[d] * dims[d];
                index[d] = 0;
            }
        }
    }
}
