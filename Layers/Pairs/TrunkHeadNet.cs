namespace RocketNet.Layers;

/// <summary>A net made of a trunk followed by a head: y = head(trunk(x)). Children: trunk, head.</summary>
public sealed class TrunkHeadNet : Module
{
    /// <summary>The lower part (shared in a <see cref="TrunkPair"/>).</summary>
    public Module Trunk { get; }

    /// <summary>The upper part.</summary>
    public Module Head { get; }

    /// <summary>Chains <paramref name="trunk"/> and <paramref name="head"/>.</summary>
    public TrunkHeadNet(Module trunk, Module head)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        ArgumentNullException.ThrowIfNull(head);
        Trunk = RegisterModule("trunk", trunk);
        Head = RegisterModule("head", head);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Head.Forward(Trunk.Forward(input));

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) =>
        Trunk.TryAddInferenceSteps(builder) && Head.TryAddInferenceSteps(builder);
}
