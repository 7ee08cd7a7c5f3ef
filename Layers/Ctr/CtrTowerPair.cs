namespace RocketNet.Layers;

/// <summary>
/// The paper's CTR model as a <see cref="TrunkPair"/>: trunk = shared <see cref="MultiFieldEmbedding"/>
/// ([N, F] ids → [N, F·D]); booster head = wide tower with batch norm; light head = narrow tower.
/// <see cref="TrunkPair.ForwardPair(Tensor)"/> embeds once.
/// </summary>
public sealed class CtrTowerPair : TrunkPair
{
    /// <summary>
    /// Builds embedding, booster tower and light tower, in that order, from <paramref name="random"/>.
    /// </summary>
    public CtrTowerPair(CtrTowerPairSpec spec, RandomGenerator random) : this(spec, random,
        spec.CreateEmbedding(random))
    { }

    private CtrTowerPair(CtrTowerPairSpec spec, RandomGenerator random, MultiFieldEmbedding embedding)
        : this(spec, embedding, spec.CreateBoosterTower(random), random) { }

    private CtrTowerPair(CtrTowerPairSpec spec, MultiFieldEmbedding embedding, Sequential boosterTower,
        RandomGenerator random)
        : base(embedding, boosterTower, spec.CreateLightTower(random), spec)
    {
        Embedding = embedding;
    }

    /// <summary>The shared embedding layer.</summary>
    public MultiFieldEmbedding Embedding { get; }
}
