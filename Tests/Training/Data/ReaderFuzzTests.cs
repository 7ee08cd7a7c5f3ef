using RocketNet.Serving;
using RocketNet.Tests.Serving;
using RocketNet.Training.Data;
using Xunit;
using Xunit.Abstractions;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// Seeded fuzzing of the file readers: valid files mutated (bit flips, truncations, inserted bytes, huge
/// values written over fields) must either load or fail with an <see cref="InvalidDataException"/> that names
/// the file, never another exception, and never allocate far beyond what the file could hold.
/// Set ROCKETNET_FUZZ_CASES for a longer local run (default 300 per reader).
/// </summary>
public class ReaderFuzzTests(ITestOutputHelper log)
{
    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("ROCKETNET_FUZZ_CASES"),
        out int n) && n > 0 ? n : 300;

    // One mutation of a valid file: the kinds a damaged download or a hostile file produces.
    internal static byte[] Mutate(byte[] valid, RandomGenerator random)
    {
        var bytes = (byte[])valid.Clone();
        switch (random.NextInt(5))
        {
            case 0: // flip 1-8 bits anywhere
                for (int k = 1 + random.NextInt(8); k > 0; k--)
                    bytes[random.NextInt(bytes.Length)] ^= (byte)(1 << random.NextInt(8));
                return bytes;
            case 1: // truncate
                return bytes[..random.NextInt(bytes.Length)];
            case 2: // insert random bytes
                {
                    int at = random.NextInt(bytes.Length + 1), count = 1 + random.NextInt(16);
                    var inserted = new byte[count];
                    for (int i = 0; i < count; i++) inserted[i] = (byte)random.NextInt(256);
                    return [.. bytes[..at], .. inserted, .. bytes[at..]];
                }
            case 3: // a huge or negative 32/64-bit value over a random aligned field, as both endiannesses write them
                {
                    int at = random.NextInt(Math.Max(1, bytes.Length - 8)) & ~3;
                    ulong value =
                        random.NextInt(3) switch { 0 => ulong.MaxValue, 1 => 0x7FFF_FFFF, _ => 0x0000_0100_0000_0000 };
                    for (int i = 0; i < 8 && at + i < bytes.Length; i++)
                        bytes[at + i] = (byte)(value >> (8 * (random.NextInt(2) == 0 ? i : 7 - i)));
                    return bytes;
                }
            default: // overwrite a run with one byte value
                {
                    int at = random.NextInt(bytes.Length), count = 1 + random.NextInt(32);
                    byte v = (byte)random.NextInt(256);
                    for (int i = at; i < Math.Min(bytes.Length, at + count); i++) bytes[i] = v;
                    return bytes;
                }
        }
    }

    private void Fuzz(string fileName, byte[] valid, Action<string> load, ulong seed)
    {
        using var files = new DataTestFiles();
        var random = new RandomGenerator(seed);
        int loaded = 0, refused = 0;
        for (int c = 0; c < Cases; c++)
        {
            var bytes = Mutate(valid, random);
            string path = files.Write(fileName, bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                load(path);
                loaded++;
            }
            catch (InvalidDataException e)
            {
                Assert.True(e.Message.Contains(path, StringComparison.Ordinal),
                    $"case {c}: the message does not name the file: {e.Message}");
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail(
                    $"case {c} ({bytes.Length} bytes): {e.GetType().Name} instead of " +
                    $"InvalidDataException: {e.Message}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64L * bytes.Length + (16 << 20),
                $"case {c}: {allocated:N0} bytes allocated for a {bytes.Length}-byte file");
        }
        log.WriteLine(
            $"{fileName}: {Cases} mutated files, {loaded} loaded, {refused} refused with " +
            "InvalidDataException naming the file");
        Assert.Equal(Cases, loaded + refused);
        Assert.True(refused > 0, "no mutation was refused: the fuzzer does not reach the checks");
    }

    [Fact]
    public void SafeTensorsFilesLoadOrAreRefusedNamingTheFile()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("valid.safetensors");
        Checkpoint.Save(path, new TinyModule(6, 4, seed: 3), "tiny-6-4", epoch: 2);
        Fuzz("fuzzed.safetensors", File.ReadAllBytes(path), p => SafeTensorsReader.Load(p), seed: 11);
    }

    [Fact]
    public void CheckpointsLoadOrAreRefusedNamingTheFile()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("valid.safetensors");
        Checkpoint.Save(path,
            RocketNet.Layers.ArchitectureRegistry.BuildPair("mlp in=5 shared=4 booster=6 light= classes=3",
            new RandomGenerator(1)),
            "mlp in=5 shared=4 booster=6 light= classes=3", epoch: 1);
        Fuzz("fuzzed.safetensors", File.ReadAllBytes(path), p => Checkpoint.Load(p), seed: 12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxImageFilesLoadOrAreRefusedNamingTheFile(bool gzip)
    {
        var pixels = Enumerable.Range(0, 6 * 5 * 4).Select(i => (byte)(i * 13)).ToArray();
        var valid = DataTestFiles.Idx(IdxReader.ImagesMagic, [6, 5, 4], pixels);
        if (gzip)
        {
            using var packed = new MemoryStream();
            using (var z = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal))
                z.Write(valid);
            valid = packed.ToArray();
        }
        Fuzz("fuzzed-images", valid, p => IdxReader.ReadImages(p), seed: gzip ? 13UL : 14UL);
    }

    [Fact]
    public void CifarArchivesLoadOrAreRefusedNamingTheFile() =>
        Fuzz("fuzzed.tar", DataTestFiles.Tar(DataTestFiles.CifarEntries(perBatch: 1)),
            p => Cifar10Reader.Load(p), seed: 15);

    [Fact]
    public void TicdataStyleCsvFilesLoadOrAreRefusedNamingTheFile()
    {
        // A small ticdata-shaped table: the real file's header and its first rows.
        string shared = Path.Combine("..", "..", "..", "..", "..", "shared", "data", "ctr", "ticdata.csv");
        if (!File.Exists(shared)) return; // the shared data folder is not on every machine
        var lines = File.ReadLines(shared).Take(120).ToList();
        lines.AddRange(File.ReadLines(shared).Skip(5823).Take(60));
        var valid = System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n");
        // Datasets.Ticdata's options, with the sample's 120 training rows in place of the file's 5,822.
        var options = new CategoricalCsvOptions
        {
            TargetColumn = "CARAVAN",
            PositiveValues = ["insurance", "1", "yes"],
            NegativeValues = ["noinsurance", "0", "no"],
            TrainingRows = 120,
        };
        Fuzz("fuzzed.csv", valid, p => CategoricalCsvReader.Read(p, options), seed: 16);
    }

    [Fact]
    public void CriteoFilesLoadOrAreRefusedNamingTheFile()
    {
        // The shared Criteo sample's first rows (tab-separated: label, 13 integers, 26 hashed categories).
        string shared = Path.Combine("..", "..", "..", "..", "..", "shared", "data", "ctr", "criteo_sample.txt");
        if (!File.Exists(shared)) return; // the shared data folder is not on every machine
        var valid = System.Text.Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(shared).Take(60)) + "\n");
        Fuzz("fuzzed.txt", valid,
            p => CriteoReader.ReadDataset(p, maxRows: 1000, new CriteoOptions { HashBuckets = 1000 }), seed: 17);
    }
}
