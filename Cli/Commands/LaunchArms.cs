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
/// How every arm of a <c>launch --data</c> comparison is trained: the same nets, optimiser and schedule, and, with
/// <paramref name="KeepBest"/>, the same rule bare <c>train</c> applies to a table (the epoch with the best
/// validation metric is the one that ships).
/// </summary>
/// <param name="Architecture">The pair's registry description.</param>
/// <param name="Epochs">Epochs per run.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="LearningRate">Adam's learning rate at the top of the cosine schedule.</param>
/// <param name="KeepBest">Evaluate the trained net on the validation part after every epoch and return its best
/// epoch's weights (<see cref="OwnDataDefaults.Validation"/> &gt; 0).</param>
internal sealed record LaunchRecipe(string Architecture, int Epochs, int BatchSize, double LearningRate,
    bool KeepBest = false)
{
    /// <summary>
    /// Trains <paramref name="arm"/> on <paramref name="train"/> with <paramref name="seed"/> (initialisation and
    /// batch order) and returns the trained pair and the 1-based epoch whose weights it holds (the last one, or with
    /// <see cref="KeepBest"/> the best on <paramref name="validation"/> by <see cref="Score"/>);
    /// <paramref name="teacher"/> is the booster KD learns from.
    /// </summary>
    public TrainedArm Train(LaunchArm arm, Dataset train, int seed, Module? teacher = null,
        Dataset? validation = null)
    {
        if (KeepBest && validation is null)
            throw new ArgumentNullException(nameof(validation), "KeepBest needs the validation part to choose on.");
        var (pair, trainer, loader) = Start(arm, train, seed, teacher);
        if (!KeepBest)
        {
            trainer.Fit(loader);
            return new TrainedArm(pair, Epochs, []);
        }
        // The best epoch's weights (buffers included: batch norm's running statistics) are copied out, so the
        // returned pair is the net an export of best.safetensors would ship. Ties keep the earlier epoch.
        Dictionary<string, Tensor>? best = null;
        double bestScore = double.NegativeInfinity;
        int bestEpoch = 0;
        var scores = new List<double>(Epochs);
        trainer.Fit(loader, onEpoch: record =>
        {
            double score = Score(Evaluate(arm, pair, validation!));
            scores.Add(score);
            if (!(score > bestScore)) return;
            (bestScore, bestEpoch) = (score, record.Epoch + 1);
            best = pair.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        });
        if (best is not null) pair.LoadStateDict(best);
        return new TrainedArm(pair, bestEpoch == 0 ? Epochs : bestEpoch, scores);
    }

    /// <summary>
    /// Trains <paramref name="arm"/> on <paramref name="train"/> (the whole training part: the training and validation
    /// shares together) for the first <paramref name="epochs"/> epochs of the same <see cref="Epochs"/>-epoch schedule,
    /// so every epoch sees the learning rate it saw when the epoch count was chosen on validation.
    /// </summary>
    public TrainedArm Refit(LaunchArm arm, Dataset train, int seed, int epochs, Module? teacher = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(epochs, Epochs);
        var (pair, trainer, loader) = Start(arm, train, seed, teacher);
        for (int epoch = 0; epoch < epochs; epoch++) trainer.RunEpoch(epoch, loader);
        return new TrainedArm(pair, epochs, []);
    }

    /// <summary>
    /// The 1-based epoch whose validation score, averaged over <paramref name="curves"/> (one per seed, as
    /// <see cref="TrainedArm.EpochScores"/>), is highest; ties keep the earlier epoch. One seed's best epoch on a
    /// small validation share is noisy (on a 123-row share it moves by tens of epochs between seeds); the mean
    /// curve's peak is what the seeds agree on.
    /// </summary>
    public static int BestMeanEpoch(IReadOnlyList<IReadOnlyList<double>> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0 || curves.Any(c => c.Count != curves[0].Count) || curves[0].Count == 0)
            throw new ArgumentException("Expected one non-empty validation curve per seed, all of one length.",
                nameof(curves));
        int best = 0;
        double bestMean = double.NegativeInfinity;
        for (int epoch = 0; epoch < curves[0].Count; epoch++)
        {
            double mean = curves.Average(c => c[epoch]);
            if (mean > bestMean) (best, bestMean) = (epoch, mean);
        }
        return best + 1;
    }

    // The pair, trainer and batch order every arm starts from: seeded initialisation, Adam on the arm's parameters,
    // the cosine schedule over Epochs, and a final batch of one sample dropped (batch norm needs two).
    private (RocketPair Pair, RocketTrainer Trainer, BatchLoader Loader) Start(LaunchArm arm, Dataset train, int seed,
        Module? teacher)
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
        var loader = new BatchLoader(train, batch, shuffle: true, seed: (ulong)seed,
            dropLast: BatchLoader.LastBatchIsSingle(train.Count, batch));
        return (pair, trainer, loader);
    }

    /// <summary>The light net's (the booster's, for the booster alone) validation result of a trained pair.</summary>
    public static ModelEvaluation Evaluate(LaunchArm arm, RocketPair pair, Dataset validation)
    {
        bool booster = arm.Method == TrainingMethod.Booster;
        var result = Evaluator.Evaluate(pair, validation, light: !booster, booster: booster);
        return booster ? result.Booster : result.Light;
    }

    /// <summary>The metric that ranks epochs and arms: AUC for two classes, accuracy otherwise (as bare
    /// <c>train</c>'s best epoch, <see cref="RunMonitor.SelectionMetric"/>, without group ids).</summary>
    public static double Score(ModelEvaluation evaluation) =>
        double.IsNaN(evaluation.Auc) ? evaluation.Accuracy : evaluation.Auc;
}

/// <summary>A pair trained by <see cref="LaunchRecipe.Train"/> and the 1-based epoch whose weights it holds.</summary>
/// <param name="Pair">The trained pair.</param>
/// <param name="Epoch">The epoch its weights come from (the best on validation, or the last).</param>
/// <param name="EpochScores">The validation score (<see cref="LaunchRecipe.Score"/>) after each epoch, with
/// <see cref="LaunchRecipe.KeepBest"/>; empty without.</param>
internal sealed record TrainedArm(RocketPair Pair, int Epoch, IReadOnlyList<double> EpochScores);
