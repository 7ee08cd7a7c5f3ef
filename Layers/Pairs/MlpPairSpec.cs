namespace RocketNet.Layers;

/// <summary>
/// Architecture of an MLP pair for flat inputs (e.g. 8×8 digits as 64 features): shared Linear+ReLU layers,
/// then a wide booster head and a narrow light head (Linear+ReLU hidden layers and a final Linear to the
/// classes). Description: <c>mlp in=64 shared=128 booster=256x256 light=32 classes=10</c>
/// (an empty list, e.g. <c>light=</c>, means the head is a single Linear). With <c>sharing=none</c> each net
/// gets its own copy of the "shared" layers (same architecture, nothing shared: the paper's "no sharing"
/// ablation); the trunk is then empty and the copies live in the heads.
/// </summary>
public sealed class MlpPairSpec : PairSpec
{
    /// <summary>Input features.</summary>
    public int Inputs { get; }

    /// <summary>Widths of the shared layers (at least one).</summary>
    public IReadOnlyList<int> Shared { get; }

    /// <summary>Hidden widths of the booster head.</summary>
    public IReadOnlyList<int> BoosterHidden { get; }

    /// <summary>Hidden widths of the light head.</summary>
    public IReadOnlyList<int> LightHidden { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Whether the booster head has batch norm after each hidden layer (the light head never does).</summary>
    public bool BoosterBatchNorm { get; }

    /// <summary>Whether the lower layers are shared (default) or each net has its own copy of them.</summary>
    public bool Sharing { get; }

    /// <summary>Checks and stores the sizes.</summary>
    /// <exception cref="ArgumentException">No shared layer, or a width is not positive.</exception>
    /// <param name="inputs">Input features.</param>
    /// <param name="shared">Widths of the shared layers.</param>
    /// <param name="boosterHidden">Hidden widths of the booster head.</param>
    /// <param name="lightHidden">Hidden widths of the light head.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="boosterBatchNorm">Batch norm after each booster hidden layer (keeps a wide booster's logits in
    /// range).</param>
    /// <param name="sharing">False: each net gets its own copy of the <paramref name="shared"/> layers.</param>
    public MlpPairSpec(int inputs, int[] shared, int[] boosterHidden, int[] lightHidden, int classes,
        bool boosterBatchNorm = false, bool sharing = true)
    {
        (BoosterBatchNorm, Sharing) = (boosterBatchNorm, sharing);
        ArgumentNullException.ThrowIfNull(shared);
        ArgumentNullException.ThrowIfNull(boosterHidden);
        ArgumentNullException.ThrowIfNull(lightHidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (shared.Length == 0)
            throw new ArgumentException("An MLP pair needs at least one shared layer.", nameof(shared));
        if (shared.Concat(boosterHidden).Concat(lightHidden).Any(w => w <= 0))
            throw new ArgumentException("MLP pair widths must be positive.", nameof(shared));
        (Inputs, Shared, BoosterHidden, LightHidden, Classes) = (inputs, [.. shared], [.. boosterHidden],
            [.. lightHidden], classes);
    }

    /// <inheritdoc/>
    public override string Describe() =>
        $"mlp in={Inputs} shared={ArchitectureDescription.FormatList(Shared)} " +
        $"booster={ArchitectureDescription.FormatList(BoosterHidden)} " +
        $"light={ArchitectureDescription.FormatList(LightHidden)} classes={Classes}" +
        (BoosterBatchNorm ? " booster-bn=1" : "") + (Sharing ? "" : " sharing=none");

    /// <summary>Parses an "mlp …" description.</summary>
    public static MlpPairSpec Parse(ArchitectureDescription d)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (d.Kind != "mlp") throw d.Error("is not an MLP pair (mlp)");
        if (d.Positional.Count != 0) throw d.Error($"has unexpected token '{d.Positional[0]}'");
        string sharing = d.Has("sharing") ? d.Get("sharing") : "bottom";
        if (sharing is not ("bottom" or "none"))
            throw d.Error($"has sharing={sharing}; MLP pairs take sharing=bottom (default) or none");
        return new MlpPairSpec(d.GetInt("in"), d.GetInts("shared"), d.GetInts("booster"), d.GetInts("light"),
            d.GetInt("classes"),
            d.GetInt("booster-bn", 0) != 0, sharing == "bottom");
    }

    // Shared: the trunk holds the lower layers once. Not shared: an empty trunk, and each head starts with its own
    // copy.
    internal Sequential CreateTrunk(RandomGenerator random) =>
        Sharing ? CreateLowerLayers(random) : new Sequential();

    internal Sequential CreateHead(IReadOnlyList<int> hidden, RandomGenerator random, bool batchNorm = false)
    {
        var lower = Sharing ? null : CreateLowerLayers(random); // drawn before the head, as the pair's order requires
        var head = MlpStacks.Create(Shared[^1], [.. hidden], Classes, batchNorm, random);
        return lower is null ? head : new Sequential(lower, head);
    }

    private Sequential CreateLowerLayers(RandomGenerator random) =>
        MlpStacks.Create(Inputs, [.. Shared], null, false, random);

    /// <inheritdoc/>
    /// <remarks>Exact for MLP pairs: the lower layers, the light hidden layers and the output layer, with
    /// biases.</remarks>
    public override long MinimumLightParameters() =>
        LinearChainParameters(Inputs, [.. Shared, .. LightHidden, Classes]);

    /// <inheritdoc/>
    /// <remarks>The booster's hidden and output layers (and its own copy of the lower layers without sharing), with
    /// biases.</remarks>
    public override long MinimumBoosterOnlyParameters() => Sharing
        ? LinearChainParameters(Shared[^1], [.. BoosterHidden, Classes])
        : LinearChainParameters(Inputs, [.. Shared, .. BoosterHidden, Classes]);

    /// <inheritdoc/>
    public override RocketPair CreatePair(RandomGenerator random) => MlpPair.Create(this, random);

    /// <inheritdoc/>
    public override Module CreateLight(RandomGenerator random) =>
        new TrunkHeadNet(CreateTrunk(random), CreateHead(LightHidden, random));
}
