using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using RocketNet.Serving;
using RocketNet.Tests.Training.Data;
using Xunit;

namespace RocketNet.Tests.Serving;

public class SafeTensorsTests
{
    /// <summary>A file from raw parts: 8-byte length (or an override), header text, data bytes.</summary>
    private static byte[] RawFile(string header, byte[] data, ulong? headerLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static Dictionary<string, NamedArray> Sample() => new()
    {
        ["b.weight"] = new NamedArray([2, 3], [1, 2, 3, 4, 5, 6]),
        ["a"] = NamedArray.Vector([-1.5f]),
        ["scalar"] = new NamedArray([], [7]),
        ["empty"] = new NamedArray([0, 4], []),
    };

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("model.safetensors");
        SafeTensorsWriter.Save(path, Sample(), new Dictionary<string, string> { ["note"] = "ünïcode \"quoted\"" });
        var content = SafeTensorsReader.Load(path);
        Assert.Equal(4, content.Tensors.Count);
        Assert.Equal(new[] { 2, 3 }, content.Tensors["b.weight"].Shape);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, content.Tensors["b.weight"].Values);
        Assert.Empty(content.Tensors["scalar"].Shape);
        Assert.Equal(7f, content.Tensors["scalar"].ToTensor().Item());
        Assert.Empty(content.Tensors["empty"].Values);
        Assert.Equal("ünïcode \"quoted\"", content.Metadata["note"]);
    }

    [Fact]
    public void WrittenFilesFollowTheFormat()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("layout.safetensors");
        SafeTensorsWriter.Save(path, Sample(), new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + n) % 8); // data starts 8-byte aligned
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{", header);
        Assert.Matches(@"^\{.*\} *$", header); // padding, if any, is spaces after the JSON
        using var json = JsonDocument.Parse(header);
        Assert.Equal("v", json.RootElement.GetProperty("__metadata__").GetProperty("k").GetString());
        var entries = json.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")
            .Select(p =>
                (p.Name, Offsets: p.Value.GetProperty("data_offsets").EnumerateArray().Select(
                e => e.GetInt64()).ToArray(),
                Dtype: p.Value.GetProperty("dtype").GetString()))
            .OrderBy(e => e.Offsets[0]).ToList();
        long expected = 0;
        foreach (var e in entries)
        {
            Assert.Equal("F32", e.Dtype);
            Assert.Equal(expected, e.Offsets[0]);
            expected = e.Offsets[1];
        }
        Assert.Equal(bytes.Length - 8 - n, expected);
        var weight = entries.Single(e => e.Name == "b.weight");
        Assert.Equal(Floats(1, 2, 3, 4, 5, 6), bytes.AsSpan((int)(8 + n + weight.Offsets[0]), 24).ToArray());
    }

    [Fact]
    public void ReadsAHandWrittenFileWithMetadataLastAndPadding()
    {
        using var files = new DataTestFiles();
        string header =
            "{\"test\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}," +
            "\"__metadata__\":{\"format\":\"pt\"}}   ";
        string path = files.Write("hand.safetensors", RawFile(header, Floats(1, 2, 3, 4)));
        var content = SafeTensorsReader.Load(path);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, content.Tensors["test"].Values);
        Assert.Equal("pt", content.Metadata["format"]);
    }

    public static TheoryData<string, string, int, ulong?, string> MalformedFiles => new()
    {
        { "header length beyond the file", "{}", 0, 1000UL, "header length 1000" },
        { "not JSON", "{\"a\": [1, 2", 0, null, "not valid JSON" },
        { "not an object", "[1]", 0, null, "must be a JSON object" },
        { "unknown dtype", "{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, null,
            "unknown dtype 'F31'" },
        { "unsupported dtype", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, null,
            "'F8_E4M3' (8-bit float) is not supported" },
        { "F16 size mismatch", "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, null,
            "needs 4 bytes of F16" },
        { "shape/offset mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, null,
            "shape [3] needs 12 bytes" },
        { "truncated data", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12,
            null, "truncated" },
        { "overlap",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, null, "overlap tensor 'a'" },
        { "hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, null, "hole" },
        { "trailing bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, null,
            "4 bytes after the last tensor" },
        { "negative offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4, null,
            "data_offsets [-4, 0]" },
        { "metadata not strings", "{\"__metadata__\":{\"epoch\":3}}", 0, null, "metadata values must be strings" },
        { "shape wrapping 64 bits",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536,16],\"data_offsets\":[0,0]}}", 0, null,
            "more elements than one array" },
        { "duplicate key",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, null, "appears twice" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void MalformedFilesAreRejectedNamingFileAndPlace(string caseName, string header, int dataBytes,
        ulong? headerLength, string expected)
    {
        using var files = new DataTestFiles();
        string path = files.Write("broken.safetensors", RawFile(header, new byte[dataBytes], headerLength));
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Load(path));
        Assert.Contains("broken.safetensors", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(" at ", ex.Message);
        Assert.False(string.IsNullOrEmpty(caseName));
    }

    [Fact]
    public void FileShorterThanTheLengthFieldIsRejected()
    {
        using var files = new DataTestFiles();
        string path = files.Write("tiny.safetensors", [1, 2, 3]);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Load(path));
        Assert.Contains("tiny.safetensors': at byte offset 0", ex.Message);
    }

    [Fact]
    public void ReservedNamesCannotBeWritten()
    {
        using var files = new DataTestFiles();
        var tensors = new Dictionary<string, NamedArray> { ["__metadata__"] = NamedArray.Vector([1]) };
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(files.PathOf("x"), tensors));
        Assert.Empty(Directory.GetFiles(files.Root));
    }

    [Fact]
    public void OneFlippedBitInTheDataIsACorruptFileNotInfinity()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("flipped.safetensors");
        SafeTensorsWriter.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        // The exponent's top bit of the first float of the data section ("a" = -1.5 sorts first): -1.5 → -Infinity-like
        // garbage.
        bytes[8 + (int)headerLength + 3] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void WrittenFilesCarryTheirChecksumAndFilesWithoutOneStillLoad()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("sum.safetensors");
        SafeTensorsWriter.Save(path, Sample());
        Assert.Matches("^[0-9a-f]{64}$", SafeTensorsReader.Load(path).Metadata[SafeTensorsReader.ChecksumKey]);
        // A file from another writer (PyTorch's) has no checksum: nothing to verify, it loads.
        File.WriteAllBytes(path,
            RawFile("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Floats(1, 2)));
        Assert.Equal(new float[] { 1, 2 }, SafeTensorsReader.Load(path).Tensors["w"].Values);
        Assert.Throws<ArgumentException>(() => SafeTensorsWriter.Save(path, Sample(),
            new Dictionary<string, string> { [SafeTensorsReader.ChecksumKey] = "x" }));
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsACorruptFileNamingIt()
    {
        using var files = new DataTestFiles();
        var header = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"k\":\"v?\"}}");
        header[Array.IndexOf(header, (byte)'?')] = 0xFF; // not a UTF-8 byte anywhere
        var bytes = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        string path = files.Write("utf8.safetensors", bytes);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensorsReader.Load(path));
        Assert.Contains("utf8.safetensors", ex.Message);
    }
}
