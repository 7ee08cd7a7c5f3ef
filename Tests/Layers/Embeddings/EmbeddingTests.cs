using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class EmbeddingTests
{
    [Fact]
    public void EmbeddingLooksUpRowsForFloatIds()
    {
        var emb = new Embedding(5, 3, new RandomGenerator(1));
        var y = emb.Forward(Tensor.FromArray([4f, 0f, 4f, 2f], 2, 2));
        Assert.Equal([2, 2, 3], y.Shape.ToArray());
        Assert.Equal(emb.Weight.ToArray().Skip(12).Take(3), y.ToArray().Take(3));
        var e = Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([5f])));
        Assert.Contains("[0, 5)", e.Message);
    }

    [Fact]
    public void PerFieldModeConcatenatesEachFieldsOwnTable()
    {
        var emb = MultiFieldEmbedding.PerField([3, 5, 2], 4, new RandomGenerator(2));
        Assert.Equal([10, 4], emb.Weight.Shape.ToArray());
        Assert.Equal(12, emb.OutputWidth);
        var x = Tensor.FromArray([2f, 4f, 1f, 0f, 0f, 0f], 2, 3);
        var y = emb.Forward(x);
        Assert.Equal([2, 12], y.Shape.ToArray());
        float[] w = emb.Weight.ToArray(), ys = y.ToArray();
        int[][] expectedRows = [[2, 3 + 4, 8 + 1], [0, 3, 8]];
        for (int r = 0; r < 2; r++)
            for (int f = 0; f < 3; f++)
                Assert.Equal(w.Skip(expectedRows[r][f] * 4).Take(4), ys.Skip(r * 12 + f * 4).Take(4));
        Assert.Equal(7, emb.RowOf(1, 4f));
    }

    [Fact]
    public void HashedModeIsDeterministicAndSharesOneTable()
    {
        var emb = MultiFieldEmbedding.Hashed(3, 50, 2, new RandomGenerator(3));
        Assert.Equal([50, 2], emb.Weight.Shape.ToArray());
        var x = Tensor.FromArray([7f, 7f, 123456f], 1, 3);
        float[] ys = emb.Forward(x).ToArray(), w = emb.Weight.ToArray();
        for (int f = 0; f < 3; f++)
        {
            int bucket = CategoryIds.HashBucket(f, (long)x.Data[f], 50);
            Assert.Equal(w.Skip(bucket * 2).Take(2), ys.Skip(f * 2).Take(2));
        }
        // The same id in different fields usually lands in different buckets, and the hash is fixed.
        Assert.NotEqual(CategoryIds.HashBucket(0, 7, 1 << 20), CategoryIds.HashBucket(1, 7, 1 << 20));
        Assert.Equal(CategoryIds.HashBucket(2, 99, 1000), CategoryIds.HashBucket(2, 99, 1000));
        int[] counts = new int[10];
        for (int id = 0; id < 10_000; id++) counts[CategoryIds.HashBucket(0, id, 10)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150)); // spreads ids evenly
    }

    [Theory]
    [InlineData(1.5f, "whole numbers")]
    [InlineData(-1f, "[0, 5)")]
    [InlineData(5f, "[0, 5)")]
    [InlineData(float.NaN, "field 1")]
    public void PerFieldModeRejectsBadIdsNamingRowAndField(float bad, string expectedText)
    {
        var emb = MultiFieldEmbedding.PerField([3, 5], 2, new RandomGenerator(4));
        var e = Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([0f, 1f, 2f, bad], 2, 2)));
        Assert.Contains(expectedText, e.Message);
        Assert.Contains("row 1, field 1", e.Message);
    }

    [Fact]
    public void HashedModeRejectsNegativeAndFractionalIdsAndWrongWidth()
    {
        var emb = MultiFieldEmbedding.Hashed(2, 10, 2, new RandomGenerator(5));
        Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([0f, -3f], 1, 2)));
        Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([0.25f, 3f], 1, 2)));
        var e = Assert.Throws<ArgumentException>(() => emb.Forward(Tensor.FromArray([1f, 2f, 3f], 1, 3)));
        Assert.Contains("[N, 2]", e.Message);
        Assert.Throws<ArgumentException>(() => MultiFieldEmbedding.PerField([3, 0], 2, new RandomGenerator(1)));
    }

    [Fact]
    public void GradientScattersIntoTheLookedUpRows()
    {
        var emb = MultiFieldEmbedding.PerField([2, 2], 1, new RandomGenerator(6));
        emb.Forward(Tensor.FromArray([1f, 0f, 1f, 1f], 2, 2)).Sum().Backward();
        // Rows: field 0 → {0, 1}, field 1 → {2, 3}. Looked up: 1, 2, 1, 3.
        Assert.Equal(new[] { 0f, 2f, 1f, 1f }, emb.Weight.Grad!.ToArray());
    }
}
