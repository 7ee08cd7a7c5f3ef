namespace RocketNet.Shapes;

/// <summary>Shape arithmetic shared by the ops: element counts, strides, broadcasting, formatting.</summary>
public static class ShapeMath
{
    /// <summary>Number of elements of a shape (1 for a scalar shape <c>[]</c>).</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the count overflows.</exception>
    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.");
            count *= d;
            if (count > Array.MaxLength)
                throw new ArgumentException($"Shape {Format(shape)} has more than {Array.MaxLength} elements.");
        }
        return (int)count;
    }

    /// <summary>Row-major strides of a contiguous tensor of this shape.</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    /// <summary>Formats a shape like NumPy/PyTorch print it: <c>[2, 3]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>
    /// The NumPy broadcast of two shapes: align on the right; each pair of dimensions must be equal or
    /// one of them 1. Throws naming both shapes otherwise.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string opName)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{opName}: shapes {Format(a)} and {Format(b)} cannot be broadcast together " +
                    $"(dimension {i} of the result: {da} vs {db}; each pair must be equal or one of them 1).");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>
    /// Strides for reading a tensor of <paramref name="shape"/> as if it had <paramref name="target"/>'s
    /// shape: 0 along broadcast (size-1 or missing) dimensions.
    /// </summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var strides = new int[target.Length];
        int offset = target.Length - shape.Length;
        int s = 1;
        for (int i = target.Length - 1; i >= 0; i--)
        {
            int d = i < offset ? 1 : shape[i - offset];
            strides[i] = d == 1 && target[i] != 1 ? 0 : s;
            s *= d;
        }
        return strides;
    }

    /// <summary>Checks that two shapes are identical, naming both otherwise.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static void RequireSame(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string opName)
    {
        if (!a.SequenceEqual(b))
            throw new ArgumentException($"{opName}: shapes {Format(a)} and {Format(b)} must be equal.");
    }

    /// <summary>Maps a possibly negative axis (-1 = last) to [0, rank).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is outside [-rank, rank).</exception>
    public static int NormalizeAxis(int axis, int rank, string opName)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"{opName}: axis {axis} is out of range for a tensor of rank {rank}.");
        return a;
    }
}
