namespace RocketNet.Kernels;

/// <summary>
/// Batch normalisation fused with the ReLU after it, y = max(γ·x̂ + β, 0), on x viewed as [N, C, S]: the
/// <see cref="BatchNormKernels"/> job with each output row clamped while still in cache, and a backward that
/// masks gradY by y &gt; 0 row by row instead of in a separate pass over a separate gradient buffer. The
/// results are bit-identical to <see cref="BatchNormKernels"/> followed by <see cref="ElementwiseKernels.Relu"/>
/// (and, backward, <see cref="ElementwiseKernels.ReluBackward"/> into a cleared buffer, then
/// <see cref="BatchNormKernels.Backward"/>), for any <see cref="Parallelism.ThreadCount"/>.
/// Reference: <see cref="BatchNormReluReference"/>.
/// </summary>
public static class BatchNormReluKernels
{
    /// <summary>
    /// Training forward: y = max(γ·(x − μ)·invStd + β, 0) with the batch statistics; saves μ and invStd and
    /// updates the running statistics exactly as <see cref="BatchNormKernels.ForwardTraining"/> does.
    /// x, y: [N, C, S]; gamma, beta, saveMean, saveInvStd, runningMean, runningVar: [C] (see there for empty spans).
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes, a span too short, or only one value per channel.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int s, float momentum, float eps) =>
        BatchNormKernels.ForwardTrainingCore("BatchNormReluKernels.ForwardTraining", relu: true, x, gamma, beta, y,
            saveMean, saveInvStd, runningMean, runningVar, n, c, s, momentum, eps);

    /// <summary>
    /// Inference forward: y = max(γ·(x − runningMean)/√(runningVar + eps) + β, 0). x, y: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y, int n, int c, int s, float eps) =>
        BatchNormKernels.ForwardInferenceCore("BatchNormReluKernels.ForwardInference", relu: true, x, gamma, beta,
            runningMean, runningVar, y, n, c, s, eps);

    /// <summary>
    /// Backward with batch statistics of y = max(batchnorm(x), 0): with g = gradY where y &gt; 0 (else 0),
    /// gradBeta += Σ g, gradGamma += Σ g·x̂, gradX += γ·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M), M = N·S.
    /// x, y (the forward's output), gradY, gradX: [N, C, S]; gamma, saveMean, saveInvStd, gradGamma, gradBeta: [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradY,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, Span<float> gradX,
        Span<float> gradGamma, Span<float> gradBeta, int n, int c, int s)
    {
        // An empty y means "no ReLU" to the shared job; here it is a missing argument.
        if (y.IsEmpty)
            throw new ArgumentException("BatchNormReluKernels.Backward: y [N, C, S] is empty; the ReLU mask is read from the forward's output.", nameof(y));
        BatchNormKernels.BackwardCore("BatchNormReluKernels.Backward", x, y, gradY, gamma, saveMean, saveInvStd, gradX,
            gradGamma, gradBeta, n, c, s);
    }
}
