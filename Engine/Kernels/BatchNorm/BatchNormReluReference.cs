namespace RocketNet.Kernels;

/// <summary>
/// The teaching version of <see cref="BatchNormReluKernels"/>: the definition y = max(batchnorm(x), 0) written
/// as <see cref="BatchNormReference"/> followed by a clamp, and its backward as a mask of dy by y &gt; 0 followed
/// by <see cref="BatchNormReference.Backward"/>. x is viewed as [N, C, S]; empty spans mean what they mean
/// there.
/// </summary>
public static class BatchNormReluReference
{
    /// <summary>
    /// y = max(γ·(x − μ)/√(σ² + eps) + β, 0) with the batch statistics; saves μ and 1/√(σ² + eps) and updates
    /// the running statistics as <see cref="BatchNormReference.ForwardTraining"/>. x, y: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes, a span too short, or only one value per channel.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int s, float momentum, float eps)
    {
        BatchNormReference.ForwardTraining(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar,
            n, c, s, momentum, eps);
        Clamp(y[..(n * c * s)]);
    }

    /// <summary>y = max(γ·(x − runningMean)/√(runningVar + eps) + β, 0). x, y: [N, C, S]; the rest [C].</summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y, int n, int c, int s, float eps)
    {
        BatchNormReference.ForwardInference(x, gamma, beta, runningMean, runningVar, y, n, c, s, eps);
        Clamp(y[..(n * c * s)]);
    }

    /// <summary>
    /// Batch-statistics backward of <see cref="ForwardTraining"/>: g = dy where y &gt; 0, else 0 (ReLU's
    /// derivative, read from the output), then <see cref="BatchNormReference.Backward"/> with g.
    /// x, y, gradY, gradX: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradY,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, Span<float> gradX,
        Span<float> gradGamma, Span<float> gradBeta, int n, int c, int s)
    {
        BatchNormArguments.CheckBackward("BatchNormReluReference.Backward", x.Length, gradY.Length, gamma.Length,
            saveMean.Length, saveInvStd.Length, gradX.Length, gradGamma.Length, gradBeta.Length, n, c, s);
        int length = n * c * s;
        KernelArguments.RequireLength(y.Length, length, "BatchNormReluReference.Backward", "y [N, C, S]");
        var masked = new float[length];
        for (int i = 0; i < length; i++) masked[i] = y[i] > 0 ? gradY[i] : 0f;
        BatchNormReference.Backward(x, masked, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta, n, c, s);
    }

    private static void Clamp(Span<float> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = Math.Max(y[i], 0f);
    }
}
