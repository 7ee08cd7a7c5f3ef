namespace RocketNet.Memory;

/// <summary>
/// Recycles float arrays by exact length, so a training step that repeats the same shapes rents the
/// same arrays every step and allocates nothing once warm. (ArrayPool rounds up to powers of two and
/// keeps only a few arrays per size; a step may need dozens of the same size.) Thread-safe.
/// </summary>
/// <remarks>
/// The pool must be able to hold a whole step's working set: if it cannot, every step drops arrays
/// it will need again, they become large-object-heap garbage that only a full collection reclaims, and
/// the process grows to several times what it uses (a CIFAR-10 WRN rocket step with a cap below its working
/// set did; docs/performance.md has the figures). Hence the cap follows the machine's memory, and a
/// trainer calls <see cref="Release"/> when it switches between phases with different shapes
/// (training and evaluation), so the pool never holds two phases' arrays at once.
/// </remarks>
public static class BufferPool
{
    private const int MaxArraysPerLength = 1024;
    private const long CollectThresholdBytes = 64L << 20;
    private static readonly Dictionary<int, Stack<float[]>> Free = new();
    private static long _retainedFloats, _droppedFloats;

    /// <summary>
    /// Upper bound on the floats kept for reuse; beyond it returned arrays are dropped (and counted in
    /// <see cref="DroppedFloats"/>). Defaults to a quarter of the memory the GC may use on this machine.
    /// </summary>
    public static long MaxRetainedFloats { get; set; } = DefaultMaxRetainedFloats();

    /// <summary>Floats currently held for reuse.</summary>
    public static long RetainedFloats
    {
        get { lock (Free) return _retainedFloats; }
    }

    /// <summary>
    /// Floats returned but not kept since the process started, because <see cref="MaxRetainedFloats"/> or the
    /// per-length limit was reached. Growing step after step means the cap is smaller than a step's working set.
    /// </summary>
    public static long DroppedFloats
    {
        get { lock (Free) return _droppedFloats; }
    }

    /// <summary>
    /// Rents an array of exactly <paramref name="length"/> floats, zero-filled if <paramref name="clear"/>.
    /// </summary>
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
            if (_retainedFloats + array.Length > MaxRetainedFloats)
            {
                _droppedFloats += array.Length;
                return;
            }
            if (!Free.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<float[]>();
                Free.Add(array.Length, stack);
            }
            if (stack.Count >= MaxArraysPerLength)
            {
                _droppedFloats += array.Length;
                return;
            }
            stack.Push(array);
            _retainedFloats += array.Length;
        }
    }

    /// <summary>
    /// Drops every retained array and returns how many floats that released. With
    /// <paramref name="collect"/>, a compacting full collection follows when at least 64 MiB was released, so
    /// the memory goes back to the operating system rather than waiting for the next full collection (below
    /// that, a forced collection would cost more than the memory is worth).
    /// </summary>
    public static long Release(bool collect)
    {
        long released;
        lock (Free)
        {
            released = _retainedFloats;
            Free.Clear();
            _retainedFloats = 0;
        }
        if (collect && released * sizeof(float) >= CollectThresholdBytes)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return released;
    }

    /// <summary>Drops every retained array (lets the GC reclaim them at its next collection).</summary>
    public static void Clear() => Release(collect: false);

    private static long DefaultMaxRetainedFloats()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available <= 0) available = 4L << 30; // unknown: assume a small machine
        return Math.Max(1L << 24, available / 4 / sizeof(float));
    }
}
