using System.Globalization;

namespace RocketNet.Layers;

/// <summary>
/// Architecture of a table pair: shared <see cref="TableFeatures"/> (categorical columns embedded, numeric
/// features passed through) feeding a booster tower (Linear → BatchNorm1d → ReLU per hidden layer, unless
/// <c>booster-bn=0</c>) and a light tower (Linear → ReLU), each ending in a Linear to the classes.
/// Description: <c>table-towers vocab=12x5 numeric=7 dim=8 booster=256x128 light=32 classes=2</c>
/// (<c>vocab=</c> may be empty for an all-numeric table; optional <c>std=</c>, default 0.1).
/// </summary>
public sealed class TableTowerPairSpec : PairSpec
{
    /// <summary>Embedding table size of each categorical column.</summary>
    public IReadOnlyList<int> VocabularySizes { get; }

    /// <summary>Numeric input features M.</summary>
    public int NumericCount { get; }

    /// <summary>Embedding width D.</summary>
    public int Dimension { get; }

    /// <summary>Hidden widths of the booster tower.</summary>
    public IReadOnlyList<int> BoosterHidden { get; }

    /// <summary>Hidden widths of the light tower.</summary>
    public IReadOnlyList<int> LightHidden { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Standard deviation of the embedding initialisation.</summary>
    public float EmbeddingStd { get; }

    /// <summary>Whether the booster tower has batch norm after each hidden layer.</summary>
    public bool BoosterBatchNorm { get; }

    /// <summary>Width of the towers' input: F·D + M.</summary>
    public int TowerInputs => VocabularySizes.Count * Dimension + NumericCount;

    /// <summary>A table pair; see the class summary for the parts.</summary>
    /// <exception cref="ArgumentException">A size is not positive, or there is no input column.</exception>
    public TableTowerPairSpec(int[] vocabularySizes, int numericCount, int dimension, int[] boosterHidden,
        int[] lightHidden, int classes,
        float embeddingStd = 0.1f, bool boosterBatchNorm = true)
    {
        ArgumentNullException.ThrowIfNull(vocabularySizes);
        ArgumentNullException.ThrowIfNull(boosterHidden);
        ArgumentNullException.ThrowIfNull(lightHidden);
        ArgumentOutOfRangeException.ThrowIfNegative(numericCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (vocabularySizes.Any(s => s <= 0) || boosterHidden.Concat(lightHidden).Any(w => w <= 0))
            throw new ArgumentException("Table vocabulary sizes and tower widths must be positive.",
                nameof(vocabularySizes));
        if (vocabularySizes.Length + numericCount == 0)
            throw new ArgumentException("A table pair needs at least one input column.", nameof(vocabularySizes));
        if (!(embeddingStd > 0)) throw new ArgumentOutOfRangeException(nameof(embeddingStd), embeddingStd,
            "Embedding std must be positive.");
        (VocabularySizes, NumericCount, Dimension, BoosterHidden, LightHidden, Classes,
            EmbeddingStd, BoosterBatchNorm) =
            ([.. vocabularySizes], numericCount, dimension, [.. boosterHidden], [.. lightHidden], classes,
                embeddingStd, boosterBatchNorm);
    }

    /// <inheritdoc/>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture,
            $"table-towers vocab={ArchitectureDescription.FormatList(VocabularySizes)} " +
            $"numeric={NumericCount} dim={Dimension} " +
            $"booster={ArchitectureDescription.FormatList(BoosterHidden)} " +
            $"light={ArchitectureDescription.FormatList(LightHidden)} classes={Classes} std={EmbeddingStd:R}") +
        (BoosterBatchNorm ? "" : " booster-bn=0");

    /// <summary>Parses a "table-towers …" description.</summary>
    public static TableTowerPairSpec Parse(ArchitectureDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Kind != "table-towers") throw d.Error("is not a table pair (table-towers)");
        if (d.Positional.Count != 0) throw d.Error($"has unexpected token '{d.Positional[0]}'");
        try
        {
            return new TableTowerPairSpec(d.GetInts("vocab"), d.GetInt("numeric", 0), d.GetInt("dim", 8),
                d.GetInts("booster"), d.GetInts("light"),
                d.GetInt("classes"), d.GetFloat("std", 0.1f), d.GetInt("booster-bn", 1) != 0);
        }
        catch (ArgumentException e) when (e.ParamName is not null)
        {
            throw d.Error(e.Message);
        }
    }

    internal TableFeatures CreateFeatures(RandomGenerator random) =>
        new([.. VocabularySizes], NumericCount, Dimension, random, EmbeddingStd);

    internal Sequential CreateBoosterTower(RandomGenerator random) =>
        MlpStacks.Create(TowerInputs, [.. BoosterHidden], Classes, batchNorm: BoosterBatchNorm, random);

    internal Sequential CreateLightTower(RandomGenerator random) =>
        MlpStacks.Create(TowerInputs, [.. LightHidden], Classes, batchNorm: false, random);

    /// <inheritdoc/>
    /// <remarks>Exact: the embedding tables and the light tower, with biases.</remarks>
    public override long MinimumLightParameters() =>
        VocabularySizes.Sum(s => (long)s) * Dimension + LinearChainParameters(TowerInputs, [.. LightHidden, Classes]);

    /// <inheritdoc/>
    /// <remarks>The booster tower's linear layers (the features are shared), with biases.</remarks>
    public override long MinimumBoosterOnlyParameters() =>
        LinearChainParameters(TowerInputs, [.. BoosterHidden, Classes]);

    /// <inheritdoc/>
    public override RocketPair CreatePair(RandomGenerator random) => TableTowerPair.Create(this, random);

    /// <inheritdoc/>
    public override Module CreateLight(RandomGenerator random) =>
        new TrunkHeadNet(CreateFeatures(random), CreateLightTower(random));
}
