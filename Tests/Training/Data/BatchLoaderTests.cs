using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class BatchLoaderTests
{
    /// <summary>
    /// n samples of shape [1, 1, 2] whose values encode their index: (i, -i); label i % 3; group i / 4.
    /// </summary>
    private static Dataset Indexed(int n) => new("indexed",
        Enumerable.Range(0, n).SelectMany(i => new float[] { i, -i }).ToArray(),
        Enumerable.Range(0, n).Select(i => i % 3).ToArray(), [1, 1, 2], 3,
            groups: Enumerable.Range(0, n).Select(i => i / 4).ToArray());

    [Property(MaxTest = 40)]
    public Property EveryEpochVisitsEverySampleOnceWithMatchingLabels() =>
        Prop.ForAll(Gen.Choose(1, 30).ToArbitrary(), Gen.Choose(1, 8).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(),
            (n, batchSize, seed) =>
        {
            var loader = new BatchLoader(Indexed(n), batchSize, seed: (ulong)seed);
            var seen = new List<int>();
            int batches = 0;
            foreach (var batch in loader.Epoch(3))
            {
                batches++;
                var x = batch.Input.Data;
                Assert.Equal(batch.Count * 2, batch.Input.Count);
                for (int i = 0; i < batch.Count; i++)
                {
                    int index = (int)x[2 * i];
                    Assert.Equal(index, batch.SampleIndices[i]);
                    Assert.Equal(index % 3, batch.Labels[i]);
                    Assert.Equal(index / 4, batch.Groups![i]);
                    seen.Add(index);
                }
            }
            Assert.Equal(loader.BatchesPerEpoch, batches);
            Assert.Equal(Enumerable.Range(0, n), seen.Order());
        });

    private static List<int> Order(BatchLoader loader, int epoch) =>
        loader.Epoch(epoch).SelectMany(b => b.SampleIndices.ToArray()).ToList();

    [Fact]
    public void ShuffleIsReproducibleForSeedAndEpochAndDiffersAcrossEpochs()
    {
        var data = Indexed(50);
        var a = new BatchLoader(data, 8, seed: 5);
        var b = new BatchLoader(data, 8, seed: 5);
        Assert.Equal(Order(a, 2), Order(b, 2));
        Assert.Equal(Order(a, 2), Order(a, 2));
        Assert.NotEqual(Order(a, 2), Order(a, 3));
        Assert.NotEqual(Order(a, 2), Order(new BatchLoader(data, 8, seed: 6), 2));
        Assert.Equal(Enumerable.Range(0, 50), Order(new BatchLoader(data, 8, shuffle: false), 0));
    }

    [Fact]
    public void DropLastSkipsThePartialBatch()
    {
        var data = Indexed(10);
        var keep = new BatchLoader(data, 4, dropLast: false);
        var drop = new BatchLoader(data, 4, dropLast: true);
        Assert.Equal(new[] { 4, 4, 2 }, keep.Epoch(0).Select(b => b.Count).ToArray());
        Assert.Equal(new[] { 4, 4 }, drop.Epoch(0).Select(b => b.Count).ToArray());
        Assert.Equal(2, drop.BatchesPerEpoch);
        Assert.Throws<ArgumentException>(() => new BatchLoader(Indexed(3), 4, dropLast: true));
        Assert.Throws<ArgumentException>(() => new BatchLoader(Indexed(3), 2,
            augmentation: new ImageAugmentation(cropPadding: 1)));
    }

    [Fact]
    public void BatchTensorsAndArraysAreReusedAcrossBatchesAndEpochs()
    {
        var loader = new BatchLoader(Indexed(20), 6);
        var batches =
            loader.Epoch(0).Select(b => (b.Input, b.Labels)).Concat(
            loader.Epoch(1).Select(b => (b.Input, b.Labels))).ToList();
        Assert.Equal(8, batches.Count);
        Assert.Equal(2, batches.Select(b => b.Input).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Equal(2, batches.Select(b => b.Labels).Distinct(ReferenceEqualityComparer.Instance).Count());
        // Training-step scopes around each batch leave the reused tensor usable.
        foreach (var batch in loader.Epoch(2))
            using (TensorScope.Begin()) Assert.True((batch.Input * 2f).Sum().Item() is var s && !float.IsNaN(s));
    }

    [Fact]
    public void ALoaderBuiltInsideATensorScopeOutlivesIt()
    {
        BatchLoader loader;
        using (TensorScope.Begin()) loader = new BatchLoader(Indexed(4), 2);
        foreach (var batch in loader.Epoch(0)) Assert.False(batch.Input.IsScoped);
        Assert.Equal(2, loader.Epoch(1).Count());
    }

    [Fact]
    public void NormaliserGivesZeroMeanUnitStdPerChannel()
    {
        var random = new RandomGenerator(1);
        var features = new float[40 * 2 * 3 * 3];
        for (int i = 0; i < features.Length; i++) features[i] = (i / 9 % 2 == 0 ? 10 : -3) + 2 * random.NextFloat();
        var data = new Dataset("two-channel", features, new int[40], [2, 3, 3], 1);
        var normalizer = ChannelNormalizer.FromDataset(data);
        var normalised = ChannelNormalizer.FromDataset(normalizer.Normalize(data));
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(0f, normalised.Mean[c], 4);
            Assert.Equal(1f, normalised.Std[c], 4);
        }
        var loader = new BatchLoader(data, 40, shuffle: false, normalizer: normalizer);
        Assert.Equal(normalizer.Normalize(data).Features, loader.Epoch(0).Single().Input.ToArray());
        Assert.Equal(125.3f / 255, ChannelNormalizer.Cifar10.Mean[0], 6);
        Assert.Equal(66.7f / 255, ChannelNormalizer.Cifar10.Std[2], 6);
    }

    [Fact]
    public void AugmentationIsSeededAndKeepsEachChannelsValues()
    {
        var data = new Dataset("images", Enumerable.Range(0, 4 * 3 * 8 * 8).Select(i => (float)i).ToArray(),
            new int[4], [3, 8, 8], 1);
        var augmentation = new ImageAugmentation(cropPadding: 2);
        var first = new BatchLoader(data, 4, shuffle: false, seed: 9, augmentation: augmentation).Epoch(
            0).Single().Input.ToArray();
        var again = new BatchLoader(data, 4, shuffle: false, seed: 9, augmentation: augmentation).Epoch(
            0).Single().Input.ToArray();
        Assert.Equal(first, again);
        Assert.NotEqual(data.Features, first);
        for (int plane = 0; plane < 12; plane++)
            Assert.All(first.AsSpan(plane * 64, 64).ToArray(), v => Assert.InRange(v, plane * 64, plane * 64 + 63));
    }

    [Fact]
    public void CropAndFlipFollowReflectPadding()
    {
        // A 1x4x4 image with value 10*y + x. Draw the same random choices the augmentation will draw.
        var image = Enumerable.Range(0, 16).Select(i => (float)(10 * (i / 4) + i % 4)).ToArray();
        var output = new float[16];
        new ImageAugmentation(cropPadding: 2).Apply(image, output, [1, 4, 4], new RandomGenerator(3));
        var random = new RandomGenerator(3);
        int dy = random.NextInt(5) - 2, dx = random.NextInt(5) - 2;
        bool flip = random.NextInt(2) == 1;
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
            {
                int sy = ImageAugmentation.Reflect(y + dy, 4),
                    sx = ImageAugmentation.Reflect((flip ? 3 - x : x) + dx, 4);
                Assert.Equal(10 * sy + sx, output[4 * y + x]);
            }
        Assert.Equal(new[] { 1, 0, 1, 2, 3, 2 },
            new[] { -1, 0, 1, 2, 3, 4 }.Select(i => ImageAugmentation.Reflect(i, 4)));
        var identity = new float[16];
        new ImageAugmentation(cropPadding: 0, horizontalFlip: false).Apply(image, identity, [1, 4, 4],
            new RandomGenerator(1));
        Assert.Equal(image, identity);
    }

    [Fact]
    public void FlipOnlyMirrorsRowsAboutHalfTheTime()
    {
        var image = Enumerable.Range(0, 4).Select(i => (float)i).ToArray(); // [1, 1, 4]
        var output = new float[4];
        var augmentation = new ImageAugmentation(cropPadding: 0);
        var random = new RandomGenerator(11);
        int flipped = 0;
        for (int t = 0; t < 200; t++)
        {
            augmentation.Apply(image, output, [1, 1, 4], random);
            if (output[0] == 3) { flipped++; Assert.Equal(new float[] { 3, 2, 1, 0 }, output); }
            else Assert.Equal(image, output);
        }
        Assert.InRange(flipped, 70, 130);
    }
}
