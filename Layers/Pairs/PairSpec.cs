namespace RocketNet.Layers;

/// <summary>
/// Everything needed to rebuild a booster/light pair and its standalone light net: a kind of pair plus its
/// sizes. <see cref="Describe"/> gives the one-line text that <see cref="ArchitectureRegistry"/> parses
/// back, so a checkpoint can carry its architecture.
/// </summary>
public abstract class PairSpec
{
    /// <summary>The one-line description, e.g. "wrn-interval 40-1/16-1 classes=10 in=3".</summary>
    public abstract string Describe();

    /// <summary>A freshly initialised pair of this architecture.</summary>
    public abstract RocketPair CreatePair(RandomGenerator random);

    /// <summary>
    /// A freshly initialised standalone light net with the same parameter/buffer names as the pair's
    /// <see cref="RocketPair.Light"/> (what <see cref="RocketPair.ExtractLight"/> returns, before values are copied).
    /// </summary>
    public abstract Module CreateLight(RandomGenerator random);

    /// <summary>
    /// A lower bound on the standalone light net's parameter count, computed from the sizes alone, without
    /// building anything (0 when a kind of pair does not say). Readers compare it with the values a file
    /// holds, so metadata describing a far larger net than the file is refused before that net is allocated.
    /// </summary>
    public virtual long MinimumLightParameters() => 0;

    /// <summary>
    /// A lower bound on the parameters only the booster has (those of the pair that are not the light net's),
    /// from the sizes alone; with <see cref="MinimumLightParameters"/> it bounds what a pair checkpoint must hold.
    /// </summary>
    public virtual long MinimumBoosterOnlyParameters() => 0;

    /// <summary>
    /// Σ (in·out + out) over a chain of fully connected layers from <paramref name="inputs"/> through
    /// <paramref name="widths"/>.
    /// </summary>
    protected static long LinearChainParameters(long inputs, IEnumerable<int> widths)
    {
        ArgumentNullException.ThrowIfNull(widths);
        long total = 0, previous = inputs;
        foreach (int w in widths)
        {
            total += previous * w + w;
            previous = w;
        }
        return total;
    }

    /// <inheritdoc/>
    public override string ToString() => Describe();
}
