namespace RocketNet.Memory;

/// <summary>
/// Recycles float arrays by exact length, so a training step that repeats the same shapes rents the
/// same arrays every step and allocates nothing once warm. (ArrayPool rounds up to powers of two and
/// keeps only a few arrays per size; a step may need dozens of the same size.) Thread-safe.
/// </summary>
public static class BufferPool
{
    private const int MaxArraysPerLength = 256;
    private static readonly Dictionary<int, Stack<float[]>> Free = new();
    private static long _retainedFloats;

    /// <summary>Upper bound on the floats kept for reuse (default 1 GiB worth); beyond it returned arrays are dropped.</summary>
    public static long MaxRetainedFloats { get; set; } = 1L << 28;

    /// <summary>Rents an array of exactly <paramref name="length"/> floats, zero-filled if <paramref name="clear"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static float[] Rent(int length, bool clear)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0) return [];
        float[]? array = null;
        lock (Free)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                array = stack.Pop();
                _retainedFloats -= length;
            }
        }
        if (array is null) return new float[length]; // fresh arrays are already zero
        if (clear) Array.Clear(array);
        return array;
    }

    /// <summary>Gives an array back for reuse. The caller must not touch it afterwards.</summary>
    public static void Return(float[] array)
    {
        if (array.Length == 0) return;
        lock (Free)
        {
            if (_retainedFloats + array.Length > MaxRetainedFloats) return;
            if (!Free.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<float[]>();
                Free.Add(array.Length, stack);
            }
            if (stack.Count >= MaxArraysPerLength) return;
            stack.Push(array);
            _retainedFloats += array.Length;
        }
    }

    /// <summary>Drops every retained array (lets the GC reclaim them).</summary>
    public static void Clear()
    {
        lock (Free)
        {
            Free.Clear();
            _retainedFloats = 0;
        }
    }
}
