namespace RocketNet.Layers;

/// <summary>
/// Wide ResNet WRN-d-k (pre-activation, as in the Rocket Launching reference code):
/// stem conv3×3 inC → 16; groups of n = (d − 4)/6 <see cref="WideBlock"/>s with widths 16k, 32k, 64k and
/// strides 1, 2, 2; head ReLU(bn) → global average pool → fc. Convs have no bias.
/// x: [N, inC, H, W] → logits [N, classes]. Children: stem, group0…, bn, fc.
/// A net may also be assembled from existing parts (a shared stem, shared-conv groups, or only the first
/// groups), which is how the booster/light pairs are built.
/// </summary>
public sealed class WideResNet : Module, IFeatureMapNetwork
{
    private readonly WideGroup[] _groups;

    /// <summary>Stem 3×3 convolution inC → 16.</summary>
    public Conv2d Stem { get; }

    /// <summary>The groups in order.</summary>
    public IReadOnlyList<WideGroup> Groups => _groups;

    /// <summary>Batch norm of the head.</summary>
    public BatchNorm2d HeadBatchNorm { get; }

    /// <summary>Final classifier.</summary>
    public Linear Classifier { get; }

    /// <summary>Assembles a net from parts (parts may be shared with another net).</summary>
    /// <exception cref="ArgumentException">The widths of consecutive parts do not chain.</exception>
    public WideResNet(Conv2d stem, IReadOnlyList<WideGroup> groups, BatchNorm2d headBatchNorm, Linear classifier)
    {
        ArgumentNullException.ThrowIfNull(stem);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(headBatchNorm);
        ArgumentNullException.ThrowIfNull(classifier);
        if (groups.Count == 0) throw new ArgumentException("WideResNet needs at least one group.", nameof(groups));
        _groups = [.. groups];
        Stem = RegisterModule("stem", stem);
        int width = stem.OutChannels;
        for (int g = 0; g < _groups.Length; g++)
        {
            if (_groups[g].InChannels != width)
                throw new ArgumentException(
                    $"WideResNet: group{g} takes {_groups[g].InChannels} channels but receives {width}.",
                    nameof(groups));
            width = _groups[g].OutChannels;
            RegisterModule("group" + g.ToString(System.Globalization.CultureInfo.InvariantCulture), _groups[g]);
        }
        if (headBatchNorm.NumFeatures != width || classifier.InFeatures != width)
            throw new ArgumentException(
                $"WideResNet: head batch norm ({headBatchNorm.NumFeatures}) and classifier input " +
                $"({classifier.InFeatures}) must equal the last width {width}.");
        HeadBatchNorm = RegisterModule("bn", headBatchNorm);
        Classifier = RegisterModule("fc", classifier);
    }

    /// <summary>Blocks per group n = (d − 4)/6 for depth d.</summary>
    /// <exception cref="ArgumentException">d is not 6n + 4 with n ≥ 1.</exception>
    public static int BlocksPerGroup(int depth)
    {
        if (depth < 10 || (depth - 4) % 6 != 0)
            throw new ArgumentException(
                $"Wide ResNet depth must be 6n + 4 with n ≥ 1 (10, 16, 22, 28, 40, …), got {depth}.", nameof(depth));
        return (depth - 4) / 6;
    }

    /// <summary>Width of group <paramref name="group"/> (0-based) for widening factor k: 16k·2^group.</summary>
    public static int GroupWidth(int group, int widen) => 16 * widen << group;

    /// <summary>Stride of group <paramref name="group"/>: 1 for the first, 2 after.</summary>
    public static int GroupStride(int group) => group == 0 ? 1 : 2;

    /// <summary>The standard WRN-<paramref name="depth"/>-<paramref name="widen"/> with all three groups.</summary>
    public static WideResNet Create(int depth, int widen, int classes, RandomGenerator random, int inChannels = 3) =>
        Create(BlocksPerGroup(depth), widen, 3, classes, random, inChannels);

    /// <summary>
    /// A net with the first <paramref name="groupCount"/> groups of <paramref name="blocksPerGroup"/> blocks
    /// each (3 groups is the standard WRN; 2 is the "bottom" light net), head on the last group's width.
    /// </summary>
    public static WideResNet Create(int blocksPerGroup, int widen, int groupCount, int classes,
        RandomGenerator random, int inChannels = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocksPerGroup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(widen);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        if (groupCount is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(groupCount), groupCount,
            "A Wide ResNet has 1 to 3 groups.");
        var stem = new Conv2d(inChannels, 16, 3, random, 1, padding: 1, bias: false);
        var groups = new WideGroup[groupCount];
        int width = 16;
        for (int g = 0; g < groupCount; g++)
        {
            groups[g] = WideGroup.Create(blocksPerGroup, width, GroupWidth(g, widen), GroupStride(g), random);
            width = GroupWidth(g, widen);
        }
        return new WideResNet(stem, groups, new BatchNorm2d(width, random), new Linear(width, classes, random));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => ForwardFromStem(Stem.Forward(input));

    /// <summary>
    /// The rest of the net after the stem: <paramref name="stemOutput"/> [N, 16, H, W] → logits [N, classes].
    /// Lets a pair whose nets share the stem compute it once.
    /// </summary>
    public Tensor ForwardFromStem(Tensor stemOutput)
    {
        var h = stemOutput;
        foreach (var group in _groups) h = group.Forward(h);
        return Head(h);
    }

    /// <summary>
    /// Logits and each group's output (pre-activation, before the next group's batch norm), e.g. the
    /// [N, 16k, 32, 32], [N, 32k, 16, 16], [N, 64k, 8, 8] maps that attention transfer compares.
    /// </summary>
    public (Tensor Logits, IReadOnlyList<Tensor> FeatureMaps) ForwardWithFeatureMaps(Tensor input)
    {
        var maps = new Tensor[_groups.Length];
        var h = Stem.Forward(input);
        for (int g = 0; g < _groups.Length; g++) h = maps[g] = _groups[g].Forward(h);
        return (Head(h), maps);
    }

    // ReLU(BN(h)) (one fused op) → global average pool → fc: [N, C, H, W] → [N, classes].
    private Tensor Head(Tensor h) => Classifier.Forward(Functional.GlobalAvgPool2d(HeadBatchNorm.ForwardWithRelu(h)));
}
