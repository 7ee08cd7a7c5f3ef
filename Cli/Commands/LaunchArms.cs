using System.Globalization;
using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Losses;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;

namespace RocketNet.Cli.Commands;

/// <summary>
/// One way of training the light net that <c>launch --data</c> compares: a method, its hint and λ, and whether it
/// needs the booster trained alone first (as KD's teacher).
/// </summary>
/// <param name="Name">Row name in the report.</param>
/// <param name="Method">The trainer's method.</param>
/// <param name="Hint">The hint loss (rocket arms).</param>
/// <param name="Lambda">The hint's weight λ.</param>
internal sealed record LaunchArm(string Name, TrainingMethod Method, HintKind Hint = HintKind.LogitMse,
    float Lambda = 0.03f)
{
    /// <summary>The light net trained alone: what every other arm must beat.</summary>
    public static readonly LaunchArm LightAlone = new("light alone", TrainingMethod.Base);

    /// <summary>The booster trained alone: reported, and the teacher of <see cref="Kd"/>.</summary>
    public static readonly LaunchArm BoosterAlone = new("booster alone", TrainingMethod.Booster);

    /// <summary>Hinton KD of the light net from the booster trained alone.</summary>
    public static readonly LaunchArm Kd = new("KD from the booster", TrainingMethod.Kd);

    /// <summary>
    /// The candidates that may replace the light net alone: rocket at a small λ grid (λ = 0 is joint training with
    /// shared layers and no hint), the probability-MSE and KD-style hints at the paper's λ, and KD from the booster.
    /// <paramref name="lambda"/> (the user's <c>--lambda</c>) is the λ of the paper-settings rocket arm.
    /// </summary>
    public static IReadOnlyList<LaunchArm> Candidates(double lambda)
    {
        var lambdas = new[] { 0, 0.003, 0.01, lambda }.Distinct().Order();
        return
        [
            .. lambdas.Select(l => new LaunchArm(
                string.Create(CultureInfo.InvariantCulture, $"rocket λ={l:0.###}"), TrainingMethod.Rocket,
                Lambda: (float)l)),
            new("rocket, probability MSE", TrainingMethod.Rocket, HintKind.ProbabilityMse, (float)lambda),
            new("rocket, KD hint", TrainingMethod.Rocket, HintKind.Kd, (float)lambda),
            Kd,
        ];
    }
}

/// <summary>
/// How every arm of a <c>launch --data</c> comparison is trained: the same nets, optimiser and schedule.
/// </summary>
/// <param name="Architecture">The pair's registry description.</param>
/// <param name="Epochs">Epochs per run.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="LearningRate">Adam's learning rate at the top of the cosine schedule.</param>
internal sealed record LaunchRecipe(string Architecture, int Epochs, int BatchSize, double LearningRate)
{
    /// <summary>
    /// Trains <paramref name="arm"/> on <paramref name="train"/> with <paramref name="seed"/> (initialisation and
    /// batch order) and returns the trained pair; <paramref name="teacher"/> is the booster KD learns from.
    /// </summary>
    public RocketPair Train(LaunchArm arm, Dataset train, int seed, Module? teacher = null)
    {
        var pair = ArchitectureRegistry.BuildPair(Architecture, new RandomGenerator((ulong)seed));
        var trainer = new RocketTrainer(pair,
            new Adam(RocketTrainer.TrainableParameters(pair, arm.Method), LearningRate),
            new CosineSchedule(LearningRate, Epochs),
            new TrainerOptions
            {
                Method = arm.Method,
                Epochs = Epochs,
                Loss = new LossOptions { Hint = arm.Hint, Lambda = arm.Lambda },
                Teacher = arm.Method == TrainingMethod.Kd ? teacher : null,
            });
        int batch = Math.Min(BatchSize, train.Count);
        trainer.Fit(new BatchLoader(train, batch, shuffle: true, seed: (ulong)seed,
            dropLast: BatchLoader.LastBatchIsSingle(train.Count, batch)));
        return pair;
    }

    /// <summary>The light net's (the booster's, for the booster alone) validation result of a trained pair.</summary>
    public static ModelEvaluation Evaluate(LaunchArm arm, RocketPair pair, Dataset validation)
    {
        bool booster = arm.Method == TrainingMethod.Booster;
        var result = Evaluator.Evaluate(pair, validation, light: !booster, booster: booster);
        return booster ? result.Booster : result.Light;
    }
}
