using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// A temporary folder for generated data files, deleted on dispose, with writers for the formats under test.
/// </summary>
public sealed class DataTestFiles : IDisposable
{
    public DataTestFiles() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "rocketnet-data-" + Guid.NewGuid().ToString("N"));

    public string PathOf(string name) => Path.Combine(Root, name);

    public string Write(string name, byte[] content, bool gzip = false)
    {
        string path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, gzip ? Gzip(content) : content);
        return path;
    }

    public string WriteText(string name, string text, bool gzip = false) =>
        Write(name, Encoding.UTF8.GetBytes(text), gzip);

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest)) gzip.Write(content);
        return buffer.ToArray();
    }

    /// <summary>
    /// An IDX file: magic 0x00000800 | ndims with the given type byte, big-endian dimensions, then the payload.
    /// </summary>
    public static byte[] Idx(int magic, int[] dimensions, byte[] payload)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dimensions[i]);
        payload.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    /// <summary>CIFAR records whose label is i % 10 and whose pixels are (i + p) % 256.</summary>
    public static byte[] CifarRecords(int count, int firstIndex)
    {
        var bytes = new byte[count * 3073];
        for (int r = 0; r < count; r++)
        {
            int i = firstIndex + r;
            bytes[r * 3073] = (byte)(i % 10);
            for (int p = 0; p < 3072; p++) bytes[r * 3073 + 1 + p] = (byte)((i + p) % 256);
        }
        return bytes;
    }

    /// <summary>
    /// A minimal POSIX ustar archive: one 512-byte header per file, data padded to 512, two zero blocks.
    /// </summary>
    public static byte[] Tar(IEnumerable<(string Name, byte[] Data)> entries)
    {
        using var tar = new MemoryStream();
        foreach (var (name, data) in entries)
        {
            var header = new byte[512];
            Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
            Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
            Encoding.ASCII.GetBytes("0001750\0").CopyTo(header, 108);
            Encoding.ASCII.GetBytes("0001750\0").CopyTo(header, 116);
            Encoding.ASCII.GetBytes(Convert.ToString(data.Length, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
            Encoding.ASCII.GetBytes("14723266030\0").CopyTo(header, 136);
            header[156] = (byte)'0';
            Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
            for (int i = 148; i < 156; i++) header[i] = (byte)' ';
            int sum = header.Sum(b => b);
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
            tar.Write(header);
            tar.Write(data);
            tar.Write(new byte[(512 - data.Length % 512) % 512]);
        }
        tar.Write(new byte[1024]);
        return tar.ToArray();
    }

    /// <summary>
    /// The entries of a CIFAR-10 archive with <paramref name="perBatch"/> records per batch, in a scrambled order like
    /// the official file.
    /// </summary>
    public static List<(string Name, byte[] Data)> CifarEntries(int perBatch, string? meta = null)
    {
        const string dir = "cifar-10-batches-bin/";
        var entries = new List<(string, byte[])> { (dir, []) };
        foreach (int b in new[] { 4, 5, 2 })
            entries.Add(($"{dir}data_batch_{b}.bin", CifarRecords(perBatch, (b - 1) * perBatch)));
        entries.Add(
            ($"{dir}batches.meta.txt", Encoding.ASCII.GetBytes(meta ?? "c0\nc1\nc2\nc3\nc4\nc5\nc6\nc7\nc8\nc9\n\n")));
        foreach (int b in new[] { 1, 3 })
            entries.Add(($"{dir}data_batch_{b}.bin", CifarRecords(perBatch, (b - 1) * perBatch)));
        entries.Add(($"{dir}test_batch.bin", CifarRecords(perBatch, 1000)));
        return entries;
    }
}
