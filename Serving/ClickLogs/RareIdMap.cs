using System.Buffers.Binary;

namespace RocketNet.Serving.ClickLogs;

/// <summary>
/// A frequency threshold for the hashed categorical fields of a click log, frozen: a hashed id seen fewer than
/// <see cref="MinCount"/> times in the training rows becomes one shared "rare" id per field, id
/// <see cref="HashBuckets"/> (one past the hashed ids), so rare values share one well-trained embedding row instead
/// of each keeping a barely-trained one. Id 0 (missing) is never rare. The map is saved with the model
/// (<see cref="ToBytes"/>), so a served model maps new rows exactly as training did.
/// </summary>
/// <remarks>
/// A row is the layout's field ids; the hashed fields are [<see cref="FirstField"/>, <see cref="FirstField"/> +
/// <see cref="FieldCount"/>) (Criteo: fields 13..38, after the 13 integer fields). Held as one bit per hashed id:
/// 26 fields × 10⁶ buckets take 3.25 MB. Mapping is idempotent: the rare id itself and ids outside the hashed range
/// are left as they are, so ids mapped once (a training batch) may be mapped again (a served request).
/// <para>Saved layout (little-endian): magic <c>RIM1</c>; int32 first field, field count, hash buckets, minimum
/// count; per field ⌈buckets / 8⌉ bytes of rare flags (bit b of byte k: id 8k + b); CRC-32 of all that.</para>
/// </remarks>
public sealed class RareIdMap
{
    private const uint Magic = 0x314D4952; // "RIM1" little-endian
    private const int HeaderSize = 20;
    private const int TrailerSize = 4;
    private readonly byte[] _rare; // [FieldCount][BytesPerField]: bit set for a hashed id that is rare

    private RareIdMap(byte[] rare, int firstField, int fieldCount, int hashBuckets, int minCount) =>
        (_rare, FirstField, FieldCount, HashBuckets, MinCount) = (rare, firstField, fieldCount, hashBuckets, minCount);

    /// <summary>Index in a row of the first hashed field.</summary>
    public int FirstField { get; }

    /// <summary>Number of hashed fields.</summary>
    public int FieldCount { get; }

    /// <summary>Hashed ids per field; the rare id is this value.</summary>
    public int HashBuckets { get; }

    /// <summary>Ids seen fewer times than this became the rare id.</summary>
    public int MinCount { get; }

    /// <summary>Field ids per row the map applies to (it reads fields up to FirstField + FieldCount).</summary>
    public int RowWidth => FirstField + FieldCount;

    private int BytesPerField => (HashBuckets + 7) / 8;

    /// <summary>Number of (field, id) pairs mapped to the rare id.</summary>
    public long RareIdCount
    {
        get
        {
            long count = 0;
            foreach (byte b in _rare) count += System.Numerics.BitOperations.PopCount(b);
            return count;
        }
    }

