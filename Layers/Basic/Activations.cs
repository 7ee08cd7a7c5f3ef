using RocketNet.Kernels;

namespace RocketNet.Layers;

/// <summary>Rectified linear unit max(x, 0), elementwise; any shape.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Relu();

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) =>
        builder.AddActivation(DenseActivation.Relu);
}

/// <summary>Logistic sigmoid 1 / (1 + e^−x), elementwise; any shape.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Sigmoid();

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) =>
        builder.AddActivation(DenseActivation.Sigmoid);
}

/// <summary>Hyperbolic tangent, elementwise; any shape.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Tanh();

    /// <inheritdoc/>
    protected internal override bool TryAddInferenceSteps(DenseInferencePlan.Builder builder) =>
        builder.AddActivation(DenseActivation.Tanh);
}

/// <summary>SiLU (swish) x·σ(x), elementwise; any shape. Runs through the graph (no dense serving step).</summary>
public sealed class SiLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => input.Silu();
}
