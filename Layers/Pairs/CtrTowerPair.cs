namespace RocketNet.Layers;

/// <summary>
/// The paper's CTR model as a <see cref="TrunkPair"/>: trunk = shared <see cref="MultiFieldEmbedding"/>
/// ([N, F] ids → [N, F·D]); booster head = wide tower with batch norm; light head = narrow tower.
/// <see cref="TrunkPair.ForwardPair(Tensor)"/> embeds once.
/// </summary>
public sealed class CtrTowerPair : TrunkPair
{
    private CtrTowerPair(CtrTowerPairSpec spec, MultiFieldEmbedding embedding, Sequential boosterTower,
        Sequential lightTower)
        : base(embedding, boosterTower, lightTower, spec) => Embedding = embedding;

    /// <summary>
    /// Builds embedding, booster tower and light tower, in that order, from <paramref name="random"/>.
    /// </summary>
    public static CtrTowerPair Create(CtrTowerPairSpec spec, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (embedding, booster) = (spec.CreateEmbedding(random), spec.CreateBoosterTower(random));
        return new CtrTowerPair(spec, embedding, booster, spec.CreateLightTower(random));
    }

    /// <summary>The shared embedding layer.</summary>
    public MultiFieldEmbedding Embedding { get; }
}
