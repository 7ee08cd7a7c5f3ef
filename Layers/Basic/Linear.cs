namespace RocketNet.Layers;

/// <summary>
/// Fully connected layer y = x·Wᵀ + b with PyTorch's layout: weight [out, in], bias [out].
/// x: [N, in] → y: [N, out]. Weight Kaiming-normal (fan-in), bias zero.
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Weight [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [out], or null when built without bias.</summary>
    public Tensor? Bias { get; }

    /// <summary>Number of input features.</summary>
    public int InFeatures { get; }

    /// <summary>Number of output features.</summary>
    public int OutFeatures { get; }

    /// <summary>Creates a linear layer initialised from <paramref name="random"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, RandomGenerator random, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        (InFeatures, OutFeatures) = (inFeatures, outFeatures);
        Weight = RegisterParameter("weight", Init.KaimingNormal([outFeatures, inFeatures], random));
        if (bias) Bias = RegisterParameter("bias", Tensor.Zeros(outFeatures));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) =>
        builder.AddLinear(Weight, Bias);
}
