using System.Globalization;
using RocketNet.Training.Losses;

namespace RocketNet.Training.Rocket;

/// <summary>
/// What happened in one epoch, for logs and learning curves. Values a method does not produce are NaN.
/// </summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="LearningRate">Learning rate at the epoch's first step.</param>
/// <param name="TrainLoss">Training loss and its weighted parts, averaged over samples.</param>
/// <param name="TrainLightAccuracy">Training accuracy of the light net (on the augmented batches, in train
/// mode).</param>
/// <param name="TrainBoosterAccuracy">Training accuracy of the booster.</param>
/// <param name="Validation">Validation results, or null when no validation set was given.</param>
/// <param name="Seconds">Wall-clock time of the epoch, validation included.</param>
/// <param name="TrainSeconds">Wall-clock time of the epoch's training steps alone (what training-cost comparisons
/// use).</param>
/// <param name="Collapsed">The nets (light, booster) whose logits were the same for every sample of the epoch's last
/// batch: a net that has collapsed to a constant output (typically every ReLU of a layer dead after a too-large
/// step) gets no gradient that could bring it back, although its loss stays finite.</param>
public sealed record EpochRecord(int Epoch, double LearningRate, LossValues TrainLoss, double TrainLightAccuracy,
    double TrainBoosterAccuracy, PairEvaluation? Validation, double Seconds, double TrainSeconds = double.NaN,
    CollapsedNets Collapsed = CollapsedNets.None)
{
    /// <summary>Column names matching <see cref="ToCsvRow"/>.</summary>
    public const string CsvHeader =
        "epoch,lr,train_loss,train_booster_ce,train_light_ce,train_hint,train_distillation," +
        "train_light_acc,train_booster_acc," +
        "val_light_acc,val_light_loss,val_booster_acc,val_booster_loss,val_light_auc,val_booster_auc,seconds," +
        "val_light_gauc,val_booster_gauc,train_seconds";

    /// <summary>The record as one CSV line (invariant culture, no trailing newline).</summary>
    public string ToCsvRow()
    {
        var light = Validation?.Light ?? new ModelEvaluation(0, double.NaN, double.NaN);
        var booster = Validation?.Booster ?? new ModelEvaluation(0, double.NaN, double.NaN);
        double[] values =
        [
            LearningRate, TrainLoss.Total, TrainLoss.BoosterCrossEntropy, TrainLoss.LightCrossEntropy, TrainLoss.Hint,
            TrainLoss.Distillation, TrainLightAccuracy, TrainBoosterAccuracy, light.Accuracy,
                light.Loss, booster.Accuracy,
            booster.Loss, light.Auc, booster.Auc, Seconds, light.GroupAuc, booster.GroupAuc, TrainSeconds,
        ];
        return Epoch.ToString(CultureInfo.InvariantCulture) + "," +
               string.Join(",", values.Select(v => v.ToString("G9", CultureInfo.InvariantCulture)));
    }
}
