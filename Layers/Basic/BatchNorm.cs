using RocketNet.Shapes;

namespace RocketNet.Layers;

/// <summary>
/// Batch normalisation over the channel axis 1 of [N, C, ...] inputs with affine γ ("weight"), β ("bias")
/// and running statistics ("running_mean", "running_var" buffers). Training uses the batch's statistics
/// and updates the running ones (running = (1 − momentum)·running + momentum·batch, unbiased variance);
/// evaluation uses the running ones. <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/> fix the rank.
/// </summary>
public abstract class BatchNorm : Module
{
    private readonly int _expectedRank;

    /// <summary>γ [C], "weight".</summary>
    public Tensor Weight { get; }

    /// <summary>β [C], "bias".</summary>
    public Tensor Bias { get; }

    /// <summary>Running mean [C] (buffer).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running variance [C] (buffer).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Number of channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Weight of the batch statistics in the running-statistics update (0.1).</summary>
    public float Momentum { get; }

    /// <summary>Added to the variance before the square root (1e-5).</summary>
    public float Eps { get; }

    /// <summary>
    /// Creates the layer. With <paramref name="random"/>, γ ~ U[0, 1) as in the Rocket Launching reference
    /// code; without it γ = 1 (PyTorch's default). β = 0, running mean 0, running variance 1.
    /// </summary>
    protected BatchNorm(int numFeatures, int expectedRank, RandomGenerator? random, float momentum, float eps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum,
            "Momentum must be in [0, 1].");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "Epsilon must be positive.");
        (NumFeatures, _expectedRank, Momentum, Eps) = (numFeatures, expectedRank, momentum, eps);
        Weight = RegisterParameter("weight", random is null
            ? Tensor.Ones(numFeatures) : Init.UniformUnit(numFeatures, random));
        Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        RequireInputShape(input);
        return Functional.BatchNorm(input, Weight, Bias, RunningMean, RunningVar, IsTraining, Momentum, Eps);
    }

    /// <summary>
    /// ReLU(<see cref="Forward"/>(input)) as one fused op (<see cref="Functional.BatchNormRelu"/>): same
    /// result, gradients and running-statistics update, one pass and one buffer fewer each way. For the
    /// "BN → ReLU" of pre-activation blocks; the module and its state are the same either way.
    /// </summary>
    /// <exception cref="ArgumentException">The input's rank or channel count does not match the layer.</exception>
    public Tensor ForwardWithRelu(Tensor input)
    {
        RequireInputShape(input);
        return Functional.BatchNormRelu(input, Weight, Bias, RunningMean, RunningVar, IsTraining, Momentum, Eps);
    }

    private void RequireInputShape(Tensor input)
    {
        if (input.Rank != _expectedRank || input.Shape[1] != NumFeatures)
        {
            string expected = _expectedRank == 2 ? $"[N, {NumFeatures}]" : $"[N, {NumFeatures}, H, W]";
            throw new ArgumentException(
                $"{GetType().Name}: input must be {expected}, got {ShapeMath.Format(input.Shape)}.", nameof(input));
        }
    }
}

/// <summary>Batch normalisation of [N, C] inputs (features of fully connected layers).</summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Creates the layer; see <see cref="BatchNorm"/> for the role of <paramref name="random"/>.</summary>
    public BatchNorm1d(int features, RandomGenerator? random = null, float momentum = 0.1f, float eps = 1e-5f)
        : base(features, 2, random, momentum, eps) { }
}

/// <summary>Batch normalisation of [N, C, H, W] inputs (per channel over batch and space).</summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <summary>Creates the layer; see <see cref="BatchNorm"/> for the role of <paramref name="random"/>.</summary>
    public BatchNorm2d(int channels, RandomGenerator? random = null, float momentum = 0.1f, float eps = 1e-5f)
        : base(channels, 4, random, momentum, eps) { }
}
