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

/// <summary>
/// Which nets a <see cref="TrainingMethod"/> trains and what it needs, answered once for the trainer, its
/// evaluation and its reports.
/// </summary>
public static class TrainingMethods
{
    /// <summary>True when the method trains the light net: every method but <see cref="TrainingMethod.Booster"/>.
    /// </summary>
    public static bool TrainsLight(this TrainingMethod method) => method != TrainingMethod.Booster;

    /// <summary>
    /// True when the method runs and trains the booster: <see cref="TrainingMethod.Booster"/> alone, or jointly
    /// with the light net (<see cref="IsJoint"/>).
    /// </summary>
    public static bool TrainsBooster(this TrainingMethod method) =>
        method is TrainingMethod.Booster or TrainingMethod.Rocket or TrainingMethod.RocketKd;

    /// <summary>True when the method trains both nets together (Rocket, RocketKd): all of the pair's parameters.
    /// </summary>
    public static bool IsJoint(this TrainingMethod method) =>
        method is TrainingMethod.Rocket or TrainingMethod.RocketKd;

    /// <summary>True when the method learns from a pre-trained, frozen teacher (RocketKd, Kd, NoJoint, AT).</summary>
    public static bool NeedsTeacher(this TrainingMethod method) =>
        method is TrainingMethod.RocketKd or TrainingMethod.Kd or TrainingMethod.NoJoint
            or TrainingMethod.AttentionTransfer;
}
