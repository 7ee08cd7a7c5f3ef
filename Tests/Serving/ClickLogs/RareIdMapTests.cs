using System.Buffers.Binary;
using RocketNet.Serving;
using RocketNet.Serving.ClickLogs;
using Xunit;

namespace RocketNet.Tests.Serving.ClickLogs;

/// <summary>
/// <see cref="RareIdMap"/> and <see cref="ClickLogPreprocessor"/>: the saved map reads back to the same mapping,
/// mapping is idempotent on float rows, and a truncated, padded or corrupt map is refused naming what is wrong.
/// </summary>
public sealed class RareIdMapTests
{
    // Two hashed fields after one integer field, 13 buckets (a partial last byte); counts chosen per id.
    private static RareIdMap SmallMap() => RareIdMap.FromCounts(firstField: 1, minCount: 3,
        [[9, 0, 1, 2, 3, 4, 0, 0, 5, 5, 1, 3, 2], [0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0]]);

    [Fact]
    public void IdsCountedFewerThanTheMinimumAreRareExceptMissing()
    {
        var map = SmallMap();
        int[] expectedRare = [1, 2, 3, 6, 7, 10, 12]; // counts < 3, id 0 excluded
        for (int id = 0; id < 13; id++) Assert.Equal(expectedRare.Contains(id), map.IsRare(0, id));
        Assert.False(map.IsRare(1, 0)); // missing, though counted 0 times
        Assert.True(map.IsRare(1, 12));
        Assert.Equal(expectedRare.Length + 1, map.RareIdCount);
        int[] row = [5, 3, 12];
        map.Apply(row);
        Assert.Equal([5, 13, 13], row); // the integer field is left alone
        Assert.Equal([7, 14, 14], map.VocabularySizes([7, 13, 13]));
    }

    [Fact]
    public void TheSavedMapReadsBackToTheSameMapping()
    {
        var map = SmallMap();
        var back = RareIdMap.FromBytes(map.ToBytes(), "model.safetensors");
        Assert.Equal((1, 2, 13, 3), (back.FirstField, back.FieldCount, back.HashBuckets, back.MinCount));
        for (int f = 0; f < 2; f++)
            for (int id = 0; id < 13; id++) Assert.Equal(map.IsRare(f, id), back.IsRare(f, id));
        Assert.Equal(map.ToBytes(), back.ToBytes());
    }

    [Fact]
    public void MappingFloatRowsIsIdempotentAndLeavesOtherValues()
    {
        var map = SmallMap();
        // Two rows of 4 values (one more than the map covers): hashed ids, the rare id, out-of-range values.
        float[] rows = [5, 1, 4, 1, 9, 13, 12, 2.5f];
        map.Apply(rows, rowWidth: 4);
        Assert.Equal([5, 13, 4, 1, 9, 13, 13, 2.5f], rows);
        float[] again = (float[])rows.Clone();
        map.Apply(again, rowWidth: 4);
        Assert.Equal(rows, again);
        Assert.Throws<ArgumentException>(() => map.Apply(new float[6], rowWidth: 4)); // not whole rows
        Assert.Throws<ArgumentException>(() => map.Apply(new float[4], rowWidth: 2)); // narrower than the map
    }

    [Fact]
    public void ATruncatedPaddedOrCorruptMapIsRefused()
    {
        byte[] saved = SmallMap().ToBytes();
        Assert.Contains("truncated or padded", Refused(saved[..^1]));
        Assert.Contains("truncated or padded", Refused([.. saved, 0]));
        Assert.Contains("do not start with a rare-id map header", Refused(saved[..10]));
        byte[] flipped = (byte[])saved.Clone();
        flipped[21] ^= 0x10;
        Assert.Contains("the map is corrupt", Refused(flipped));
        // Structurally impossible maps with a valid CRC: id 0 rare, a flag past the buckets, a negative field count.
        Assert.Contains("id 0 (missing) of hashed field 0", Refused(WithCrc(saved, b => b[20] |= 1)));
        Assert.Contains("flags id 13, past its 13 buckets", Refused(WithCrc(saved, b => b[21] |= 0x20)));
        Assert.Contains("-2 fields", Refused(WithCrc(saved, b => BinaryPrimitives.WriteInt32LittleEndian(
            b.AsSpan(8), -2))));
    }

    [Fact]
    public void ThePreprocessingCarriesTheMapAndChecksItAgainstTheFields()
    {
        var map = SmallMap();
        var preprocessing = new ClickLogPreprocessor("criteo", [7, 14, 14], 13, map);
        var back = ClickLogPreprocessor.FromJson(preprocessing.ToJson(), "m.safetensors");
        Assert.Equal(("criteo", 3, 13), (back.Layout, back.RowWidth, back.HashBuckets));
        Assert.Equal(map.ToBytes(), back.RareIds!.ToBytes());
        Assert.Null(ClickLogPreprocessor.FromJson(new ClickLogPreprocessor("avazu", [7, 13], 13, null).ToJson(), "m")
            .RareIds);
        // A map whose fields do not have the rare id in the model's vocabulary does not describe this model.
        string json = preprocessing.ToJson().Replace("[7,14,14]", "[7,13,14]", StringComparison.Ordinal);
        Assert.Contains("do not match", Assert.Throws<InvalidDataException>(
            () => ClickLogPreprocessor.FromJson(json, "m.safetensors")).Message);
        string notBase64 = preprocessing.ToJson()
            .Replace("\"RareIds\":\"", "\"RareIds\":\"*", StringComparison.Ordinal);
        Assert.Contains("not base64url", Assert.Throws<InvalidDataException>(
            () => ClickLogPreprocessor.FromJson(notBase64, "m.safetensors")).Message);
        Assert.Throws<ArgumentException>(() => new ClickLogPreprocessor("criteo", [7, 14, 14], 12, map));
    }

    private static string Refused(byte[] bytes)
    {
        var error = Assert.Throws<InvalidDataException>(() => RareIdMap.FromBytes(bytes, "model.safetensors"));
        Assert.Contains("'model.safetensors': the saved rare-id map is not valid", error.Message);
        return error.Message;
    }

    // The bytes changed by edit, with the CRC recomputed so that only the structural checks can refuse them.
    private static byte[] WithCrc(byte[] saved, Action<byte[]> edit)
    {
        byte[] bytes = (byte[])saved.Clone();
        edit(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.Append(0, bytes.AsSpan(0,
            bytes.Length - 4)));
        return bytes;
    }
}
