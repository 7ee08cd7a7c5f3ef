namespace RocketNet.Layers;

/// <summary>
/// Inverted dropout: in training zeroes each element with probability p and scales the rest by 1/(1 − p);
/// the identity in evaluation. The mask comes from the generator given at construction.
/// </summary>
public sealed class Dropout : Module
{
    private readonly RandomGenerator _random;

    /// <summary>Probability of zeroing an element, in [0, 1).</summary>
    public float P { get; }

    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1).</exception>
    public Dropout(float p, RandomGenerator random)
    {
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(random);
        (P, _random) = (p, random);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, IsTraining, _random);

    /// <inheritdoc/>
    /// <remarks>Serving is eval mode, where dropout is the identity: no step.</remarks>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) => true;
}
