namespace RocketNet.Training.Losses;

/// <summary>
/// How the light net is pulled toward the booster (the hint term of paper Eq. 1; Table 3 compares them).
/// </summary>
public enum HintKind
{
    /// <summary>Squared L2 distance between logits, Σ_batch Σ_class (z − l)² / N — the paper's choice.</summary>
    LogitMse,

    /// <summary>Squared L2 distance between probabilities, Σ_batch Σ_class (softmax(z) − softmax(l))² / N.</summary>
    ProbabilityMse,

    /// <summary>
    /// Soft-target cross-entropy H(softmax(z/T), softmax(l/T)) = −Σ_class softmax(z/T)·log softmax(l/T),
    /// averaged over the batch (gradient w.r.t. l: (softmax(l/T) − softmax(z/T)) / T per sample).
    /// </summary>
    Kd,
}
