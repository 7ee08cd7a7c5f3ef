using RocketNet.Training.Data;

namespace RocketNet.Training.Rocket;

/// <summary>
/// Mini-batches over an in-memory <see cref="Dataset"/>, in a seeded random order per epoch (the order of
/// epoch e depends only on the seed and e, so a resumed run sees the same batches) or in dataset order.
/// </summary>
public sealed class DatasetBatches : IBatchSource
{
    private readonly int[] _order;

    /// <summary>Creates the source.</summary>
    /// <param name="data">The samples.</param>
    /// <param name="batchSize">Samples per batch (the last batch may be smaller unless <paramref name="dropLast"/>).</param>
    /// <param name="seed">Seed of the per-epoch shuffles.</param>
    /// <param name="shuffle">Whether to shuffle each epoch (false: dataset order).</param>
    /// <param name="dropLast">Whether to skip a final incomplete batch.</param>
    /// <exception cref="ArgumentException">The dataset is empty, or has fewer samples than one batch with <paramref name="dropLast"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    public DatasetBatches(Dataset data, int batchSize, ulong seed, bool shuffle = true, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
        if (data.Count == 0) throw new ArgumentException($"Dataset '{data.Name}' is empty.", nameof(data));
        if (dropLast && data.Count < batchSize)
            throw new ArgumentException($"Dataset '{data.Name}' has {data.Count} samples, fewer than one batch of {batchSize} (dropLast).", nameof(data));
        (Data, BatchSize, Seed, Shuffle, DropLast) = (data, batchSize, seed, shuffle, dropLast);
        _order = new int[data.Count];
    }

    /// <summary>The samples.</summary>
    public Dataset Data { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Seed of the shuffles.</summary>
    public ulong Seed { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether a final incomplete batch is skipped.</summary>
    public bool DropLast { get; }

    /// <inheritdoc/>
    public int BatchesPerEpoch => DropLast ? Data.Count / BatchSize : (Data.Count + BatchSize - 1) / BatchSize;

    /// <summary>The sample order of <paramref name="epoch"/>.</summary>
    public int[] Order(int epoch)
    {
        var order = new int[Data.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        if (Shuffle)
        {
            // A distinct stream per epoch: golden-ratio stride keeps (seed, epoch) pairs apart.
            ulong mixed = unchecked(Seed + 0x9E3779B97F4A7C15UL * (ulong)(epoch + 1));
            new RandomGenerator(mixed).Shuffle(order.AsSpan());
        }
        return order;
    }

    /// <inheritdoc/>
    public IEnumerable<(Tensor Input, int[] Labels)> Batches(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Epoch must be non-negative.");
        return Enumerate(Order(epoch));
    }

    private IEnumerable<(Tensor Input, int[] Labels)> Enumerate(int[] order)
    {
        int batches = BatchesPerEpoch;
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, count = Math.Min(BatchSize, order.Length - start);
            yield return BatchAssembly.Gather(Data, order.AsSpan(start, count));
        }
    }
}
