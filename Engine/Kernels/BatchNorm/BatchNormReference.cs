namespace RocketNet.Kernels;

/// <summary>
/// The teaching version of <see cref="BatchNormKernels"/>: per-channel loops in double, straight from the
/// textbook formulas. x is viewed as [N, C, S] (S = H·W for 2-d batch norm, 1 for 1-d); statistics are
/// per channel over the N·S values. Empty gamma/beta mean no affine transform (γ = 1, β = 0); empty
/// running buffers mean no running statistics; empty gradGamma/gradBeta are skipped.
/// </summary>
public static class BatchNormReference
{
    /// <summary>
    /// y = γ·(x − μ)/√(σ² + eps) + β with the batch mean μ and biased variance σ² per channel. Saves μ and
    /// 1/√(σ² + eps) for backward and updates running = (1 − momentum)·running + momentum·batch, using the
    /// unbiased variance for runningVar (PyTorch semantics). x, y: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes, a span too short, or only one value per channel.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int s, float momentum, float eps)
    {
        BatchNormArguments.CheckTraining("BatchNormReference.ForwardTraining", x.Length, gamma.Length, beta.Length,
            y.Length, saveMean.Length, saveInvStd.Length, runningMean.Length, runningVar.Length, n, c, s);
        double count = (double)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++) sum += x[(i * c + ch) * s + j];
            double mean = sum / count;
            double squares = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    double deviation = x[(i * c + ch) * s + j] - mean;
                    squares += deviation * deviation;
                }
            double variance = squares / count;
            double invStd = 1 / Math.Sqrt(variance + eps);
            double scale = (gamma.IsEmpty ? 1 : gamma[ch]) * invStd, shift = beta.IsEmpty ? 0 : beta[ch];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    int at = (i * c + ch) * s + j;
                    y[at] = (float)((x[at] - mean) * scale + shift);
                }
            saveMean[ch] = (float)mean;
            saveInvStd[ch] = (float)invStd;
            if (!runningMean.IsEmpty)
            {
                runningMean[ch] = (float)((1 - momentum) * runningMean[ch] + momentum * mean);
                runningVar[ch] = (float)((1 - momentum) * runningVar[ch] + momentum * squares / (count - 1));
            }
        }
    }

    /// <summary>
    /// y = γ·(x − runningMean)/√(runningVar + eps) + β. x, y: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y, int n, int c, int s, float eps)
    {
        BatchNormArguments.CheckInference("BatchNormReference.ForwardInference", x.Length, gamma.Length, beta.Length,
            runningMean.Length, runningVar.Length, y.Length, n, c, s);
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++)
                for (int j = 0; j < s; j++)
                {
                    int at = (i * c + ch) * s + j;
                    double normalised = (x[at] - (double)runningMean[ch]) / Math.Sqrt(runningVar[ch] + (double)eps);
                    y[at] = (float)(normalised * (gamma.IsEmpty ? 1 : gamma[ch]) + (beta.IsEmpty ? 0 : beta[ch]));
                }
    }

    /// <summary>
    /// Batch-statistics backward of <see cref="ForwardTraining"/> with x̂ = (x − μ)·invStd and M = N·S:
    /// gradBeta += Σ dy, gradGamma += Σ dy·x̂, gradX += γ·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M).
    /// x, gradY, gradX: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradY, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, Span<float> gradX, Span<float> gradGamma,
        Span<float> gradBeta, int n, int c, int s)
    {
        BatchNormArguments.CheckBackward("BatchNormReference.Backward", x.Length, gradY.Length, gamma.Length,
            saveMean.Length, saveInvStd.Length, gradX.Length, gradGamma.Length, gradBeta.Length, n, c, s);
        double count = (double)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            double mean = saveMean[ch], invStd = saveInvStd[ch], g = gamma.IsEmpty ? 1 : gamma[ch];
            double sumDy = 0, sumDyXhat = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    int at = (i * c + ch) * s + j;
                    sumDy += gradY[at];
                    sumDyXhat += gradY[at] * (x[at] - mean) * invStd;
                }
            for (int i = 0; i < n; i++)
                for (int j = 0; j < s; j++)
                {
                    int at = (i * c + ch) * s + j;
                    double xhat = (x[at] - mean) * invStd;
                    gradX[at] += (float)(g * invStd * (gradY[at] - sumDy / count - xhat * sumDyXhat / count));
                }
            if (!gradGamma.IsEmpty) gradGamma[ch] += (float)sumDyXhat;
            if (!gradBeta.IsEmpty) gradBeta[ch] += (float)sumDy;
        }
    }
}
