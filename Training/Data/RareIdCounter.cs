using RocketNet.Serving.ClickLogs;

namespace RocketNet.Training.Data;

/// <summary>
/// Decides which hashed ids of a click log are rare (<see cref="RareIdMap"/>): counts each hashed categorical id of
/// the training rows in one pass. Counts are per hash bucket, so values that share a bucket are counted together.
/// Counting holds one int per hashed id (26 × buckets: 104 MB at a million buckets, Criteo); the map kept afterwards
/// holds one bit per id. The map comes from the training rows only, so validation and test rows never decide what
/// is rare.
/// </summary>
public static class RareIdCounter
{
    /// <summary>
    /// The map of the hashed ids seen fewer than <paramref name="minCount"/> times in rows [0,
    /// <paramref name="rows"/>) of <paramref name="files"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A minimum count below 2, or no room for the rare id among
    /// float-exact ids.</exception>
    /// <exception cref="InvalidDataException">(While counting) a row is malformed.</exception>
    public static RareIdMap Count(IReadOnlyList<string> files, IClickLogLayout layout, long rows, int minCount)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layout.HashBuckets, ClickLogStream.MaxExactVocabulary,
            nameof(layout));
        int first = layout.FirstHashedField;
        var counts = new int[layout.FieldCount - first][];
        for (int f = 0; f < counts.Length; f++) counts[f] = new int[layout.HashBuckets];
        foreach (var row in ClickLogFiles.ReadRows(files, layout).Take64(rows))
        {
            for (int f = 0; f < counts.Length; f++)
            {
                ref int count = ref counts[f][row.FieldIds[first + f]];
                if (count < minCount) count++; // saturates: only "fewer than minCount" matters
            }
        }
        return RareIdMap.FromCounts(first, minCount, counts);
    }
}
