using System.Security.Cryptography;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace RocketNet.Serving;

/// <summary>
/// Writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON header <c>{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...],
/// "data_offsets": [begin, end]}, ...}</c> padded with spaces so the data starts 8-byte aligned, then the
/// tensors' raw little-endian float32 bytes, contiguous, in name order. Files open in PyTorch/NumPy via
/// the safetensors library.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>
    /// Saves <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/>, atomically (see
    /// remarks).
    /// </summary>
    /// <remarks>The data goes to a temporary file in the same directory which replaces <paramref name="path"/> only
    /// once fully written and flushed.</remarks>
    /// <exception cref="ArgumentException">A name is empty or "__metadata__".</exception>
    public static void Save(string path, IReadOnlyDictionary<string, NamedArray> tensors,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(path, tensors, metadata, wrap: null);

    /// <summary>
    /// As <see cref="Save(string, IReadOnlyDictionary{string, NamedArray}, IReadOnlyDictionary{string, string}?)"/>,
    /// with a stream wrapper for failure-injection tests.
    /// </summary>
    internal static void Save(string path, IReadOnlyDictionary<string, NamedArray> tensors,
        IReadOnlyDictionary<string, string>? metadata,
        Func<Stream, Stream>? wrap)
    {
        var names = tensors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();
        foreach (string name in names)
            if (name.Length == 0 || name == SafeTensorsReader.MetadataKey)
                throw new ArgumentException(
                    $"Tensor name '{name}' is not allowed in a safetensors file.", nameof(tensors));
        if (metadata is not null && metadata.ContainsKey(SafeTensorsReader.ChecksumKey))
            throw new ArgumentException(
                $"Metadata key '{SafeTensorsReader.ChecksumKey}' is written by the writer itself.", nameof(metadata));
        // The checksum of the tensor data goes into the header, so it is computed first (one extra read of the values).
        var withChecksum = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(),
            StringComparer.Ordinal)
        {
            [SafeTensorsReader.ChecksumKey] = DataChecksum(names, tensors),
        };
        byte[] header = BuildHeader(names, tensors, withChecksum);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (string name in names) WriteLittleEndian(stream, tensors[name].Span);
        }, wrap);
    }

    private static byte[] BuildHeader(string[] names, IReadOnlyDictionary<string, NamedArray> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsReader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (string name in names)
            {
                var array = tensors[name];
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in array.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += (long)array.Count * sizeof(float);
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        // Pad with spaces (allowed by the format) so 8 + N is a multiple of 8: the data starts aligned.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    // SHA-256 of the data section as written: each tensor's values as little-endian bytes, in file order.
    private static string DataChecksum(string[] names, IReadOnlyDictionary<string, NamedArray> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> four = stackalloc byte[4];
        foreach (string name in names)
        {
            var values = tensors[name].Span;
            if (BitConverter.IsLittleEndian) { hash.AppendData(MemoryMarshal.AsBytes(values)); continue; }
            foreach (float v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(four, v);
                hash.AppendData(four);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> four = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(four, v);
            stream.Write(four);
        }
    }
}
