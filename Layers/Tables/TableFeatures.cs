using RocketNet.Shapes;

namespace RocketNet.Layers;

/// <summary>
/// The input layer of a table model: input [N, F + M] holds F categorical ids (whole numbers stored in floats)
/// followed by M numeric features; output [N, F·D + M] is the ids' embeddings (a <see cref="MultiFieldEmbedding"/>,
/// one table per column) concatenated with the numeric features, which pass through unchanged.
/// Children: embedding (absent when F = 0).
/// </summary>
public sealed class TableFeatures : Module
{
    /// <summary>The categorical columns' embedding, or null for an all-numeric table.</summary>
    public MultiFieldEmbedding? Embedding { get; }

    /// <summary>Categorical columns F.</summary>
    public int CategoricalCount { get; }

    /// <summary>Numeric features M.</summary>
    public int NumericCount { get; }

    /// <summary>Output width F·D + M.</summary>
    public int OutputWidth => (Embedding?.OutputWidth ?? 0) + NumericCount;

    /// <summary>One embedding table per categorical column (sizes <paramref name="vocabularySizes"/>, width
    /// <paramref name="dimension"/>, N(0, std²) rows) and <paramref name="numericCount"/> numeric features.</summary>
    /// <exception cref="ArgumentException">No input at all, or a negative count.</exception>
    public TableFeatures(int[] vocabularySizes, int numericCount, int dimension, RandomGenerator random, float std)
    {
        ArgumentNullException.ThrowIfNull(vocabularySizes);
        ArgumentOutOfRangeException.ThrowIfNegative(numericCount);
        if (vocabularySizes.Length + numericCount == 0)
            throw new ArgumentException("A table needs at least one categorical or numeric column.",
                nameof(vocabularySizes));
        (CategoricalCount, NumericCount) = (vocabularySizes.Length, numericCount);
        if (vocabularySizes.Length > 0)
            Embedding = RegisterModule("embedding",
                MultiFieldEmbedding.PerField(vocabularySizes, dimension, random, std));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not [N, F + M], or an id is not valid for its
    /// column.</exception>
    public override Tensor Forward(Tensor input)
    {
        int width = CategoricalCount + NumericCount;
        if (input.Rank != 2 || input.Shape[1] != width)
            throw new ArgumentException(
                $"TableFeatures: input must be [N, {width}] ({CategoricalCount} category ids then {NumericCount} " +
                $"numeric values), got {ShapeMath.Format(input.Shape)}.", nameof(input));
        if (Embedding is null) return input;
        var embedded = Embedding.Forward(NumericCount == 0 ? input : input.Slice(1, 0, CategoricalCount));
        return NumericCount == 0
            ? embedded : Tensor.Concat([embedded, input.Slice(1, CategoricalCount, NumericCount)], axis: 1);
    }
}
