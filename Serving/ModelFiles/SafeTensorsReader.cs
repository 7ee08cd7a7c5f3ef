using System.Security.Cryptography;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using RocketNet.Shapes;

namespace RocketNet.Serving;

/// <summary>The tensors and metadata of a safetensors file.</summary>
/// <param name="Tensors">Floating-point arrays by name, as float32.</param>
/// <param name="Metadata">The <c>__metadata__</c> string map (empty if absent).</param>
/// <param name="Skipped">Integer and boolean tensors that were not loaded (e.g. PyTorch's batch-norm
/// <c>num_batches_tracked</c> counters), as "name (dtype)".</param>
public sealed record SafeTensorsContent(IReadOnlyDictionary<string, NamedArray> Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string>? Skipped = null)
{
    /// <summary>The skipped tensors (never null).</summary>
    public IReadOnlyList<string> SkippedTensors => Skipped ?? [];
}

/// <summary>
/// Reads safetensors files (RocketNet's own, see <see cref="SafeTensorsWriter"/>, and PyTorch's
/// <c>safetensors.torch.save_file</c>), validating the whole structure: header length within the file, valid JSON
/// object, known dtype, shape matching the byte range, byte ranges inside the data, contiguous and not overlapping,
/// and no truncated or trailing data. F32 tensors load as they are; F64, F16 and BF16 are converted to float32
/// (F64 rounds to nearest; F16 and BF16 convert exactly); integer and boolean tensors are skipped and listed in
/// <see cref="SafeTensorsContent.Skipped"/>; 8-bit floats are refused.
/// </summary>
public static class SafeTensorsReader
{
    /// <summary>The reserved header key of the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>
    /// Metadata key under which <see cref="SafeTensorsWriter"/> records the SHA-256 of the tensor data (lower-case
    /// hex). Files that carry it are verified on load; files from other writers (e.g. PyTorch) do not and are not.
    /// A file whose metadata says it is a RocketNet checkpoint must carry it (see
    /// <see cref="AllowUnverifiedVariable"/>).
    /// </summary>
    public const string ChecksumKey = "rocketnet.data_sha256";

    /// <summary>
    /// Environment variable that, set to 1, loads RocketNet checkpoints without a checksum (files written before
    /// checksums existed) instead of refusing them. A damaged header can drop the key as easily as the data can
    /// change, so the default is to refuse.
    /// </summary>
    public const string AllowUnverifiedVariable = "ROCKETNET_ALLOW_UNVERIFIED_CHECKPOINTS";

    private const long MaxHeaderLength = 100_000_000; // the reference implementation's limit

