using RocketNet.Serving.ClickLogs;
using RocketNet.Training.Rocket;

namespace RocketNet.Training.Data;

/// <summary>
/// Training batches streamed from click-log files of one layout (<see cref="ClickLogFiles"/>) in constant memory:
/// each epoch re-reads rows [0, <see cref="RowCount"/>) of the files in order (gzip decompressed on the fly) and
/// shuffles them locally through a buffer of <see cref="ShuffleBuffer"/> rows, so memory is the buffer and the
/// batch, whatever the size of the log.
/// <code>
/// var files = ClickLogFiles.Resolve("day_0.gz,day_1.gz");
/// var train = new ClickLogStream(files, new CriteoOptions(), batchSize: 1024, shuffleBuffer: 100_000, seed: 1);
/// trainer.Fit(train, validation);
/// </code>
/// </summary>
/// <remarks>
/// Shuffling: the buffer fills with the first K rows; after that each new row takes the place of a uniformly drawn
/// buffered row, which is emitted; at the end of the stream the rest of the buffer is emitted in a random order.
/// The order depends only on (seed, epoch), so a resumed run sees the same rows in the same order as an unbroken
/// one. K = 0 or 1 keeps the file order.
/// Ids are integers in the files' rows and become the batch tensor's floats only when a batch is filled; floats
/// hold every integer below 2^24 exactly, and the constructor rejects options with larger vocabularies.
/// Not thread-safe; one epoch should be enumerated at a time (epochs share the buffer).
/// </remarks>
public sealed class ClickLogStream : IBatchSource
{
    /// <summary>Largest vocabulary per field whose ids a float batch tensor holds exactly (2^24).</summary>
    public const int MaxExactVocabulary = 1 << 24;

    private readonly int _width;          // fields per row F (39 for Criteo)
    private readonly int[] _bufferIds;    // [K, F]
    private readonly int[] _bufferLabels; // [K]
    private readonly Tensor _fullInput;   // [B, F]
    private readonly int[] _fullLabels;
    private readonly Tensor? _lastInput;  // [RowCount mod B, F] when the last batch is partial and kept
    private readonly int[]? _lastLabels;

    /// <summary>Creates a stream over <paramref name="files"/>.</summary>
    /// <param name="files">The files, read in this order as one stream.</param>
    /// <param name="layout">How rows become ids (e.g. <see cref="CriteoOptions"/>).</param>
    /// <param name="batchSize">Rows per batch B.</param>
    /// <param name="shuffleBuffer">Rows K held for local shuffling (0 or 1: file order).</param>
    /// <param name="seed">Seed of the shuffling.</param>
    /// <param name="rowCount">Rows per epoch (the first ones of the stream), or null for all of them (counted
    /// here with one pass over the files). A count larger than the files hold makes the epoch throw.</param>
    /// <param name="rareIds">Frequency threshold applied to every row, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range, or a vocabulary exceeds
    /// <see cref="MaxExactVocabulary"/>.</exception>
    /// <exception cref="ArgumentException">No rows per epoch.</exception>
    public ClickLogStream(IReadOnlyList<string> files, IClickLogLayout layout, int batchSize, int shuffleBuffer,
        ulong seed, long? rowCount = null, RareIdMap? rareIds = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(shuffleBuffer);
        int[] vocabulary = rareIds?.VocabularySizes(layout.VocabularySizes()) ?? layout.VocabularySizes();
        if (vocabulary.Max() > MaxExactVocabulary)
            throw new ArgumentOutOfRangeException(nameof(layout),
                $"Click-log vocabularies of up to {vocabulary.Max()} ids ({layout.HashBuckets} hash buckets): ids " +
                $"travel in float tensors, exact only below {MaxExactVocabulary} per field.");
        if (rareIds is not null && (rareIds.RowWidth != layout.FieldCount || rareIds.HashBuckets != layout.HashBuckets))
            throw new ArgumentException(
                $"The rare-id map covers fields up to {rareIds.RowWidth} with {rareIds.HashBuckets} buckets; the " +
                $"{layout.Name} layout has {layout.FieldCount} fields and {layout.HashBuckets} buckets.",
                nameof(rareIds));
        long rows = rowCount ?? ClickLogFiles.CountRows(files, layout);
        if (rows <= 0)
            throw new ArgumentException(
                $"Click log {string.Join(", ", files)}: {rows} rows per epoch; expected at least one.",
                nameof(rowCount));
        Files = files;
        Layout = layout;
        _width = layout.FieldCount;
        RareIds = rareIds;
        BatchSize = batchSize;
        ShuffleBuffer = shuffleBuffer;
        Seed = seed;
        RowCount = rows;
        int remainder = (int)(rows % batchSize);
        long full = rows / batchSize;
        // Batch norm cannot train on a batch of one row: that row is skipped (another epoch puts it in a batch).
        bool keepLast = remainder > 1 || remainder == 1 && full == 0;
        long batches = full + (keepLast ? 1 : 0);
        BatchesPerEpoch = batches <= int.MaxValue ? (int)batches
            : throw new ArgumentOutOfRangeException(nameof(batchSize),
                $"{rows} rows in batches of {batchSize} make more than {int.MaxValue} batches per epoch.");
        RowsPerEpoch = full * batchSize + (keepLast ? remainder : 0);
        int buffered = (int)Math.Min(shuffleBuffer, rows);
        _bufferIds = new int[buffered * _width];
        _bufferLabels = new int[buffered];
        // The reusable batch tensors must outlive every step's scope, even if the stream is built inside one.
        using var unscoped = TensorScope.Unscoped();
        int fullSize = (int)Math.Min(batchSize, rows);
        _fullInput = Tensor.Zeros(fullSize, _width);
        _fullLabels = new int[fullSize];
        if (full > 0 && keepLast)
        {
            _lastInput = Tensor.Zeros(remainder, _width);
            _lastLabels = new int[remainder];
        }
    }

