namespace RocketNet.Layers;

/// <summary>
/// Category ids arrive as floats (datasets are float tensors); these helpers check that a value is an exact
/// whole number in range and hash (field, id) pairs into buckets with a fixed, platform-independent hash.
/// </summary>
public static class CategoryIds
{
    /// <summary>
    /// Largest id accepted by the hashed mode (2^40; floats are exact integers only up to 2^24 anyway).
    /// </summary>
    public const double MaxHashedId = 1L << 40;

    /// <summary>
    /// Converts <paramref name="value"/> to an id, checking that it is a whole number in [0, <paramref name="limit"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The value is not finite, not whole, or out of range; the message says
    /// where.</exception>
    public static long ToId(float value, double limit, string where)
    {
        if (!IsValidId(value, limit))
            throw new ArgumentException(
                $"{where}: category id {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} is " +
                $"invalid; ids must be whole numbers in [0, {limit}).");
        return (long)value;
    }

    /// <summary>
    /// True when <paramref name="value"/> is a whole number in [0, <paramref name="limit"/>) (what <see cref="ToId"/>
    /// accepts).
    /// </summary>
    public static bool IsValidId(float value, double limit) =>
        float.IsFinite(value) && value == MathF.Floor(value) && value >= 0 && value < limit;

    /// <summary>
    /// Bucket of (<paramref name="field"/>, <paramref name="id"/>) in [0, <paramref name="buckets"/>): the
    /// SplitMix64 finaliser of field·2^40 + id, reduced by multiply-shift. Fixed for all runs and platforms
    /// (unlike <see cref="string.GetHashCode()"/>), so a saved model keeps its buckets.
    /// </summary>
    public static int HashBucket(int field, long id, int buckets)
    {
        ulong z = ((ulong)(uint)field << 40) + (ulong)id + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(((z >> 32) * (ulong)(uint)buckets) >> 32);
    }
}
