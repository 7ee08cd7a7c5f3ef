using RocketNet.Layers;
using RocketNet.Serving;

namespace RocketNet.Cli.Commands;

/// <summary>
/// Rebuilds the nets a checkpoint holds, for the commands that read one: a pair checkpoint (from <c>train</c>)
/// holds a booster/light pair, an exported one (<see cref="Checkpoint.LightRole"/>) the light net alone. The
/// architecture comes from the checkpoint; the initial values (seed 0) are all overwritten by its tensors.
/// </summary>
internal static class CheckpointNets
{
    /// <summary>True when <paramref name="checkpoint"/> is an exported light net rather than a pair.</summary>
    public static bool IsLightNet(Checkpoint checkpoint) =>
        checkpoint.Metrics.TryGetValue(Checkpoint.RoleMetric, out var role) && role == Checkpoint.LightRole;

    /// <summary>The exported light net in <paramref name="checkpoint"/>, its values loaded.</summary>
    public static Module LoadLightNet(Checkpoint checkpoint)
    {
        var light = Build(checkpoint, () => ArchitectureRegistry.BuildLight(checkpoint.Architecture,
            new RandomGenerator(0)));
        checkpoint.LoadInto(light);
        return light;
    }

    /// <summary>The booster/light pair in <paramref name="checkpoint"/>, its values loaded.</summary>
    public static RocketPair LoadPair(Checkpoint checkpoint)
    {
        if (IsLightNet(checkpoint))
            throw new UsageException(
                $"'{checkpoint.Path}' is an exported light net (no booster); this needs a pair checkpoint from train");
        var pair = Build(checkpoint, () => ArchitectureRegistry.BuildPair(checkpoint.Architecture,
            new RandomGenerator(0)));
        checkpoint.LoadInto(pair);
        return pair;
    }

    // A damaged architecture string is the file's fault, not the user's options: say so, naming the file.
    private static T Build<T>(Checkpoint checkpoint, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(
                $"Checkpoint '{checkpoint.Path}': its architecture metadata '{checkpoint.Architecture}' does not " +
                $"describe a net this version builds ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The light net of <paramref name="checkpoint"/>: the exported net itself, or a pair's light net extracted as
    /// a standalone module.
    /// </summary>
    public static Module LoadLightNetOfAny(Checkpoint checkpoint) =>
        IsLightNet(checkpoint) ? LoadLightNet(checkpoint) : LoadPair(checkpoint).ExtractLight();
}
