namespace RocketNet.Training.Losses;

/// <summary>
/// Feature-based distillation (TorchEasyRec's option, not in the paper): each light hidden layer is pulled
/// toward a booster hidden layer of the same width, whose activations are a constant in this term.
/// </summary>
public enum FeatureHintKind
{
    /// <summary>No feature term (the paper).</summary>
    None,

    /// <summary>1 − cos(h_light, h_booster) per sample, averaged over the batch.</summary>
    Cosine,

    /// <summary>Squared distance Σ_unit (h_light − h_booster)² / width per sample, averaged over the batch.</summary>
    L2,
}
