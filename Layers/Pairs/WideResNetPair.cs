namespace RocketNet.Layers;

/// <summary>
/// Booster WRN-d-k and light net sharing convolutions (same tensor objects) but never batch norm, as in the
/// paper's CIFAR experiments (mirrors <c>RocketWRN</c> of the reference code):
/// <list type="bullet">
/// <item><see cref="WideResNetSharing.Interval"/>: the light WRN-d'-k reuses the stem and, in each group,
/// the conv0/conv1/proj modules of the booster's first n' = (d' − 4)/6 blocks.</item>
/// <item><see cref="WideResNetSharing.Bottom"/>: the light net is the booster's stem and groups 0–1 with its
/// own batch norms, then BN(32k) → ReLU → global average pool → FC(32k → classes).</item>
/// <item><see cref="WideResNetSharing.StemOnly"/>: a fresh light WRN-d'-k sharing only the stem.</item>
/// </list>
/// Children: booster, light. <see cref="ForwardPair(Tensor)"/> computes the shared stem once.
/// </summary>
public sealed class WideResNetPair : RocketPair
{
    private readonly WideResNet _booster;
    private readonly WideResNet _light;

    /// <inheritdoc/>
    public override PairSpec Spec { get; }

    /// <inheritdoc/>
    public override Module Booster => _booster;

    /// <inheritdoc/>
    public override Module Light => _light;

    /// <summary>The booster as a Wide ResNet.</summary>
    public WideResNet BoosterNet => _booster;

    /// <summary>The light net as a Wide ResNet (its shared parts are the booster's modules).</summary>
    public WideResNet LightNet => _light;

    /// <summary>
    /// Builds the pair: the booster first, then the light net's own parts, all from <paramref name="random"/>.
    /// </summary>
    public WideResNetPair(WideResNetPairSpec spec, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(random);
        Spec = spec;
        _booster = WideResNet.Create(spec.BoosterDepth, spec.Widen, spec.Classes, random, spec.InChannels);
        _light = spec.Sharing switch
        {
            WideResNetSharing.Interval =>
                SharingFirstBlocks(_booster, WideResNet.BlocksPerGroup(spec.LightDepth), 3, spec, random),
            WideResNetSharing.Bottom =>
                SharingFirstBlocks(_booster, WideResNet.BlocksPerGroup(spec.BoosterDepth), 2, spec, random),
            _ => StemOnly(_booster, spec, random),
        };
        RegisterModule("booster", _booster);
        RegisterModule("light", _light);
    }

    /// <summary>
    /// Interval sharing (b): booster WRN-<paramref name="boosterDepth"/>-k, light WRN-<paramref name="lightDepth"/>-k.
    /// </summary>
    public static WideResNetPair Interval(int widen, int classes, RandomGenerator random, int inChannels = 3,
        int boosterDepth = 40, int lightDepth = 16) =>
        new(new WideResNetPairSpec(WideResNetSharing.Interval, boosterDepth, lightDepth, widen, classes,
            inChannels), random);

    /// <summary>Bottom sharing (a): the light net is the booster's first two groups plus its own head.</summary>
    public static WideResNetPair Bottom(int widen, int classes, RandomGenerator random, int inChannels = 3,
        int boosterDepth = 40) =>
        new(new WideResNetPairSpec(WideResNetSharing.Bottom, boosterDepth, boosterDepth, widen, classes,
            inChannels), random);

    /// <summary>"No sharing" ablation: only the stem conv is shared.</summary>
    public static WideResNetPair StemOnly(int widen, int classes, RandomGenerator random, int inChannels = 3,
        int boosterDepth = 40, int lightDepth = 16) =>
        new(new WideResNetPairSpec(WideResNetSharing.StemOnly, boosterDepth, lightDepth, widen, classes,
            inChannels), random);

    // Light net from the booster's stem and, in each of the first groupCount groups, shared-conv copies of
    // the first blocksPerGroup blocks with new batch norms; new head BN and FC on the last width.
    private static WideResNet SharingFirstBlocks(WideResNet booster, int blocksPerGroup, int groupCount,
        WideResNetPairSpec spec, RandomGenerator random)
    {
        var groups = new WideGroup[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            var source = booster.Groups[g].Blocks;
            var blocks = new WideBlock[blocksPerGroup];
            for (int b = 0; b < blocksPerGroup; b++) blocks[b] = WideBlock.SharingConvolutions(source[b], random);
            groups[g] = new WideGroup(blocks);
        }
        int width = groups[^1].OutChannels;
        return new WideResNet(booster.Stem, groups, new BatchNorm2d(width, random),
            new Linear(width, spec.Classes, random));
    }

    private static WideResNet StemOnly(WideResNet booster, WideResNetPairSpec spec, RandomGenerator random)
    {
        int n = WideResNet.BlocksPerGroup(spec.LightDepth);
        var groups = new WideGroup[3];
        int width = booster.Stem.OutChannels;
        for (int g = 0; g < 3; g++)
        {
            groups[g] = WideGroup.Create(n, width, WideResNet.GroupWidth(g, spec.Widen),
                WideResNet.GroupStride(g), random);
            width = groups[g].OutChannels;
        }
        return new WideResNet(booster.Stem, groups, new BatchNorm2d(width, random),
            new Linear(width, spec.Classes, random));
    }

    /// <inheritdoc/>
    public override (Tensor BoosterLogits, Tensor LightLogits) ForwardPair(Tensor input)
    {
        var stem = _booster.Stem.Forward(input); // shared by both nets in every scheme
        return (_booster.ForwardFromStem(stem), _light.ForwardFromStem(stem));
    }

    /// <inheritdoc/>
    public override Module ExtractLight()
    {
        using var unscoped = TensorScope.Unscoped(); // the copy outlives any step the caller is in
        return LightExtraction.CopyInto(Spec.CreateLight(new RandomGenerator(0)), _light);
    }
}
