namespace RocketNet.Layers;

/// <summary>
/// Options of <see cref="RocketPair.ForwardPair(Tensor, PairForwardOptions)"/>, the two variants of joint
/// training that Alibaba's production re-implementation (TorchEasyRec) adds to the paper.
/// </summary>
/// <param name="LightDetachesShared">
/// The light net reads the shared layers' output as a constant (<see cref="Tensor.StopGradient"/>): only the
/// booster trains the shared parameters; the light net trains its own layers (TorchEasyRec's
/// <c>light_mlp(share_net.detach())</c>).
/// </param>
/// <param name="CollectHiddenFeatures">Also return each net's hidden-layer activations (for a feature hint).</param>
public readonly record struct PairForwardOptions(bool LightDetachesShared, bool CollectHiddenFeatures);

/// <summary>What <see cref="RocketPair.ForwardPair(Tensor, PairForwardOptions)"/> returns.</summary>
/// <param name="BoosterLogits">z: [N, C].</param>
/// <param name="LightLogits">l: [N, C].</param>
/// <param name="BoosterHidden">The booster head's hidden activations in order, each [N, width] (empty unless asked
/// for).</param>
/// <param name="LightHidden">The light head's hidden activations in order, each [N, width] (empty unless asked
/// for).</param>
public sealed record PairOutputs(Tensor BoosterLogits, Tensor LightLogits, IReadOnlyList<Tensor> BoosterHidden,
    IReadOnlyList<Tensor> LightHidden);
