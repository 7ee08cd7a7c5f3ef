namespace RocketNet.Training.Schedules;

/// <summary>The same learning rate throughout.</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite.</exception>
    public ConstantSchedule(double learningRate) => Rate = RequireRate(learningRate, nameof(learningRate));

    /// <summary>The learning rate.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    protected override double Evaluate(double epoch) => Rate;
}
