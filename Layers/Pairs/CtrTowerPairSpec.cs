using System.Globalization;

namespace RocketNet.Layers;

/// <summary>
/// Architecture of a CTR pair: a shared <see cref="MultiFieldEmbedding"/> (F fields × D) feeding a wide booster
/// tower (Linear → BatchNorm1d → ReLU per hidden layer) and a narrow light tower (Linear → ReLU), each ending in
/// a Linear to the classes. The paper's ads model: light 576×200×80×2, booster 576×720×360×240×180×90×2.
/// Descriptions: <c>ctr-towers vocab=10x20x30 dim=8 booster=720x360 light=200x80 classes=2</c> (one table per
/// field) or <c>ctr-towers fields=24 buckets=100000 dim=24 …</c> (one hashed table); optional <c>std=</c> for
/// the embedding initialisation (default 1) and <c>booster-bn=0</c> for a booster tower without batch norm.
/// </summary>
public sealed class CtrTowerPairSpec : PairSpec
{
    /// <summary>Per-field vocabulary sizes (per-field mode), or empty in hashed mode.</summary>
    public IReadOnlyList<int> FieldSizes { get; }

    /// <summary>Number of fields F.</summary>
    public int FieldCount { get; }

    /// <summary>Buckets of the hashed table (hashed mode), or 0.</summary>
    public int Buckets { get; }

    /// <summary>Embedding width D per field.</summary>
    public int Dimension { get; }

    /// <summary>Hidden widths of the booster tower.</summary>
    public IReadOnlyList<int> BoosterHidden { get; }

    /// <summary>Hidden widths of the light tower.</summary>
    public IReadOnlyList<int> LightHidden { get; }

    /// <summary>Number of classes (2 for click / no click).</summary>
    public int Classes { get; }

    /// <summary>Standard deviation of the embedding initialisation.</summary>
    public float EmbeddingStd { get; }

    /// <summary>
    /// Whether the booster tower has batch norm after each hidden layer (default; the paper's booster).
    /// </summary>
    public bool BoosterBatchNorm { get; private init; } = true;

    /// <summary>This spec with the booster tower's batch norm on or off.</summary>
    public CtrTowerPairSpec WithBoosterBatchNorm(bool on) => new(this) { BoosterBatchNorm = on };

    private CtrTowerPairSpec(CtrTowerPairSpec other) : this([.. other.FieldSizes], other.FieldCount,
        other.Buckets, other.Dimension,
        [.. other.BoosterHidden], [.. other.LightHidden], other.Classes, other.EmbeddingStd)
    {
    }

    private CtrTowerPairSpec(int[] fieldSizes, int fieldCount, int buckets, int dimension, int[] boosterHidden,
        int[] lightHidden, int classes, float embeddingStd)
    {
        ArgumentNullException.ThrowIfNull(boosterHidden);
        ArgumentNullException.ThrowIfNull(lightHidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (boosterHidden.Concat(lightHidden).Any(w => w <= 0))
            throw new ArgumentException("CTR tower widths must be positive.", nameof(boosterHidden));
        if (!(embeddingStd > 0)) throw new ArgumentOutOfRangeException(nameof(embeddingStd), embeddingStd,
            "Embedding std must be positive.");
        (FieldSizes, FieldCount, Buckets, Dimension, BoosterHidden, LightHidden, Classes, EmbeddingStd) =
            (fieldSizes, fieldCount, buckets, dimension, boosterHidden, lightHidden, classes, embeddingStd);
    }

    /// <summary>One embedding table per field with the given vocabulary sizes.</summary>
    /// <exception cref="ArgumentException">No fields, or a size is not positive.</exception>
    public static CtrTowerPairSpec PerField(int[] fieldSizes, int dimension, int[] boosterHidden, int[] lightHidden,
        int classes = 2, float embeddingStd = 1f)
    {
        ArgumentNullException.ThrowIfNull(fieldSizes);
        if (fieldSizes.Length == 0 || fieldSizes.Any(s => s <= 0))
            throw new ArgumentException(
                $"CTR field sizes must be one or more positive numbers, got [{string.Join(", ", fieldSizes)}].",
                nameof(fieldSizes));
        return new CtrTowerPairSpec([.. fieldSizes], fieldSizes.Length, 0, dimension, boosterHidden, lightHidden,
            classes, embeddingStd);
    }

    /// <summary>
    /// One hashed table of <paramref name="buckets"/> rows shared by <paramref name="fieldCount"/> fields.
    /// </summary>
    public static CtrTowerPairSpec Hashed(int fieldCount, int buckets, int dimension, int[] boosterHidden,
        int[] lightHidden, int classes = 2, float embeddingStd = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(buckets);
        return new CtrTowerPairSpec([], fieldCount, buckets, dimension, boosterHidden, lightHidden,
            classes, embeddingStd);
    }

    /// <inheritdoc/>
    public override string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        string table = Buckets > 0
            ? string.Create(c, $"fields={FieldCount} buckets={Buckets}")
            : "vocab=" + ArchitectureDescription.FormatList(FieldSizes);
        return string.Create(c,
            $"ctr-towers {table} dim={Dimension} booster={ArchitectureDescription.FormatList(BoosterHidden)} " +
            $"light={ArchitectureDescription.FormatList(LightHidden)} classes={Classes} std={EmbeddingStd:R}") +
               (BoosterBatchNorm ? "" : " booster-bn=0");
    }

