namespace RocketNet.Layers;

/// <summary>
/// A table pair as a <see cref="TrunkPair"/>: trunk = shared <see cref="TableFeatures"/>; booster head = the
/// booster tower; light head = the light tower. Built in that order from one random generator.
/// </summary>
public sealed class TableTowerPair : TrunkPair
{
    /// <summary>Builds features, booster tower and light tower from <paramref name="random"/>.</summary>
    public TableTowerPair(TableTowerPairSpec spec, RandomGenerator random) : this(spec, random,
        spec.CreateFeatures(random))
    { }

    private TableTowerPair(TableTowerPairSpec spec, RandomGenerator random, TableFeatures features)
        : this(spec, features, spec.CreateBoosterTower(random), random) { }

    private TableTowerPair(TableTowerPairSpec spec, TableFeatures features, Sequential boosterTower,
        RandomGenerator random)
        : base(features, boosterTower, spec.CreateLightTower(random), spec) { }
}