    private static readonly HashSet<string> KnownDtypes =
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
            "F64", "I64", "U64"];

    /// <summary>Loads every tensor and the metadata of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the file and what is wrong
    /// where.</exception>
    public static SafeTensorsContent Load(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = file.Length;
        if (fileLength < 8)
            throw Error(path, "byte offset 0",
                $"the file has {fileLength} bytes, fewer than the 8-byte header length.");
        Span<byte> lengthBytes = stackalloc byte[8];
        file.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8) || headerLength > MaxHeaderLength)
            throw Error(path, "byte offset 0",
                $"header length {headerLength} exceeds the {fileLength - 8} bytes after the length field" +
                (path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || lengthBytes[0] == 0x08
                    ? "; this looks like an ONNX model, which RocketNet writes for other runtimes but reads " +
                      "only as safetensors (give the .safetensors checkpoint or export)."
                    : ": not a safetensors file."));
        var header = new byte[headerLength];
        file.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        var (entries, metadata) = ParseHeader(header, path);
        CheckLayout(entries, dataLength, dataStart, path);
        if (!metadata.ContainsKey(ChecksumKey) && metadata.TryGetValue("format", out var format)
            && format == Checkpoint.FormatName && Environment.GetEnvironmentVariable(AllowUnverifiedVariable) != "1")
            throw Error(path, "the header",
                $"it says it is a {Checkpoint.FormatName} file but carries no '{ChecksumKey}' checksum of its tensor " +
                "data, so corrupt data could not be told from good (the key's name is damaged, or the file was " +
                $"written before checksums). Set {AllowUnverifiedVariable}=1 to load it unverified.");

        var tensors = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        var skipped = new List<string>();
        using var hash = metadata.ContainsKey(ChecksumKey)
            ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        foreach (var entry in entries.OrderBy(e => e.Begin))
        {
            file.Position = dataStart + entry.Begin;
            if (!IsFloat(entry.Dtype))
            {
                skipped.Add($"{entry.Name} ({entry.Dtype})");
                if (hash is not null)
                {
                    var ignored = new byte[entry.End - entry.Begin];
                    file.ReadExactly(ignored);
                    hash.AppendData(ignored);
                }
                continue;
            }
            var values = new float[(entry.End - entry.Begin) / ElementSize(entry.Dtype)];
            if (entry.Dtype == "F32")
            {
                var bytes = MemoryMarshal.AsBytes(values.AsSpan());
                file.ReadExactly(bytes);
                hash?.AppendData(bytes);
                if (!BitConverter.IsLittleEndian)
                    for (int i = 0; i < values.Length; i++)
                        values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            }
            else
            {
                var raw = new byte[entry.End - entry.Begin];
                file.ReadExactly(raw);
                hash?.AppendData(raw);
                ConvertToSingle(entry.Dtype, raw, values);
            }
            tensors[entry.Name] = new NamedArray(entry.Shape, values);
        }
        if (hash is not null)
        {
            string actual = System.Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(actual, metadata[ChecksumKey], StringComparison.OrdinalIgnoreCase))
                throw Error(path, $"byte offset {dataStart}",
                    $"the tensor data does not match the checksum in the header (SHA-256 {actual}, recorded " +
                    $"{metadata[ChecksumKey]}): the file is corrupt.");
        }
        return new SafeTensorsContent(tensors, metadata, skipped);
    }

    private sealed record Entry(string Name, int[] Shape, long Begin, long End, string Dtype);

    private static bool IsFloat(string dtype) => dtype is "F32" or "F64" or "F16" or "BF16";

    private static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        _ => 1,
    };

    // Little-endian raw values of dtype → float32.
    private static void ConvertToSingle(string dtype, ReadOnlySpan<byte> raw, Span<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = dtype switch
            {
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw.Slice(i * 8, 8)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(i * 2, 2)),
                // BF16 is the upper half of a float32.
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(i * 2, 2)) << 16),
            };
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(byte[] header, string path)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
            throw Error(path, "byte offset 8", "the header must be a JSON object starting with '{'.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw Error(path, $"header line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}",
                $"the header is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                        throw Error(path, $"header key '{property.Name}'", "the key appears twice.");
                    if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, path);
                    else entries.Add(ReadEntry(property.Name, property.Value, path));
                }
            }
            catch (InvalidOperationException e)
            {
                // System.Text.Json parses invalid UTF-8 inside strings and fails only when a string is read.
                throw Error(path, "byte offset 8", $"the header holds text that is not valid UTF-8 ({e.Message}).");
            }
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(path, $"header key '{MetadataKey}'", "metadata must be an object of strings.");
        foreach (var item in element.EnumerateObject())
            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()!
                : throw Error(path, $"metadata key '{item.Name}'",
                    $"metadata values must be strings, got {item.Value.ValueKind}.");
    }

    private static Entry ReadEntry(string name, JsonElement element, string path)
    {
        string where = $"tensor '{name}'";
        if (element.ValueKind != JsonValueKind.Object)
            throw Error(path, where, "the entry must be an object with dtype, shape and data_offsets.");
        if (!element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Error(path, where, "'dtype' is missing or not a string.");
        string dtype = dtypeElement.GetString()!;
        if (!KnownDtypes.Contains(dtype)) throw Error(path, where, $"unknown dtype '{dtype}'.");
        if (dtype.StartsWith("F8", StringComparison.Ordinal))
            throw Error(path, where,
                $"dtype '{dtype}' (8-bit float) is not supported; RocketNet reads F32, F64, F16 and BF16 tensors " +
                "(integer tensors are skipped).");
        var shape = ReadIntegers(element, "shape", where, path).Select(d =>
            d is >= 0 and <= int.MaxValue
                ? (int)d : throw Error(path, where, $"shape dimension {d} is out of range.")).ToArray();
        var offsets = ReadIntegers(element, "data_offsets", where, path);
        if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            throw Error(path, where, $"data_offsets [{string.Join(", ", offsets)}] must be two numbers begin ≤ end.");
        long elements = 1;
        if (!shape.Contains(0))
        {
            foreach (int d in shape)
            {
                // Checked against the largest array, so a product that would wrap around can never pass as a small one.
                if (elements > Array.MaxLength / d)
                    throw Error(path, where,
                        $"shape {ShapeMath.Format(shape)} has more elements than one array can " +
                        $"hold ({Array.MaxLength}).");
                elements *= d;
            }
        }
        else elements = 0;
        long bytes = ElementSize(dtype) * elements;
        if (offsets[1] - offsets[0] != bytes)
            throw Error(path, where,
                $"shape {ShapeMath.Format(shape)} needs {bytes} bytes of {dtype} but data_offsets [{offsets[0]}, " +
                $"{offsets[1]}] span {offsets[1] - offsets[0]}.");
        return new Entry(name, shape, offsets[0], offsets[1], dtype);
    }

    private static long[] ReadIntegers(JsonElement element, string key, string where, string path)
    {
        if (!element.TryGetProperty(key, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Error(path, where, $"'{key}' is missing or not an array.");
        return array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long x) ? x
            : throw Error(path, where, $"'{key}' holds {v.GetRawText()}, expected non-negative integers.")).ToArray();
    }

    private static void CheckLayout(List<Entry> entries, long dataLength, long dataStart, string path)
    {
        // The byte buffer must be covered exactly: sorted ranges start at 0, each begins where the previous ends.
        long expected = 0;
        Entry? previous = null;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < expected)
                throw Error(path, $"tensor '{entry.Name}'",
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap tensor '{previous!.Name}' " +
                    $"[{previous.Begin}, {previous.End}].");
            if (entry.Begin > expected)
                throw Error(path, $"tensor '{entry.Name}'",
                    $"data_offsets begin at {entry.Begin} but the previous data ends at " +
                    $"{expected}: the data has a hole.");
            if (entry.End > dataLength)
                throw Error(path, $"tensor '{entry.Name}'",
                    $"data_offsets [{entry.Begin}, {entry.End}] reach file byte {dataStart + entry.End} but the file " +
                    $"has {dataStart + dataLength} bytes: the data is truncated.");
            expected = entry.End;
            previous = entry;
        }
        if (expected != dataLength)
            throw Error(path, $"byte offset {dataStart + expected}",
                $"{dataLength - expected} bytes after the last tensor's data are not described by the header.");
    }

    private static InvalidDataException Error(string path, string where, string problem) =>
        new($"Safetensors file '{path}': at {where}: {problem}");
}
