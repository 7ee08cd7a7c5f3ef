namespace RocketNet.Training.Losses;

/// <summary>
/// Settings of the Rocket Launching objective L = CE(z) + CE(l) + λ·hint(l, z) and of its distillation
/// variants. The defaults are the reference code's: logit MSE, λ = 0.03, gradient block on, T = 4, α = 0.9.
/// </summary>
public sealed record LossOptions
{
    /// <summary>Hint-loss form (default: logit MSE).</summary>
    public HintKind Hint { get; init; } = HintKind.LogitMse;

    /// <summary>Weight λ of the hint term (default 0.03).</summary>
    public float Lambda { get; init; } = 0.03f;

    /// <summary>
    /// Gradient block: inside the hint term only, the booster's logits are a constant
    /// (<see cref="Tensor.StopGradient"/>), so the booster learns from the labels alone. Default on.
    /// </summary>
    public bool GradientBlock { get; init; } = true;

    /// <summary>Which net's losses train the shared layers (default: both, as in the paper).</summary>
    public SharedGradient SharedGradient { get; init; } = SharedGradient.Both;

    /// <summary>Feature-based distillation between same-width hidden layers (default: none, as in the paper).</summary>
    public FeatureHintKind FeatureHint { get; init; } = FeatureHintKind.None;

    /// <summary>Weight of the feature term, summed over the paired layers (default 1).</summary>
    public float FeatureLambda { get; init; } = 1f;

    /// <summary>Distillation temperature T (default 4), for the KD hint and the teacher terms.</summary>
    public float Temperature { get; init; } = 4f;

    /// <summary>Distillation weight α (default 0.9): teacher terms are scaled by 2αT², Hinton's CE by 1 − α.</summary>
    public float Alpha { get; init; } = 0.9f;

    /// <summary>Weight β of the attention-transfer term (default 1e3, as in the AT reference code).</summary>
    public float AttentionBeta { get; init; } = AttentionTransfer.DefaultBeta;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">λ or the feature weight is negative, T is not positive, α is
    /// outside [0, 1], or an enum value is unknown.</exception>
    public void Validate()
    {
        if (!(Lambda >= 0) || !float.IsFinite(Lambda))
            throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda,
                "Hint weight λ must be finite and non-negative.");
        if (!(Temperature > 0) || !float.IsFinite(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be positive.");
        if (!(Alpha >= 0 && Alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be in [0, 1].");
        if (!(AttentionBeta >= 0) || !float.IsFinite(AttentionBeta))
            throw new ArgumentOutOfRangeException(nameof(AttentionBeta), AttentionBeta,
                "Attention-transfer weight β must be finite and non-negative.");
        if (!(FeatureLambda >= 0) || !float.IsFinite(FeatureLambda))
            throw new ArgumentOutOfRangeException(nameof(FeatureLambda), FeatureLambda,
                "Feature-hint weight must be finite and non-negative.");
        if (!Enum.IsDefined(SharedGradient))
            throw new ArgumentOutOfRangeException(nameof(SharedGradient), SharedGradient,
                "Unknown shared-gradient setting.");
        if (!Enum.IsDefined(FeatureHint))
            throw new ArgumentOutOfRangeException(nameof(FeatureHint), FeatureHint, "Unknown feature-hint kind.");
        if (!Enum.IsDefined(Hint))
            throw new ArgumentOutOfRangeException(nameof(Hint), Hint, "Unknown hint kind.");
    }
}
