using RocketNet.Serving;
using System.Text;

namespace RocketNet.Training.Data;

/// <summary>
/// Reads CIFAR-10 in its binary layout — records of 1 label byte + 3072 pixel bytes (1024 red, 1024 green,
/// 1024 blue, each plane row-major 32×32) in <c>data_batch_1..5.bin</c> and <c>test_batch.bin</c>, class
/// names in <c>batches.meta.txt</c> — either straight from the official <c>cifar-10-binary.tar.gz</c>
/// (streamed through a forward-only tar parser, never extracted) or from an extracted folder.
/// </summary>
/// <remarks>
/// Samples have shape [3, 32, 32] with pixel values scaled from 0–255 to [0, 1]; normalisation (e.g.
/// <see cref="ChannelNormalizer.Cifar10"/>) is a separate step.
/// </remarks>
public static class Cifar10Reader
{
    /// <summary>Pixel bytes per image (3 × 32 × 32).</summary>
    public const int ImageSize = 3 * 32 * 32;

    /// <summary>Bytes per record: the label byte then the image.</summary>
    public const int RecordSize = 1 + ImageSize;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    private const int TrainBatchCount = 5;
    private const string TestBatchName = "test_batch.bin";
    private const string MetaName = "batches.meta.txt";

    /// <summary>
    /// Loads the training split (batches 1–5 in order) and the test split from <paramref name="path"/>: a
    /// <c>.tar.gz</c> / <c>.tar</c> archive, or a folder holding the <c>.bin</c> files (directly or in
    /// <c>cifar-10-batches-bin/</c>). Only the first <paramref name="maxRecordsPerSplit"/> records of each
    /// split are decoded (an archive stops being read once they are in), for fast tests and quick runs.
    /// </summary>
    /// <exception cref="InvalidDataException">A record is truncated, a label is not in [0, 10), the archive is corrupt
    /// or lacks a batch; the message names the file/entry and position.</exception>
    /// <exception cref="FileNotFoundException">The path, or a batch file in a folder, does not exist.</exception>
    public static (Dataset Train, Dataset Test) Load(string path, int maxRecordsPerSplit = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecordsPerSplit);
        var batches = Directory.Exists(path)
            ? ReadFolder(path, maxRecordsPerSplit)
            : ReadArchive(path, maxRecordsPerSplit);
        var train =
            Assemble("cifar10/train",
            Enumerable.Range(1, TrainBatchCount).Select(i => batches.Get($"data_batch_{i}.bin")),
            maxRecordsPerSplit, batches.ClassNames);
        var test = Assemble("cifar10/test", [batches.Get(TestBatchName)], maxRecordsPerSplit, batches.ClassNames);
        return (train, test);
    }

    /// <summary>The class names CIFAR-10 ships in <c>batches.meta.txt</c>, in label order.</summary>
    public static IReadOnlyList<string> DefaultClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    private static BatchSet ReadArchive(string path, int maxRecords)
    {
        using var stream = CompressedFile.OpenRead(path);
        var tar = new TarArchiveReader(stream, path);
        var set = new BatchSet(path);
        while (!set.IsComplete && tar.MoveNext())
        {
            if (!tar.IsFile) continue;
            string fileName = tar.EntryName[(tar.EntryName.LastIndexOf('/') + 1)..];
            if (fileName == MetaName)
            {
                if (tar.EntrySize > TarArchiveReader.MaxMetadataBytes)
                    throw DataFileErrors.At(tar.EntryData.FileName, "its tar header",
                        $"the class-name file declares {tar.EntrySize} bytes; ten class names take far less than " +
                        $"{TarArchiveReader.MaxMetadataBytes}.");
                var bytes = new byte[tar.EntrySize];
                tar.EntryData.ReadExactly(bytes, "the class names");
                set.ClassNames = ParseClassNames(Encoding.UTF8.GetString(bytes), tar.EntryData.FileName);
            }
            else if (BatchSet.IsBatchName(fileName))
            {
                set.Add(fileName, ReadRecords(tar.EntryData, tar.EntrySize, maxRecords));
            }
        }
        return set;
    }

    private static BatchSet ReadFolder(string folder, int maxRecords)
    {
        string nested = Path.Combine(folder, "cifar-10-batches-bin");
        if (!File.Exists(Path.Combine(folder, TestBatchName)) && Directory.Exists(nested)) folder = nested;
        var set = new BatchSet(folder);
        foreach (string name in BatchSet.BatchNames)
        {
            string file = Path.Combine(folder, name);
            if (!File.Exists(file))
                throw new FileNotFoundException($"CIFAR-10 folder '{folder}' has no '{name}'.", file);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16,
                FileOptions.SequentialScan);
            set.Add(name, ReadRecords(new PositionedReader(stream, file), stream.Length, maxRecords));
        }
        string meta = Path.Combine(folder, MetaName);
        if (File.Exists(meta)) set.ClassNames = ParseClassNames(File.ReadAllText(meta), meta);
        return set;
    }

    /// <summary>
    /// Reads up to <paramref name="maxRecords"/> raw records from a batch of <paramref name="size"/> bytes.
    /// </summary>
    private static byte[] ReadRecords(PositionedReader reader, long size, int maxRecords)
    {
        long whole = size / RecordSize;
        if (size % RecordSize != 0 && maxRecords > whole)
            throw DataFileErrors.At(reader.FileName, $"record {whole} (byte offset {whole * RecordSize})",
                $"truncated record: the batch holds {size} bytes, not a whole number of {RecordSize}-byte records.");
        int take = (int)Math.Min(whole, maxRecords);
        long start = reader.Offset;
        // The tar header's size does not size the allocation: the records are read as they arrive.
        var records = reader.ReadDeclaredRecords(take, RecordSize, "CIFAR-10");
        for (int r = 0; r < take; r++)
        {
            byte label = records[r * RecordSize];
            if (label >= ClassCount)
                throw DataFileErrors.At(reader.FileName, $"record {r} (byte offset {start + (long)r * RecordSize})",
                    $"label {label} is outside [0, {ClassCount}).");
        }
        return records;
    }

    private static string[] ParseClassNames(string text, string file)
    {
        var names = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != ClassCount)
            throw DataFileErrors.At(file, "its end",
                $"{names.Length} class names found, expected {ClassCount} (one per line).");
        return names;
    }

    private static Dataset Assemble(string name, IEnumerable<byte[]> batches, int maxRecords, string[]? classNames)
    {
        var parts = batches.ToList();
        int count = (int)Math.Min(parts.Sum(b => (long)b.Length / RecordSize), maxRecords);
        var features = new float[(long)count * ImageSize];
        var labels = new int[count];
        int i = 0;
        foreach (var part in parts)
        {
            for (int r = 0; r < part.Length / RecordSize && i < count; r++, i++)
            {
                var record = part.AsSpan(r * RecordSize, RecordSize);
                labels[i] = record[0];
                var pixels = record[1..];
                var destination = features.AsSpan(i * ImageSize, ImageSize);
                for (int p = 0; p < ImageSize; p++) destination[p] = pixels[p] / 255f;
            }
        }
        return new Dataset(name, features, labels, [3, 32, 32], ClassCount, classNames ?? [.. DefaultClassNames]);
    }

    /// <summary>The batches found so far, by file name.</summary>
    private sealed class BatchSet(string source)
    {
        public static readonly string[] BatchNames =
            [.. Enumerable.Range(1, TrainBatchCount).Select(i => $"data_batch_{i}.bin"), TestBatchName];

        private readonly Dictionary<string, byte[]> _batches = new(StringComparer.Ordinal);

        public string[]? ClassNames { get; set; }

        public bool IsComplete => _batches.Count == BatchNames.Length && ClassNames is not null;

        public static bool IsBatchName(string fileName) => BatchNames.Contains(fileName);

        public void Add(string fileName, byte[] records) => _batches[fileName] = records;

        public byte[] Get(string fileName) => _batches.TryGetValue(fileName, out var records)
            ? records
            : throw new InvalidDataException(
                $"File '{source}': no CIFAR-10 batch '{fileName}' was found (expected " +
                $"cifar-10-batches-bin/{fileName}).");
    }
}
