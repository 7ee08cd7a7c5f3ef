namespace RocketNet.Training.Data;

/// <summary>
/// A frequency threshold for the categorical fields C1..C26 of a click log: a hashed id seen fewer than
/// <see cref="MinCount"/> times in the training rows becomes one shared "rare" id per field, id
/// <see cref="CriteoOptions.HashBuckets"/> (one past the hashed ids), so rare values share one well-trained
/// embedding row instead of each keeping a barely-trained one. Id 0 (missing) is never rare.
/// </summary>
/// <remarks>
/// Counts are per hash bucket, so values that share a bucket are counted together. Counting holds one int per
/// categorical id (26 × buckets: 104 MB at a million buckets); the map kept afterwards holds one bool per id.
/// The map comes from the training rows only, so validation and test rows never decide what is rare.
/// </remarks>
public sealed class RareIdMap
{
    private readonly bool[][] _rare; // [26][buckets]: true for a hashed id seen fewer than MinCount times

    private RareIdMap(bool[][] rare, int minCount, int hashBuckets) =>
        (_rare, MinCount, HashBuckets) = (rare, minCount, hashBuckets);

    /// <summary>Ids seen fewer times than this become the rare id.</summary>
    public int MinCount { get; }

    /// <summary>Hashed ids per categorical field; the rare id is this value.</summary>
    public int HashBuckets { get; }

    /// <summary>Number of (field, id) pairs mapped to the rare id.</summary>
    public long RareIdCount => _rare.Sum(flags => (long)flags.Count(r => r));

    /// <summary>
    /// Counts the categorical ids of rows [0, <paramref name="rows"/>) of <paramref name="files"/> in one pass.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A minimum count below 2, or no room for the rare id among
    /// float-exact ids.</exception>
    public static RareIdMap Count(IReadOnlyList<string> files, CriteoOptions options, long rows, int minCount)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.HashBuckets, ClickLogStream.MaxExactVocabulary,
            nameof(options));
        var counts = new int[CriteoReader.CategoricalFieldCount][];
        for (int f = 0; f < counts.Length; f++) counts[f] = new int[options.HashBuckets];
        foreach (var row in ClickLogFiles.ReadRows(files, options).Take64(rows))
        {
            for (int f = 0; f < counts.Length; f++)
            {
                ref int count = ref counts[f][row.FieldIds[CriteoReader.IntegerFieldCount + f]];
                if (count < minCount) count++; // saturates: only "fewer than minCount" matters
            }
        }
        var rare = new bool[counts.Length][];
        for (int f = 0; f < counts.Length; f++)
        {
            rare[f] = new bool[options.HashBuckets];
            for (int id = 1; id < rare[f].Length; id++) rare[f][id] = counts[f][id] < minCount;
            counts[f] = []; // let each field's counts go before the next field's flags are built
        }
        return new RareIdMap(rare, minCount, options.HashBuckets);
    }

    /// <summary>Ids per field with the rare id added to every categorical field.</summary>
    public int[] VocabularySizes(CriteoOptions options)
    {
        var sizes = CriteoReader.VocabularySizes(options);
        for (int f = CriteoReader.IntegerFieldCount; f < sizes.Length; f++) sizes[f] = HashBuckets + 1;
        return sizes;
    }

    /// <summary>Replaces, in place, every rare categorical id of one row's 39 ids by the rare id.</summary>
    public void Apply(Span<int> ids)
    {
        for (int f = 0; f < _rare.Length; f++)
        {
            ref int id = ref ids[CriteoReader.IntegerFieldCount + f];
            if (_rare[f][id]) id = HashBuckets;
        }
    }
}
