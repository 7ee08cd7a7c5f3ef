namespace RocketNet.Layers;

/// <summary>
/// Lookup table: ids of any shape S (whole numbers stored in floats) → [S..., D]. Weight [V, D] ~ N(0, std²)
/// (std 1 is PyTorch's default).
/// </summary>
public sealed class Embedding : Module
{
    /// <summary>Table [V, D].</summary>
    public Tensor Weight { get; }

    /// <summary>Number of rows V.</summary>
    public int VocabularySize { get; }

    /// <summary>Embedding width D.</summary>
    public int Dimension { get; }

    /// <summary>Creates the table initialised from <paramref name="random"/>.</summary>
    public Embedding(int vocabularySize, int dimension, RandomGenerator random, float std = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        (VocabularySize, Dimension) = (vocabularySize, dimension);
        Weight = RegisterParameter("weight", Init.Normal([vocabularySize, dimension], random, std));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">An id is not a whole number in [0, V).</exception>
    public override Tensor Forward(Tensor input)
    {
        ReadOnlySpan<float> ids = input.Data;
        // The engine's op keeps the index array for backward, so it is allocated per call.
        var indices = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++)
            indices[i] = (int)CategoryIds.ToId(ids[i], VocabularySize, $"Embedding (position {i})");
        return Functional.Embedding(Weight, indices, input.Shape.ToArray());
    }
}
