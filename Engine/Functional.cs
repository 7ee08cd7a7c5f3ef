using RocketNet.Ops;

namespace RocketNet;

/// <summary>
/// Neural-network operations and losses as functions of tensors, like <c>torch.nn.functional</c>.
/// Layers (in RocketNet.Layers) hold parameters and call these.
/// </summary>
public static partial class Functional
{
    /// <summary>
    /// Mean (or summed) cross-entropy between <paramref name="logits"/> [N, C] and integer class
    /// <paramref name="labels"/> (N values in [0, C)), computed stably from the logits.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, C).</exception>
    public static Tensor CrossEntropy(Tensor logits, int[] labels, Reduction reduction = Reduction.Mean) =>
        CrossEntropyFunction.Forward(logits, labels, reduction == Reduction.Mean);

    /// <summary>Mean (or summed) squared difference of two tensors of the same shape.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        MeanSquaredErrorFunction.Forward(input, target, reduction == Reduction.Mean);

    /// <summary>y = x·Wᵀ + b with W: [out, in] (PyTorch layout), x: [N, in], b: [out] or null.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        LinearFunction.Forward(input, weight, bias);

    /// <summary>
    /// Inverted dropout with drop probability <paramref name="p"/>; the identity when not <paramref name="training"/>.
    /// </summary>
    public static Tensor Dropout(Tensor input, float p, bool training, RandomGenerator random) =>
        DropoutFunction.Forward(input, p, training, random);

    /// <summary>
    /// Rows of <paramref name="weight"/> [V, D] picked by <paramref name="indices"/> of shape
    /// <paramref name="indexShape"/> (default: [indices.Length]) → [indexShape..., D]. The op copies the indices it
    /// needs for backward into a pooled buffer, so the caller may reuse its span at once.
    /// </summary>
    public static Tensor Embedding(Tensor weight, ReadOnlySpan<int> indices, params ReadOnlySpan<int> indexShape) =>
        indexShape.IsEmpty ? EmbeddingFunction.Forward(weight, indices, [indices.Length])
            : EmbeddingFunction.Forward(weight, indices, indexShape);

    /// <summary>Softmax along <paramref name="axis"/>, stable for large logits.</summary>
    public static Tensor Softmax(Tensor input, int axis = -1) => input.Softmax(axis);

    /// <summary>Log-softmax along <paramref name="axis"/>, stable for large logits.</summary>
    public static Tensor LogSoftmax(Tensor input, int axis = -1) => input.LogSoftmax(axis);
}

/// <summary>How a loss combines per-element terms.</summary>
public enum Reduction
{
    /// <summary>Average over elements (rows for cross-entropy).</summary>
    Mean,
    /// <summary>Sum over elements.</summary>
    Sum,
}
