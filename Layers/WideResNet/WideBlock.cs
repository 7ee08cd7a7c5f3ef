namespace RocketNet.Layers;

/// <summary>
/// Pre-activation Wide ResNet block (as in the attention-transfer / Rocket Launching code):
/// o1 = ReLU(bn0(x)); y = conv0(o1) (3×3, stride); o2 = ReLU(bn1(y));
/// out = conv1(o2) (3×3) + (proj(o1) (1×1, stride) if the width changes, else x).
/// x: [N, inC, H, W] → [N, outC, H/stride, W/stride]. Convs have no bias. Children: bn0, conv0, bn1, conv1, proj.
/// </summary>
public sealed class WideBlock : Module
{
    /// <summary>Batch norm before conv0 (over inC).</summary>
    public BatchNorm2d Bn0 { get; }

    /// <summary>3×3 convolution inC → outC with the block's stride.</summary>
    public Conv2d Conv0 { get; }

    /// <summary>Batch norm before conv1 (over outC).</summary>
    public BatchNorm2d Bn1 { get; }

    /// <summary>3×3 convolution outC → outC.</summary>
    public Conv2d Conv1 { get; }

    /// <summary>1×1 projection shortcut inC → outC (stride), present only when the width changes.</summary>
    public Conv2d? Projection { get; }

    /// <summary>Input channels.</summary>
    public int InChannels => Conv0.InChannels;

    /// <summary>Output channels.</summary>
    public int OutChannels => Conv0.OutChannels;

    /// <summary>
    /// Creates a block with fresh convolutions and batch norms initialised from <paramref name="random"/>.
    /// </summary>
    public WideBlock(int inChannels, int outChannels, int stride, RandomGenerator random)
        : this(new BatchNorm2d(inChannels, random),
               new Conv2d(inChannels, outChannels, 3, random, stride, padding: 1, bias: false),
               new BatchNorm2d(outChannels, random),
               new Conv2d(outChannels, outChannels, 3, random, 1, padding: 1, bias: false),
               inChannels != outChannels ? new Conv2d(inChannels, outChannels, 1, random, stride, padding: 0,
                   bias: false) : null)
    {
    }

    private WideBlock(BatchNorm2d bn0, Conv2d conv0, BatchNorm2d bn1, Conv2d conv1, Conv2d? projection)
    {
        Bn0 = RegisterModule("bn0", bn0);
        Conv0 = RegisterModule("conv0", conv0);
        Bn1 = RegisterModule("bn1", bn1);
        Conv1 = RegisterModule("conv1", conv1);
        if (projection is not null) Projection = RegisterModule("proj", projection);
    }

    /// <summary>
    /// A block that uses <paramref name="source"/>'s convolution modules (the same tensors, not copies)
    /// with its own new batch norms — how a light net shares a booster block (batch norm is never shared).
    /// </summary>
    public static WideBlock SharingConvolutions(WideBlock source, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new WideBlock(new BatchNorm2d(source.InChannels, random), source.Conv0,
            new BatchNorm2d(source.OutChannels, random), source.Conv1, source.Projection);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        // BN → ReLU fused into one op (bit-identical to Bn0.Forward(input).Relu(), one memory pass fewer each way).
        var o1 = Bn0.ForwardWithRelu(input);
        var y = Conv0.Forward(o1);
        var o2 = Bn1.ForwardWithRelu(y);
        var shortcut = Projection is null ? input : Projection.Forward(o1);
        return Conv1.ForwardAdd(o2, shortcut);
    }
}
