namespace RocketNet.Layers;

/// <summary>A <see cref="TrunkPair"/> of MLPs built from an <see cref="MlpPairSpec"/>.</summary>
public sealed class MlpPair : TrunkPair
{
    private MlpPair(MlpPairSpec spec, Sequential trunk, Sequential boosterHead, Sequential lightHead)
        : base(trunk, boosterHead, lightHead, spec) { }

    /// <summary>Builds trunk, booster head and light head, in that order, from <paramref name="random"/>.</summary>
    public static MlpPair Create(MlpPairSpec spec, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (trunk, booster) = (spec.CreateTrunk(random), spec.CreateHead(spec.BoosterHidden, random,
            spec.BoosterBatchNorm));
        return new MlpPair(spec, trunk, booster, spec.CreateHead(spec.LightHidden, random));
    }

    /// <summary>Shortcut for <c>MlpPair.Create(new MlpPairSpec(...), random)</c>.</summary>
    public static MlpPair Create(int inputs, int[] shared, int[] boosterHidden, int[] lightHidden, int classes,
        RandomGenerator random,
        bool boosterBatchNorm = false) =>
        Create(new MlpPairSpec(inputs, shared, boosterHidden, lightHidden, classes, boosterBatchNorm), random);
}
