namespace RocketNet.Layers;

/// <summary>
/// A table pair as a <see cref="TrunkPair"/>: trunk = shared <see cref="TableFeatures"/>; booster head = the
/// booster tower; light head = the light tower. Built in that order from one random generator.
/// </summary>
public sealed class TableTowerPair : TrunkPair
{
    private TableTowerPair(TableTowerPairSpec spec, TableFeatures features, Sequential boosterTower,
        Sequential lightTower)
        : base(features, boosterTower, lightTower, spec) { }

    /// <summary>
    /// Builds features, booster tower and light tower, in that order, from <paramref name="random"/>.
    /// </summary>
    public static TableTowerPair Create(TableTowerPairSpec spec, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (features, booster) = (spec.CreateFeatures(random), spec.CreateBoosterTower(random));
        return new TableTowerPair(spec, features, booster, spec.CreateLightTower(random));
    }
}
