namespace RocketNet.Training.Rocket;

/// <summary>
/// Training produced a non-finite loss or parameter. Thrown before anything of the diverged step is saved, so
/// the last checkpoint written is the last good one. Usually the learning rate (or the hint weight λ) is too large.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception with a message naming where training diverged.</summary>
    public TrainingDivergedException(string message) : base(message) { }

    /// <summary>Creates the exception (for serialisers and tests).</summary>
    public TrainingDivergedException() { }

    /// <summary>Creates the exception wrapping another.</summary>
    public TrainingDivergedException(string message, Exception innerException) : base(message, innerException) { }
}
