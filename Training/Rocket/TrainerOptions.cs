using RocketNet.Layers;
using RocketNet.Training.Losses;

namespace RocketNet.Training.Rocket;

/// <summary>Settings of a <see cref="RocketTrainer"/> run.</summary>
public sealed record TrainerOptions
{
    /// <summary>What is trained (default: Rocket Launching).</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.Rocket;

    /// <summary>Loss settings: hint kind, λ, gradient block, T, α.</summary>
    public LossOptions Loss { get; init; } = new();

    /// <summary>Number of epochs <see cref="RocketTrainer.Fit"/> runs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>
    /// The pre-trained, frozen network whose logits t feed <see cref="TrainingMethod.RocketKd"/>,
    /// <see cref="TrainingMethod.Kd"/>
    /// and <see cref="TrainingMethod.NoJoint"/> (and whose feature maps feed
    /// <see cref="TrainingMethod.AttentionTransfer"/>);
    /// it runs in eval mode without gradients. Must be null for other methods.
    /// </summary>
    public Module? Teacher { get; init; }

    /// <summary>Batch size used for validation (default 256).</summary>
    public int EvaluationBatchSize { get; init; } = 256;

    /// <summary>Called after every training step with the epoch's running averages (e.g. for a progress bar).</summary>
    public Action<BatchProgress>? OnBatch { get; init; }
}

/// <summary>Progress within an epoch: running averages over the batches done so far.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Batch">Batches done in this epoch (1-based count).</param>
/// <param name="BatchesPerEpoch">Batches in the epoch.</param>
/// <param name="Loss">Mean total loss so far.</param>
/// <param name="Accuracy">Training accuracy so far of the light net (the booster's for
/// <see cref="TrainingMethod.Booster"/>).</param>
/// <param name="Samples">Samples seen so far in this epoch.</param>
public readonly record struct BatchProgress(int Epoch, int Batch, int BatchesPerEpoch, double Loss,
    double Accuracy, long Samples);