    /// <summary>
    /// The map of ids counted fewer than <paramref name="minCount"/> times: <paramref name="counts"/>[f][id] is the
    /// count of hashed id <c>id</c> of hashed field f (counts may saturate at <paramref name="minCount"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No fields, or fields of different bucket counts.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A minimum count below 2, a negative first field, or fewer than 2
    /// buckets.</exception>
    public static RareIdMap FromCounts(int firstField, int minCount, IReadOnlyList<int[]> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfNegative(firstField);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 2);
        if (counts.Count == 0) throw new ArgumentException("A rare-id map needs at least one field.", nameof(counts));
        int buckets = counts[0].Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 2, nameof(counts));
        if (counts.Any(c => c.Length != buckets))
            throw new ArgumentException(
                $"Every field needs counts for {buckets} ids; got {string.Join(", ", counts.Select(c => c.Length))}.",
                nameof(counts));
        int bytesPerField = (buckets + 7) / 8;
        var rare = new byte[(long)counts.Count * bytesPerField];
        for (int f = 0; f < counts.Count; f++)
        {
            for (int id = 1; id < buckets; id++) // id 0 (missing) is never rare
                if (counts[f][id] < minCount) rare[f * bytesPerField + (id >> 3)] |= (byte)(1 << (id & 7));
        }
        return new RareIdMap(rare, firstField, counts.Count, buckets, minCount);
    }

    /// <summary>True when hashed id <paramref name="id"/> of hashed field <paramref name="field"/> (0-based among
    /// the hashed fields) is rare.</summary>
    public bool IsRare(int field, int id) =>
        (uint)id < (uint)HashBuckets && (_rare[field * BytesPerField + (id >> 3)] & (1 << (id & 7))) != 0;

    /// <summary>Ids per field of a layout with the rare id added to every hashed field.</summary>
    /// <param name="hashedSizes">Ids per field without the rare id.</param>
    public int[] VocabularySizes(IReadOnlyList<int> hashedSizes)
    {
        ArgumentNullException.ThrowIfNull(hashedSizes);
        var sizes = hashedSizes.ToArray();
        for (int f = FirstField; f < RowWidth; f++) sizes[f] = HashBuckets + 1;
        return sizes;
    }

    /// <summary>Replaces, in place, every rare hashed id of one row by the rare id.</summary>
    public void Apply(Span<int> ids)
    {
        for (int f = 0; f < FieldCount; f++)
        {
            ref int id = ref ids[FirstField + f];
            if (IsRare(f, id)) id = HashBuckets;
        }
    }

    /// <summary>
    /// Replaces, in place, every rare hashed id of rows of <paramref name="rowWidth"/> ids held as floats (model
    /// inputs [n, rowWidth]) by the rare id. Values that are not ids of the hashed range are left as they are.
    /// </summary>
    /// <exception cref="ArgumentException">The rows are narrower than the map's fields, or the values are not a
    /// whole number of rows.</exception>
    public void Apply(Span<float> rows, int rowWidth)
    {
        if (rowWidth < RowWidth || rows.Length % rowWidth != 0)
            throw new ArgumentException(
                $"{rows.Length} values are not whole rows of {rowWidth} ids, or rows of {rowWidth} ids are " +
                $"narrower than the {RowWidth} fields the rare-id map covers.", nameof(rows));
        for (int start = 0; start < rows.Length; start += rowWidth)
        {
            for (int f = 0; f < FieldCount; f++)
            {
                ref float value = ref rows[start + FirstField + f];
                int id = (int)value;
                if (id == value && IsRare(f, id)) value = HashBuckets;
            }
        }
    }

    /// <summary>The map in its saved layout (see the class remarks).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderSize + _rare.Length + TrailerSize];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), FirstField);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), FieldCount);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), HashBuckets);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), MinCount);
        _rare.CopyTo(bytes.AsSpan(HeaderSize));
        int body = bytes.Length - TrailerSize;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(body), Crc32.Append(0, bytes.AsSpan(0, body)));
        return bytes;
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote, checking its sizes against its length and its CRC.</summary>
    /// <param name="bytes">The saved map.</param>
    /// <param name="source">Where the bytes come from (a model file), for error messages.</param>
    /// <exception cref="InvalidDataException">The map is truncated, padded, corrupt or describes impossible sizes;
    /// the message names <paramref name="source"/> and what is wrong.</exception>
    public static RareIdMap FromBytes(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < HeaderSize + TrailerSize || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic)
            throw Error(source, $"its {bytes.Length} bytes do not start with a rare-id map header (magic 'RIM1').");
        int firstField = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
        int fieldCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        int buckets = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        int minCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        if (firstField < 0 || fieldCount < 1 || buckets < 2 || minCount < 2)
            throw Error(source, $"the header declares first field {firstField}, {fieldCount} fields, {buckets} " +
                $"buckets and minimum count {minCount}; expected ≥ 0, ≥ 1, ≥ 2 and ≥ 2.");
        long expected = HeaderSize + (long)fieldCount * ((buckets + 7L) / 8) + TrailerSize;
        if (bytes.Length != expected)
            throw Error(source, $"the header declares {fieldCount} fields of {buckets} buckets, which take " +
                $"{expected} bytes, but the map has {bytes.Length} (truncated or padded).");
        int body = bytes.Length - TrailerSize;
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[body..]);
        uint actual = Crc32.Append(0, bytes[..body]);
        if (stored != actual)
            throw Error(source, $"its CRC-32 is {actual:x8} but it records {stored:x8}: the map is corrupt.");
        var map = new RareIdMap(bytes[HeaderSize..body].ToArray(), firstField, fieldCount, buckets, minCount);
        for (int f = 0; f < fieldCount; f++)
        {
            if (map.IsRare(f, 0))
                throw Error(source, $"it marks id 0 (missing) of hashed field {f} rare, which training never does.");
            for (int id = buckets; id < map.BytesPerField * 8; id++)
            {
                if ((map._rare[f * map.BytesPerField + (id >> 3)] & (1 << (id & 7))) != 0)
                    throw Error(source, $"hashed field {f} flags id {id}, past its {buckets} buckets.");
            }
        }
        return map;
    }

    private static InvalidDataException Error(string source, string what) =>
        new($"'{source}': the saved rare-id map is not valid: {what}");
}
