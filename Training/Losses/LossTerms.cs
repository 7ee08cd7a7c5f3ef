namespace RocketNet.Training.Losses;

/// <summary>
/// A loss and its weighted parts (for logging): <see cref="Total"/> is the sum of the parts that are
/// present. The tensors live in the caller's <see cref="TensorScope"/>; read them (e.g. with
/// <see cref="Values"/>) before it ends.
/// </summary>
/// <param name="Total">The scalar to backpropagate.</param>
/// <param name="BoosterCrossEntropy">CE(z), or null when the booster is not trained.</param>
/// <param name="LightCrossEntropy">CE(l) (for Hinton KD: (1 − α)·CE(l)), or null.</param>
/// <param name="Hint">λ·hint(l, z) (plus the weighted feature hint, when one is on), or null.</param>
/// <param name="Distillation">The teacher term (2αT²·KL, or β/2·AT for attention transfer), or null.</param>
public readonly record struct LossTerms(Tensor Total, Tensor? BoosterCrossEntropy, Tensor? LightCrossEntropy,
    Tensor? Hint, Tensor? Distillation)
{
    /// <summary>
    /// These terms with a weighted feature-hint term added to <see cref="Hint"/> and <see cref="Total"/>.
    /// </summary>
    public LossTerms WithFeatureHint(Tensor weightedFeatureHint) => this with
    {
        Total = Total + weightedFeatureHint,
        Hint = Hint is null ? weightedFeatureHint : Hint + weightedFeatureHint,
    };

    /// <summary>The current values as plain numbers (absent parts are 0).</summary>
    public LossValues Values() => new(
        Total.Item(), BoosterCrossEntropy?.Item() ?? 0, LightCrossEntropy?.Item() ?? 0, Hint?.Item() ?? 0,
            Distillation?.Item() ?? 0);
}

/// <summary>The values of a <see cref="LossTerms"/> (or their averages over an epoch).</summary>
/// <param name="Total">Total loss.</param>
/// <param name="BoosterCrossEntropy">Booster cross-entropy part.</param>
/// <param name="LightCrossEntropy">Light-net cross-entropy part.</param>
/// <param name="Hint">Weighted hint part.</param>
/// <param name="Distillation">Weighted teacher-distillation part.</param>
public readonly record struct LossValues(double Total, double BoosterCrossEntropy, double LightCrossEntropy,
    double Hint, double Distillation)
{
    /// <summary>Part-wise sum.</summary>
    public static LossValues operator +(LossValues a, LossValues b) => new(
        a.Total + b.Total, a.BoosterCrossEntropy + b.BoosterCrossEntropy, a.LightCrossEntropy + b.LightCrossEntropy,
        a.Hint + b.Hint, a.Distillation + b.Distillation);

    /// <summary>Part-wise scaling.</summary>
    public static LossValues operator *(LossValues a, double s) => new(
        a.Total * s, a.BoosterCrossEntropy * s, a.LightCrossEntropy * s, a.Hint * s, a.Distillation * s);
}