    /// <summary>The files, in stream order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>How rows become ids.</summary>
    public IClickLogLayout Layout { get; }

    /// <summary>Rows per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Frequency threshold applied to every row, or null.</summary>
    public RareIdMap? RareIds { get; }

    /// <summary>Rows held for local shuffling.</summary>
    public int ShuffleBuffer { get; }

    /// <summary>Seed of the shuffling.</summary>
    public ulong Seed { get; }

    /// <summary>Rows of the stream each epoch reads: rows [0, RowCount).</summary>
    public long RowCount { get; }

    /// <summary>Rows each epoch trains on (<see cref="RowCount"/> less a final single row, if any).</summary>
    public long RowsPerEpoch { get; }

    /// <inheritdoc />
    public int BatchesPerEpoch { get; }

    /// <inheritdoc />
    public IEnumerable<(Tensor Input, int[] Labels)> Batches(int epoch)
    {
        int filled = 0;
        long produced = 0;
        var input = _fullInput;
        var labels = _fullLabels;
        foreach (var (label, ids) in Rows(epoch))
        {
            if (produced == RowsPerEpoch) yield break;
            CopyIds(ids, input.Data.Slice(filled * _width, _width));
            labels[filled++] = label;
            produced++;
            if (filled < labels.Length) continue;
            yield return (input, labels);
            filled = 0;
            if (RowsPerEpoch - produced < BatchSize && _lastInput is not null)
                (input, labels) = (_lastInput, _lastLabels!);
        }
    }

    /// <summary>
    /// The rows of epoch <paramref name="epoch"/> in training order: (label, F ids). The id array is reused by
    /// the next row; copy what you keep.
    /// </summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row is invalid, or the files hold fewer rows
    /// than when the stream was created.</exception>
    public IEnumerable<(int Label, int[] Ids)> Rows(int epoch)
    {
        var random = new RandomGenerator(Seed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)epoch * 0xD1B54A32D192ED03UL);
        int capacity = _bufferLabels.Length;
        var emitted = new int[_width];
        int filled = 0;
        long read = 0;
        foreach (var row in ClickLogFiles.ReadRows(Files, Layout, RareIds))
        {
            if (read++ == RowCount) break;
            if (capacity <= 1)
            {
                yield return (row.Label, row.FieldIds);
                continue;
            }
            if (filled < capacity)
            {
                Store(filled++, row);
                continue;
            }
            int j = random.NextInt(capacity);
            yield return Take(j, emitted);
            Store(j, row);
        }
        if (read < RowCount)
            throw new InvalidDataException(
                $"Click log {string.Join(", ", Files)} ended after {read} rows; it had {RowCount} when training " +
                "started (were the files changed?).");
        // The rest of the buffer, in random order: swap a random remaining slot to the end and emit it.
        for (int left = filled; left > 0; left--)
        {
            int j = random.NextInt(left);
            var chosen = Take(j, emitted);
            if (j != left - 1)
            {
                _bufferLabels[j] = _bufferLabels[left - 1];
                _bufferIds.AsSpan((left - 1) * _width, _width).CopyTo(_bufferIds.AsSpan(j * _width, _width));
            }
            yield return chosen;
        }
    }

    // The one place ids become floats: exact, as the constructor keeps every id below 2^24.
    private static void CopyIds(int[] ids, Span<float> row)
    {
        for (int f = 0; f < row.Length; f++) row[f] = ids[f];
    }

    private void Store(int slot, ClickRow row)
    {
        _bufferLabels[slot] = row.Label;
        row.FieldIds.CopyTo(_bufferIds.AsSpan(slot * _width, _width));
    }

    private (int Label, int[] Ids) Take(int slot, int[] into)
    {
        _bufferIds.AsSpan(slot * _width, _width).CopyTo(into);
        return (_bufferLabels[slot], into);
    }
}
