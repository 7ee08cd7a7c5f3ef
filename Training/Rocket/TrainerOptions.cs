using RocketNet.Layers;
using RocketNet.Training.Losses;

namespace RocketNet.Training.Rocket;

/// <summary>Settings of a <see cref="RocketTrainer"/> run.</summary>
public sealed record TrainerOptions
{
    /// <summary>What is trained (default: Rocket Launching).</summary>
    public Method Method { get; init; } = Method.Rocket;

    /// <summary>Loss settings: hint kind, λ, gradient block, T, α.</summary>
    public LossOptions Loss { get; init; } = new();

    /// <summary>Number of epochs <see cref="RocketTrainer.Fit"/> runs.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>
    /// The pre-trained, frozen network whose logits t feed <see cref="Method.RocketKd"/>, <see cref="Method.Kd"/>
    /// and <see cref="Method.NoJoint"/>; it runs in eval mode without gradients. Must be null for other methods.
    /// </summary>
    public Module? Teacher { get; init; }

    /// <summary>Batch size used for validation (default 256).</summary>
    public int EvaluationBatchSize { get; init; } = 256;
}
