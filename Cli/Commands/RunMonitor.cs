using System.Globalization;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>
/// Watches a <c>rocketnet train</c> run epoch by epoch: it stops a run whose training loss blew up (finite, but
/// orders of magnitude above its lowest epoch loss) or whose net collapsed, before anything of that epoch is saved,
/// and, with a validation split, it keeps the best validation epoch (for <c>best.safetensors</c>) and counts the
/// evaluated epochs since (for <c>--early-stop</c>). Its state travels in the checkpoint's metrics
/// (<see cref="AddTo"/>, <see cref="Restore"/>), so a resumed run decides exactly as an uninterrupted one.
/// </summary>
public sealed class RunMonitor
{
    /// <summary>Metric key: the checkpoint metric that chooses the best epoch (<c>val_light_accuracy</c>…).</summary>
    public const string SelectedByMetric = "selected_by";

    /// <summary>Metric key: the 1-based best epoch so far.</summary>
    public const string BestEpochMetric = "best_epoch";

    /// <summary>Metric key: the best epoch's value of <see cref="SelectedByMetric"/> (round-trip format).</summary>
    public const string BestValueMetric = "best_value";

    /// <summary>Metric key: evaluated epochs since the best one.</summary>
    public const string SinceBestMetric = "evaluations_since_best";

    /// <summary>Metric key: the lowest mean training loss of an epoch so far (round-trip format).</summary>
    public const string LowestLossMetric = "lowest_train_loss";

    // Below this loss a run fits its training data almost perfectly: rising from 1e-5 to 1e-2 is not a blow-up,
    // so the divergence factor applies to at least this much.
    private const double LossFloor = 0.01;

    private readonly int _patience;
    private readonly double _divergenceFactor;

    /// <summary>Creates a monitor for a fresh run.</summary>
    /// <param name="selectedBy">The checkpoint metric that chooses the best epoch (see
    /// <see cref="SelectionMetric"/>), or null without a validation split.</param>
    /// <param name="patience">Evaluated epochs without improvement that end the run (0: never).</param>
    /// <param name="divergenceFactor">How many times its lowest epoch loss an epoch's loss may reach.</param>
    public RunMonitor(string? selectedBy, int patience, double divergenceFactor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(divergenceFactor, 1.0);
        (SelectedBy, _patience, _divergenceFactor) = (selectedBy, patience, divergenceFactor);
    }

    /// <summary>The checkpoint metric that chooses the best epoch, or null without a validation split.</summary>
    public string? SelectedBy { get; }

    /// <summary>The 1-based best epoch so far (0: none yet).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The best epoch's value of <see cref="SelectedBy"/> (NaN: none yet).</summary>
    public double BestValue { get; private set; } = double.NaN;

    /// <summary>Evaluated epochs since the best one.</summary>
    public int EvaluationsSinceBest { get; private set; }

    /// <summary>The lowest mean training loss of an epoch so far.</summary>
    public double LowestTrainLoss { get; private set; } = double.PositiveInfinity;

    /// <summary>True when <c>--early-stop</c> patience has run out: the run ends after this epoch.</summary>
    public bool PatienceExhausted => _patience > 0 && BestEpoch > 0 && EvaluationsSinceBest >= _patience;

    /// <summary>
    /// The validation metric that chooses the best epoch, named as in the checkpoint metrics: that of the net the
    /// method trains (the light net; the booster for <c>--method booster</c>), GAUC for two classes with group ids,
    /// AUC for two classes, accuracy otherwise, as <c>eval</c> and <c>launch</c> report them.
    /// </summary>
    public static string SelectionMetric(Dataset validation, TrainingMethod method)
    {
        ArgumentNullException.ThrowIfNull(validation);
        string net = method == TrainingMethod.Booster ? "booster" : "light";
        string kind = validation.ClassCount != 2 ? "accuracy" : validation.Groups is null ? "auc" : "gauc";
        return $"val_{net}_{kind}";
    }

