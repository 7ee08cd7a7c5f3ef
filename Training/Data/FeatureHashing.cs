namespace RocketNet.Training.Data;

/// <summary>
/// Deterministic feature hashing (the "hashing trick"): 32-bit FNV-1a over a value's UTF-8 bytes. Unlike
/// <see cref="string.GetHashCode()"/>, which .NET randomises per process, the same value always lands in
/// the same bucket, so a trained embedding table stays valid across runs and machines.
/// </summary>
public static class FeatureHashing
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>32-bit FNV-1a of the UTF-8 encoding of <paramref name="value"/>.</summary>
    public static uint Fnv1a(ReadOnlySpan<char> value)
    {
        uint hash = OffsetBasis;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            int n = rune.EncodeToUtf8(utf8);
            for (int i = 0; i < n; i++) hash = (hash ^ utf8[i]) * Prime;
        }
        return hash;
    }

    /// <summary>
    /// Bucket of a categorical value among <paramref name="buckets"/> ids: an empty (missing) value gets
    /// the reserved id 0, any other value 1 + FNV-1a mod (buckets − 1).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 buckets.</exception>
    public static int Bucket(ReadOnlySpan<char> value, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 2);
        return value.IsEmpty ? 0 : 1 + (int)(Fnv1a(value) % (uint)(buckets - 1));
    }

}
