namespace RocketNet.Kernels;

/// <summary>
/// The plain definition of broadcasting that <see cref="BroadcastKernels"/> must match: every output element
/// computed from its multi-index, with the index math written out (NumPy's rules: shapes aligned at the right,
/// a size-1 dimension repeats). Slow on purpose; tests compare the optimised kernels against it.
/// </summary>
public static class BroadcastReference
{
    /// <summary>
    /// The broadcast shape of <paramref name="a"/> and <paramref name="b"/> (sizes must be equal or 1 where they
    /// overlap).
    /// </summary>
    /// <exception cref="ArgumentException">Two overlapping sizes differ and neither is 1.</exception>
    public static int[] Shape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var y = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Sizes {da} and {db} at dimension {i} do not broadcast.");
            y[i] = Math.Max(da, db);
        }
        return y;
    }

    /// <summary>
    /// The multi-index of flat position <paramref name="flat"/> in a row-major tensor of <paramref name="shape"/>.
    /// </summary>
    public static int[] Unflatten(int flat, ReadOnlySpan<int> shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /// <summary>
    /// The flat position read from a tensor of <paramref name="shape"/> at <paramref name="index"/> of a bigger
    /// broadcast shape.
    /// </summary>
    public static int Source(ReadOnlySpan<int> index, ReadOnlySpan<int> shape)
    {
        int offset = index.Length - shape.Length, flat = 0;
        for (int d = 0; d < shape.Length; d++) flat = flat * shape[d] + (shape[d] == 1 ? 0 : index[d + offset]);
        return flat;
    }

    /// <summary>y = a ⊙ b with broadcasting, element by element. y has <see cref="Shape"/>(a, b).</summary>
    public static void Binary(BinaryOperation operation, ReadOnlySpan<float> a, ReadOnlySpan<int> aShape,
        ReadOnlySpan<float> b,
        ReadOnlySpan<int> bShape, Span<float> y, ReadOnlySpan<int> yShape)
    {
        for (int o = 0; o < y.Length; o++)
        {
            var index = Unflatten(o, yShape);
            y[o] = BroadcastKernels.Apply(operation, a[Source(index, aShape)], b[Source(index, bShape)]);
        }
    }

    /// <summary>
    /// dst += src summed over the broadcast dimensions (the gradient of broadcasting), in double precision.
    /// </summary>
    public static void SumInto(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, Span<float> dst,
        ReadOnlySpan<int> dstShape)
    {
        var sums = new double[dst.Length];
        for (int i = 0; i < dst.Length; i++) sums[i] = dst[i];
        for (int o = 0; o < src.Length; o++) sums[Source(Unflatten(o, srcShape), dstShape)] += src[o];
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)sums[i];
    }
}
