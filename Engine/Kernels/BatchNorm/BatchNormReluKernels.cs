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
    /// Non-empty <paramref name="saveScale"/> and <paramref name="saveShift"/> ([C], both or neither) receive each
    /// channel's float scale γ·invStd and shift β exactly as the rows were normalised with them, for
    /// <see cref="BackwardRecomputingMask"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes, a span too short, or only one value per channel.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int s, float momentum, float eps, Span<float> saveScale = default,
        Span<float> saveShift = default) =>
        BatchNormKernels.ForwardTrainingCore(relu: true, x, gamma, beta, y, saveMean, saveInvStd, runningMean,
            runningVar, n, c, s, momentum, eps, saveScale, saveShift);

    /// <summary>
    /// Inference forward: y = max(γ·(x − runningMean)/√(runningVar + eps) + β, 0). x, y: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y, int n, int c,
            int s, float eps) =>
        BatchNormKernels.ForwardInferenceCore(relu: true, x, gamma, beta, runningMean, runningVar, y, n, c, s, eps);

    /// <summary>
    /// Backward with batch statistics of y = max(batchnorm(x), 0): with g = gradY where y &gt; 0 (else 0),
    /// gradBeta += Σ g, gradGamma += Σ g·x̂, gradX += γ·invStd·(g − Σg/M − x̂·Σ(g·x̂)/M), M = N·S.
    /// x, y (the forward's output), gradY, gradX: [N, C, S]; gamma, saveMean, saveInvStd, gradGamma, gradBeta: [C].
    /// With <paramref name="overwriteGradX"/>, gradX is written (as if it had been cleared first) rather than added to.
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradY,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, Span<float> gradX,
        Span<float> gradGamma, Span<float> gradBeta, int n, int c, int s, bool overwriteGradX = false)
    {
        // An empty y means "no ReLU" to the shared job; here it is a missing argument.
        if (y.IsEmpty)
            throw new ArgumentException(
                "BatchNormReluKernels.Backward: y [N, C, S] is empty; the ReLU mask is read from the forward's output.",
                nameof(y));
        BatchNormKernels.BackwardCore(x, y, gradY, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta, n, c, s,
            overwriteGradX);
    }

    /// <summary>
    /// <see cref="Backward"/> without y: the ReLU mask y &gt; 0 is recomputed from x with the
    /// <paramref name="saveScale"/> and <paramref name="saveShift"/> ([C]) that <see cref="ForwardTraining"/>
    /// saved, rounding exactly as the forward did, so the gradients are the same bits while one [N, C, S] stream
    /// fewer is read. x, gradY, gradX: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes, a span too short, or no saved scale and shift.</exception>
    public static void BackwardRecomputingMask(ReadOnlySpan<float> x, ReadOnlySpan<float> gradY,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd,
        ReadOnlySpan<float> saveScale, ReadOnlySpan<float> saveShift, Span<float> gradX, Span<float> gradGamma,
        Span<float> gradBeta, int n, int c, int s, bool overwriteGradX = false)
    {
        // Empty scale and shift mean "no ReLU" to the shared job; here they are missing arguments.
        if (saveScale.IsEmpty || saveShift.IsEmpty)
            throw new ArgumentException(
                "BatchNormReluKernels.BackwardRecomputingMask: saveScale and saveShift [C] are needed to recompute " +
                "the ReLU mask from x; pass the ones ForwardTraining filled.");
        BatchNormKernels.BackwardCore(x, [], gradY, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta, n, c, s,
            overwriteGradX, saveScale, saveShift);
    }
}