    /// <summary>Parses a "ctr-towers …" description.</summary>
    public static CtrTowerPairSpec Parse(ArchitectureDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Kind != "ctr-towers") throw d.Error("is not a CTR tower pair (ctr-towers)");
        if (d.Positional.Count != 0) throw d.Error($"has unexpected token '{d.Positional[0]}'");
        int dim = d.GetInt("dim"), classes = d.GetInt("classes", 2);
        float std = d.GetFloat("std", 1f);
        if (d.Has("vocab") == d.Has("buckets"))
            throw d.Error("needs exactly one of 'vocab=…' (per-field tables) or 'fields=… buckets=…' (hashed)");
        var spec = d.Has("vocab")
            ? PerField(d.GetInts("vocab"), dim, d.GetInts("booster"), d.GetInts("light"), classes, std)
            : Hashed(d.GetInt("fields"), d.GetInt("buckets"), dim, d.GetInts("booster"),
                d.GetInts("light"), classes, std);
        return spec.WithBoosterBatchNorm(d.GetInt("booster-bn", 1) != 0);
    }

    internal MultiFieldEmbedding CreateEmbedding(RandomGenerator random) => Buckets > 0
        ? MultiFieldEmbedding.Hashed(FieldCount, Buckets, Dimension, random, EmbeddingStd)
        : MultiFieldEmbedding.PerField([.. FieldSizes], Dimension, random, EmbeddingStd);

    internal Sequential CreateBoosterTower(RandomGenerator random) =>
        MlpStacks.Create(FieldCount * Dimension, [.. BoosterHidden], Classes, batchNorm: BoosterBatchNorm, random);

    internal Sequential CreateLightTower(RandomGenerator random) =>
        MlpStacks.Create(FieldCount * Dimension, [.. LightHidden], Classes, batchNorm: false, random);

    /// <inheritdoc/>
    /// <remarks>The embedding rows the description names (one table of Σ field sizes or of the buckets) times D, and
    /// the light tower.</remarks>
    public override long MinimumLightParameters()
    {
        long rows = Buckets > 0 ? Buckets : FieldSizes.Sum(s => (long)s);
        return rows * Dimension + LinearChainParameters((long)FieldCount * Dimension, [.. LightHidden, Classes]);
    }

    /// <inheritdoc/>
    /// <remarks>The booster tower (the embedding is shared), with biases.</remarks>
    public override long MinimumBoosterOnlyParameters() =>
        LinearChainParameters((long)FieldCount * Dimension, [.. BoosterHidden, Classes]);

    /// <inheritdoc/>
    public override RocketPair CreatePair(RandomGenerator random) => CtrTowerPair.Create(this, random);

    /// <inheritdoc/>
    public override Module CreateLight(RandomGenerator random) =>
        new TrunkHeadNet(CreateEmbedding(random), CreateLightTower(random));
}
