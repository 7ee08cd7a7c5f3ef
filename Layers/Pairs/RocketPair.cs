namespace RocketNet.Layers;

/// <summary>
/// A booster net and a light net that share some lower layers (Rocket Launching). The pair is itself a
/// <see cref="Module"/> whose parameters are the union of both nets' parameters (shared tensors once).
/// <see cref="ForwardPair(Tensor)"/> returns both nets' logits — z from the booster, l from the light net — and
/// may compute a shared trunk only once. BatchNorm is never shared: each net has its own.
/// </summary>
public abstract class RocketPair : Module
{
    /// <summary>The booster as a module whose Forward gives z (it contains the shared layers).</summary>
    public abstract Module Booster { get; }

    /// <summary>The light net as a module whose Forward gives l (it contains the shared layers by reference).</summary>
    public abstract Module Light { get; }

    /// <summary>Booster logits z and light logits l for the same input.</summary>
    public virtual (Tensor BoosterLogits, Tensor LightLogits) ForwardPair(Tensor input) =>
        (Booster.Forward(input), Light.Forward(input));

    /// <summary>
    /// Both nets' logits with the variants of <paramref name="options"/>. Plain options give
    /// <see cref="ForwardPair(Tensor)"/>'s result; pairs that support the variants override this.
    /// </summary>
    /// <exception cref="NotSupportedException">This kind of pair does not support a requested variant.</exception>
    public virtual PairOutputs ForwardPair(Tensor input, PairForwardOptions options)
    {
        if (options.LightDetachesShared || options.CollectHiddenFeatures)
            throw new NotSupportedException(
                $"{GetType().Name} cannot detach the shared layers for the light net or return hidden features; " +
                "these variants need a trunk pair (MLP or CTR towers: --arch mlp or ctr).");
        var (booster, light) = ForwardPair(input);
        return new PairOutputs(booster, light, [], []);
    }

    /// <summary>
    /// The architecture this pair was built from (its <see cref="PairSpec.Describe"/> is the one-line description a
    /// checkpoint carries).
    /// </summary>
    /// <exception cref="InvalidOperationException">The pair was built from parts without a spec.</exception>
    public virtual PairSpec Spec => throw new InvalidOperationException(
        $"This {GetType().Name} was built from user modules and has no architecture spec; build it from a PairSpec " +
        "(or register one with ArchitectureRegistry) to describe it.");

    /// <summary>The light net's logits (a pair's Forward is its light net, the part that ships).</summary>
    public override Tensor Forward(Tensor input) => Light.Forward(input);

    /// <summary>
    /// A standalone copy of the light net for inference and export: same architecture and values, its own
    /// tensors, no booster-only parameters.
    /// </summary>
    public abstract Module ExtractLight();

    /// <summary>Parameters used by both nets (W_S in the paper).</summary>
    public IReadOnlyList<Tensor> SharedParameters() => Intersect(Booster.Parameters(), Light.Parameters());

    /// <summary>Parameters only the booster uses (W_B).</summary>
    public IReadOnlyList<Tensor> BoosterOnlyParameters() => Except(Booster.Parameters(), Light.Parameters());

    /// <summary>Parameters only the light net uses (W_L).</summary>
    public IReadOnlyList<Tensor> LightOnlyParameters() => Except(Light.Parameters(), Booster.Parameters());

    private static List<Tensor> Intersect(IEnumerable<Tensor> a, IEnumerable<Tensor> b)
    {
        var set = new HashSet<Tensor>(b, ReferenceEqualityComparer.Instance);
        return a.Where(set.Contains).ToList();
    }

    private static List<Tensor> Except(IEnumerable<Tensor> a, IEnumerable<Tensor> b)
    {
        var set = new HashSet<Tensor>(b, ReferenceEqualityComparer.Instance);
        return a.Where(t => !set.Contains(t)).ToList();
    }
}