    /// <summary>Takes over the state a checkpoint recorded (a checkpoint without it leaves a fresh state, except the
    /// loss: its own epoch's <c>train_loss</c> is a lowest loss).</summary>
    /// <exception cref="UsageException">The checkpoint chose its best epoch by another metric.</exception>
    /// <exception cref="InvalidDataException">A recorded value is not a number.</exception>
    public void Restore(IReadOnlyDictionary<string, string> metrics, string path)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double Number(string key) => double.TryParse(metrics[key], NumberStyles.Float, CultureInfo.InvariantCulture,
            out double v) ? v : throw new InvalidDataException(
                $"Checkpoint '{path}': metric '{key}' is '{metrics[key]}', expected a number.");
        foreach (string key in new[] { LowestLossMetric, "train_loss" })
        {
            if (metrics.ContainsKey(key)) LowestTrainLoss = Math.Min(LowestTrainLoss, Number(key));
        }
        if (SelectedBy is null || !metrics.TryGetValue(SelectedByMetric, out string? recorded)) return;
        if (recorded != SelectedBy)
            throw new UsageException(
                $"--resume: the run chose its best epoch by {recorded}, but these options choose it by {SelectedBy} " +
                "(same --method and --data as the run it continues)");
        BestEpoch = (int)Number(BestEpochMetric);
        BestValue = Number(BestValueMetric);
        EvaluationsSinceBest = (int)Number(SinceBestMetric);
    }

    /// <summary>
    /// Stops the run, before anything of <paramref name="record"/>'s epoch is saved, when its loss blew up or a net
    /// collapsed.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The epoch's loss is more than the divergence factor times the
    /// lowest epoch loss (or <see cref="LossFloor"/>), or a net's output no longer depends on its input.</exception>
    public void RequireHealthy(EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string kept = record.Epoch == 0 ? "no checkpoint was written" : $"last.safetensors keeps epoch {record.Epoch}" +
            (BestEpoch > 0 ? $" and best.safetensors epoch {BestEpoch}" : "");
        double loss = record.TrainLoss.Total, limit = _divergenceFactor * Math.Max(LowestTrainLoss, LossFloor);
        if (loss > limit)
            throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
                $"Training diverged in epoch {record.Epoch + 1}: its loss {loss:G3} is more than " +
                $"{_divergenceFactor:G} times the lowest epoch loss {LowestTrainLoss:G3} (--divergence-factor). " +
                $"Nothing of this epoch was saved: {kept}; lower --lr (or --lambda) and start again or resume."));
        if (record.Collapsed != CollapsedNets.None)
            throw new TrainingDivergedException(
                $"Training stopped in epoch {record.Epoch + 1}: {RunLog.DescribeCollapse(record.Collapsed)}. " +
                $"Nothing of this epoch was saved: {kept}.");
    }

    /// <summary>
    /// Takes in a healthy epoch; true when its validation metric beats every earlier epoch's (it becomes the best).
    /// An evaluated epoch that does not counts towards the patience; an epoch without evaluation does not count.
    /// </summary>
    public bool Observe(EpochRecord record, IReadOnlyDictionary<string, string> metrics)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(metrics);
        LowestTrainLoss = Math.Min(LowestTrainLoss, record.TrainLoss.Total);
        if (SelectedBy is null || record.Validation is null) return false;
        // NaN (e.g. an AUC on a split with one class) is absent from the metrics and never an improvement.
        double value = metrics.TryGetValue(SelectedBy, out string? text)
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : double.NaN;
        if (double.IsNaN(value) || (BestEpoch > 0 && !(value > BestValue)))
        {
            EvaluationsSinceBest++;
            return false;
        }
        (BestEpoch, BestValue, EvaluationsSinceBest) = (record.Epoch + 1, value, 0);
        return true;
    }

    /// <summary>Records the state in checkpoint metrics (best-epoch keys only with a validation split).</summary>
    public void AddTo(IDictionary<string, string> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (double.IsFinite(LowestTrainLoss)) metrics[LowestLossMetric] = R(LowestTrainLoss);
        if (SelectedBy is null || BestEpoch == 0) return;
        metrics[SelectedByMetric] = SelectedBy;
        metrics[BestEpochMetric] = BestEpoch.ToString(CultureInfo.InvariantCulture);
        metrics[BestValueMetric] = R(BestValue);
        metrics[SinceBestMetric] = EvaluationsSinceBest.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>One plain line about the best epoch, e.g. "best epoch 4 (val_light_accuracy 0.9512)".</summary>
    public string DescribeBest() => string.Create(CultureInfo.InvariantCulture,
        $"best epoch {BestEpoch} ({SelectedBy} {BestValue:F4})");

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
