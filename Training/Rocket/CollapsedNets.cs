namespace RocketNet.Training.Rocket;

/// <summary>
/// Which nets of a pair gave the same logits for every sample of a batch (see <see cref="EpochRecord.Collapsed"/>).
/// </summary>
[Flags]
public enum CollapsedNets
{
    /// <summary>Both nets' outputs still depend on their input.</summary>
    None = 0,

    /// <summary>The light net's logits are identical across the batch.</summary>
    Light = 1,

    /// <summary>The booster's logits are identical across the batch.</summary>
    Booster = 2,
}
