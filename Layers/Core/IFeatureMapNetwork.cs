namespace RocketNet.Layers;

/// <summary>
/// A network that can also return intermediate feature maps from the same forward pass, for losses that
/// compare activations rather than logits (attention transfer compares the outputs of a Wide ResNet's groups).
/// </summary>
public interface IFeatureMapNetwork
{
    /// <summary>
    /// Logits [N, classes] and the feature maps [N, C_g, H_g, W_g] of the network's stages in order, from
    /// one forward pass (the maps take part in the autograd graph like the logits).
    /// </summary>
    (Tensor Logits, IReadOnlyList<Tensor> FeatureMaps) ForwardWithFeatureMaps(Tensor input);
}
