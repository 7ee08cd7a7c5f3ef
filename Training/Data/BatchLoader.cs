namespace RocketNet.Training.Data;

/// <summary>
/// Cuts a <see cref="Dataset"/> into mini-batches: seeded shuffling per epoch (the same seed and epoch
/// always give the same order), optional dropping of the last partial batch, optional image
/// augmentation and per-channel normalisation.
/// <code>
/// var loader = new BatchLoader(train, batchSize: 128, seed: 1, augmentation: new ImageAugmentation());
/// foreach (var batch in loader.Epoch(epoch))
/// using (TensorScope.Begin()) { var loss = Functional.CrossEntropy(model.Forward(batch.Input), batch.Labels); ... }
/// </code>
/// </summary>
/// <remarks>
/// No big array is allocated per batch: one <see cref="Batch"/> (input tensor, label array) exists per
/// distinct batch size — at most two, the full size and the final partial one — created (unscoped) in
/// the constructor. Not thread-safe, and one epoch should be enumerated at a time (epochs share the
/// order buffer). It is the trainer's <see cref="Rocket.IBatchSource"/>.
/// </remarks>
public sealed class BatchLoader : Rocket.IBatchSource
{
    private readonly Batch _fullBatch;
    private readonly Batch? _lastBatch;
    private readonly int[] _order;

    /// <summary>
    /// True when <paramref name="count"/> samples in batches of <paramref name="batchSize"/> leave a final batch of
    /// one sample: batch norm cannot train on one value per channel, so callers drop that batch (shuffling puts the
    /// sample into a full batch in other epochs).
    /// </summary>
    public static bool LastBatchIsSingle(int count, int batchSize) => count > batchSize && count % batchSize == 1;

    /// <summary>Creates a loader.</summary>
    /// <param name="dataset">The samples to batch.</param>
    /// <param name="batchSize">Samples per batch B.</param>
    /// <param name="shuffle">Reorder the samples each epoch (seeded by <paramref name="seed"/> and the epoch).</param>
    /// <param name="seed">Seed of the shuffling and augmentation.</param>
    /// <param name="dropLast">Skip the final batch if it has fewer than B samples.</param>
    /// <param name="augmentation">Random crop/flip applied to each sample, or null.</param>
    /// <param name="normalizer">Per-channel normalisation applied after augmentation, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    /// <exception cref="ArgumentException">The dataset has no samples (or, with drop-last, fewer than one batch), or
    /// the augmentation/normaliser does not fit the sample shape.</exception>
    /// <exception cref="InvalidOperationException">Called inside a <see cref="TensorScope"/> (the reused tensors would
    /// be recycled by it).</exception>
    public BatchLoader(Dataset dataset, int batchSize, bool shuffle = true, ulong seed = 0, bool dropLast = false,
        ImageAugmentation? augmentation = null, ChannelNormalizer? normalizer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int full = dataset.Count / batchSize;
        int remainder = dataset.Count % batchSize;
        if (full == 0 && (dropLast || remainder == 0))
            throw new ArgumentException(
                $"Dataset '{dataset.Name}' has {dataset.Count} samples: not one batch of " +
                $"{batchSize}{(dropLast ? " with drop-last" : "")}.", nameof(dataset));
        if (augmentation is not null
            && (dataset.SampleShape.Length != 3 || augmentation.CropPadding >= Math.Min(dataset.SampleShape[1],
            dataset.SampleShape[2])))
            throw new ArgumentException(
                $"Image augmentation (padding {augmentation.CropPadding}) needs [C, H, W] samples larger than the " +
                $"padding; '{dataset.Name}' has [{string.Join(", ", dataset.SampleShape)}].", nameof(augmentation));
        if (normalizer is not null && dataset.SampleShape.Length > 0 && dataset.SampleShape[0] != normalizer.Channels)
            throw new ArgumentException(
                $"Normaliser has {normalizer.Channels} channels but samples of '{dataset.Name}' have shape " +
                $"[{string.Join(", ", dataset.SampleShape)}].", nameof(normalizer));
        Dataset = dataset;
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Augmentation = augmentation;
        Normalizer = normalizer;
        BatchesPerEpoch = full + (dropLast || remainder == 0 ? 0 : 1);
        _order = new int[dataset.Count];

        // The reusable batch tensors must outlive every step's scope, even if the loader is built inside one.
        using var unscoped = TensorScope.Unscoped();
        _fullBatch = new Batch(Math.Min(batchSize, dataset.Count), dataset.SampleShape, dataset.Groups is not null);
        if (full > 0 && remainder > 0 && !dropLast)
            _lastBatch = new Batch(remainder, dataset.SampleShape, dataset.Groups is not null);
    }

    /// <summary>The batched dataset.</summary>
    public Dataset Dataset { get; }

    /// <summary>Samples per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch reorders the samples.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffling and augmentation.</summary>
    public ulong Seed { get; }

    /// <summary>Whether a final partial batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>Per-sample augmentation, or null.</summary>
    public ImageAugmentation? Augmentation { get; }

    /// <summary>Per-channel normalisation, or null.</summary>
    public ChannelNormalizer? Normalizer { get; }

    /// <summary>Number of batches one epoch yields.</summary>
    public int BatchesPerEpoch { get; }

    /// <inheritdoc />
    public IEnumerable<(Tensor Input, int[] Labels)> Batches(int epoch) =>
        Epoch(epoch).Select(b => (b.Input, b.Labels));

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>. Order and augmentation depend only on (seed, epoch);
    /// each yielded <see cref="Batch"/> is overwritten by the next one of the same size.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        if (Shuffle) new RandomGenerator(StreamSeed(epoch, 0)).Shuffle(_order.AsSpan());
        var augmentationRandom = new RandomGenerator(StreamSeed(epoch, 1));
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            int start = b * BatchSize;
            var batch = start + _fullBatch.Count <= _order.Length ? _fullBatch : _lastBatch!;
            Fill(batch, _order.AsSpan(start, batch.Count), augmentationRandom);
            yield return batch;
        }
    }

    private void Fill(Batch batch, ReadOnlySpan<int> indices, RandomGenerator random)
    {
        // input: [B, ...sampleShape], one sample after another.
        var input = batch.Input.Data;
        int size = Dataset.SampleSize;
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            var destination = input.Slice(i * size, size);
            if (Augmentation is null) Dataset.Sample(j).CopyTo(destination);
            else Augmentation.Apply(Dataset.Sample(j), destination, Dataset.SampleShape, random);
            Normalizer?.Apply(destination);
            batch.Labels[i] = Dataset.Labels[j];
            batch.SampleIndices[i] = j;
            if (batch.Groups is not null) batch.Groups[i] = Dataset.Groups![j];
        }
    }

    /// <summary>A seed for one random stream of one epoch, mixed so nearby (seed, epoch) pairs are unrelated.</summary>
    private ulong StreamSeed(int epoch, ulong stream) =>
        Seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)epoch << 8 | stream) * 0xD1B54A32D192ED03UL;
}
