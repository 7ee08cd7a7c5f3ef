using RocketNet.Layers;

namespace RocketNet.Training.Rocket;

/// <summary>What a training run optimises (the columns of the paper's tables).</summary>
public enum TrainingMethod
{
    /// <summary>The light net alone on CE(l) ("base").</summary>
    Base,

    /// <summary>The booster alone on CE(z) ("booster alone").</summary>
    Booster,

    /// <summary>Joint training, paper Eq. 1: CE(z) + CE(l) + λ·hint(l, z).</summary>
    Rocket,

    /// <summary>Rocket plus 2αT²·KL from a separately pre-trained, frozen teacher ("rocket+KD").</summary>
    RocketKd,

    /// <summary>Hinton KD of the light net from a pre-trained, frozen teacher: 2αT²·KL + (1 − α)·CE ("KD").</summary>
    Kd,

    /// <summary>
    /// "No joint training": the light net trained with CE(l) + λ·hint(l, t) toward a booster that was trained
    /// first and is now frozen (given as the teacher).
    /// </summary>
    NoJoint,

    /// <summary>
    /// Attention transfer ("AT" baseline): the light net trained with CE(l) + β/2·Σ_groups AT loss toward the
    /// group outputs of a pre-trained, frozen teacher (both must be <see cref="IFeatureMapNetwork"/>s).
    /// </summary>
    AttentionTransfer,
}
