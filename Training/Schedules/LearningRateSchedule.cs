namespace RocketNet.Training.Schedules;

/// <summary>
/// Maps training progress, measured in (0-based, possibly fractional) epochs, to a learning rate. The
/// trainer asks before every step with <c>epoch + batchIndex / batchesPerEpoch</c>.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>
    /// The learning rate at <paramref name="epoch"/> (0 = start of training; 2.5 = halfway through the third epoch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative or not finite.</exception>
    public double LearningRate(double epoch)
    {
        if (!double.IsFinite(epoch) || epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Epoch must be finite and non-negative.");
        return Evaluate(epoch);
    }

    /// <summary>
    /// True when the optimiser's state should be reset at the start of <paramref name="epoch"/> (the reference
    /// code re-creates its SGD optimiser at every learning-rate drop, so momentum restarts from zero).
    /// </summary>
    public virtual bool ResetsMomentumAt(int epoch) => false;

    /// <summary>The learning rate at a validated epoch.</summary>
    protected abstract double Evaluate(double epoch);

    /// <summary>Throws unless <paramref name="value"/> is a finite non-negative learning rate.</summary>
    protected static double RequireRate(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value
            : throw new ArgumentOutOfRangeException(name, value, "Learning rate must be finite and non-negative.");
}
