namespace RocketNet.Training.Losses;

/// <summary>Which net's losses train the shared layers W_S during joint training.</summary>
public enum SharedGradient
{
    /// <summary>Both nets' losses (paper Eq. 1 and its reference code).</summary>
    Both,

    /// <summary>
    /// The booster's alone: the light net reads the shared output detached, so its cross-entropy and the hint
    /// train only its own layers (TorchEasyRec's <c>light_mlp(share_net.detach())</c>).
    /// </summary>
    Booster,
}
