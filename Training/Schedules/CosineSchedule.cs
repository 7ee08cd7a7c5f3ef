namespace RocketNet.Training.Schedules;

/// <summary>
/// Cosine annealing from the base rate to <see cref="MinRate"/> over <see cref="TotalEpochs"/>, after an
/// optional linear warm-up: lr(e) = base · e / w during the first w epochs, then
/// min + (base − min) · (1 + cos(π · (e − w) / (total − w))) / 2, and min from the end on.
/// </summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Total epochs not positive, warm-up outside [0, total), or min rate
    /// above base.</exception>
    public CosineSchedule(double baseRate, double totalEpochs, double warmupEpochs = 0, double minRate = 0)
    {
        BaseRate = RequireRate(baseRate, nameof(baseRate));
        MinRate = RequireRate(minRate, nameof(minRate));
        if (MinRate > BaseRate) throw new ArgumentOutOfRangeException(nameof(minRate), minRate,
            $"Minimum rate must not exceed the base rate {baseRate}.");
        if (!(totalEpochs > 0) || !double.IsFinite(totalEpochs))
            throw new ArgumentOutOfRangeException(nameof(totalEpochs), totalEpochs, "Total epochs must be positive.");
        if (!(warmupEpochs >= 0 && warmupEpochs < totalEpochs))
            throw new ArgumentOutOfRangeException(nameof(warmupEpochs), warmupEpochs,
                $"Warm-up must be in [0, {totalEpochs}).");
        TotalEpochs = totalEpochs;
        WarmupEpochs = warmupEpochs;
    }

    /// <summary>Peak rate (reached at the end of the warm-up).</summary>
    public double BaseRate { get; }

    /// <summary>Final rate.</summary>
    public double MinRate { get; }

    /// <summary>Length of the whole schedule, in epochs.</summary>
    public double TotalEpochs { get; }

    /// <summary>Length of the linear warm-up, in epochs (0 = none).</summary>
    public double WarmupEpochs { get; }

    /// <inheritdoc/>
    protected override double Evaluate(double epoch)
    {
        if (epoch < WarmupEpochs) return BaseRate * epoch / WarmupEpochs;
        if (epoch >= TotalEpochs) return MinRate;
        double progress = (epoch - WarmupEpochs) / (TotalEpochs - WarmupEpochs);
        return MinRate + (BaseRate - MinRate) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }
}
