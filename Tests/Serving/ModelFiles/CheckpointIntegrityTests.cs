using System.Buffers.Binary;
using System.Text;
using RocketNet.Serving;
using RocketNet.Tests.Training.Data;
using Xunit;

namespace RocketNet.Tests.Serving;

/// <summary>
/// A checkpoint must prove its data (issue 27): a file that says it is a RocketNet checkpoint but lost its checksum
/// key (one flipped bit in the key's name is enough) is refused, not loaded with whatever its data became.
/// </summary>
public class CheckpointIntegrityTests
{
    private static byte[] SavedCheckpoint(DataTestFiles files)
    {
        string path = files.PathOf("valid.safetensors");
        Checkpoint.Save(path, new TinyModule(6, 4, seed: 3), "tiny-6-4", epoch: 2);
        return File.ReadAllBytes(path);
    }

    // The file with `from` replaced by `to` in its JSON header (tensor offsets count from the data's start).
    private static byte[] WithHeaderText(byte[] file, string from, string to)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, headerLength);
        Assert.Contains(from, header);
        var replaced = Encoding.UTF8.GetBytes(header.Replace(from, to, StringComparison.Ordinal));
        var length = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)replaced.Length);
        return [.. length, .. replaced, .. file[(8 + headerLength)..]];
    }

    [Fact]
    public void ADamagedChecksumKeyPlusCorruptDataIsRefusedUnlessExplicitlyAllowed()
    {
        using var files = new DataTestFiles();
        var damaged = WithHeaderText(SavedCheckpoint(files), "rocketnet.data_sha256", "rocketnet.data_sha257");
        damaged[^3] ^= 0x40; // corrupt the last tensor value too
        string path = files.Write("damaged.safetensors", damaged);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("no 'rocketnet.data_sha256' checksum", e.Message);
        Assert.Contains(SafeTensorsReader.AllowUnverifiedVariable, e.Message);

        // The explicit opt-out, for files written before checksums existed.
        Environment.SetEnvironmentVariable(SafeTensorsReader.AllowUnverifiedVariable, "1");
        try
        {
            Assert.Equal(2, Checkpoint.Load(path).Epoch);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SafeTensorsReader.AllowUnverifiedVariable, null);
        }
    }

    [Fact]
    public void ANegativeEpochAndAnOnnxFileAreRefusedNamingTheFile()
    {
        using var files = new DataTestFiles();
        var valid = SavedCheckpoint(files);
        string negative = files.Write("negative.safetensors",
            WithHeaderText(valid, "\"epoch\":\"2\"", "\"epoch\":\"-1\""));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(negative));
        Assert.Contains(negative, e.Message);
        Assert.Contains("non-negative integer", e.Message);

        // An ONNX model begins with field 1 (ir_version, varint): 0x08, then the version.
        string onnx = files.Write("model.onnx", [0x08, 0x09, 0x12, 0x08, .. "rocketnet"u8, 0x3A, 0x05]);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(onnx));
        Assert.Contains(onnx, e.Message);
        Assert.Contains("looks like an ONNX model", e.Message);
    }
}
