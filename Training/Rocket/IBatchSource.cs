namespace RocketNet.Training.Rocket;

/// <summary>
/// Mini-batches for one epoch of training. The trainer advances the enumerator inside each step's
/// <see cref="TensorScope"/>, so a source may create the input tensor during <c>MoveNext</c> with pooled
/// storage; the batch is only used until the next <c>MoveNext</c>.
/// </summary>
public interface IBatchSource
{
    /// <summary>Number of batches <see cref="Batches"/> yields per epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of (0-based) <paramref name="epoch"/>: inputs [B, ...sample shape] and B labels.</summary>
    IEnumerable<(Tensor Input, int[] Labels)> Batches(int epoch);
}
