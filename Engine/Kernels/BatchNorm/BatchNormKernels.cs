using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// Batch normalisation over x viewed as [N, C, S] (S = H·W for 2-d, 1 for 1-d), parallel over fixed
/// groups of channels and vectorised along each contiguous S-row. Channels are independent, so results do
/// not depend on <see cref="Parallelism.ThreadCount"/>. Same API and semantics as
/// <see cref="BatchNormReference"/>: empty gamma/beta mean no affine transform, empty running buffers mean
/// no running statistics, empty gradGamma/gradBeta are skipped. The same job, with a ReLU flag, serves
/// <see cref="BatchNormReluKernels"/>.
/// </summary>
public static unsafe class BatchNormKernels
{
    /// <summary>Roughly this many elements per parallel tile; channels are never split.</summary>
    private const int ElementsPerTile = 8192;

    [ThreadStatic] private static BatchNormJob? _job;

    /// <summary>
    /// Training forward: y = γ·(x − μ)·invStd + β with batch mean μ and invStd = 1/√(σ² + eps) (biased σ²).
    /// Saves μ and invStd and updates running = (1 − momentum)·running + momentum·batch (unbiased variance
    /// for runningVar). Statistics accumulate in double, variance by a second pass over the deviations.
    /// x, y: [N, C, S]; gamma, beta, saveMean, saveInvStd, runningMean, runningVar: [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes, a span too short, or only one value per channel.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean, Span<float> runningVar,
        int n, int c, int s, float momentum, float eps) =>
        ForwardTrainingCore(relu: false, x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, n, c, s,
            momentum, eps);

    /// <summary>
    /// The job behind <see cref="ForwardTraining"/> and <see cref="BatchNormReluKernels.ForwardTraining"/>:
    /// the former, followed by y = max(y, 0) on each row while it is still in cache when <paramref name="relu"/> is
    /// set (errors name the entry point that <paramref name="relu"/> stands for). Non-empty
    /// <paramref name="saveScale"/> and <paramref name="saveShift"/> ([C]) receive each channel's float scale
    /// γ·invStd and shift β exactly as the rows were normalised with them, for a backward that recomputes the ReLU
    /// mask from x (<see cref="BatchNormReluKernels.BackwardRecomputingMask"/>).
    /// </summary>
    internal static void ForwardTrainingCore(bool relu, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, Span<float> y, Span<float> saveMean, Span<float> saveInvStd, Span<float> runningMean,
        Span<float> runningVar, int n, int c, int s, float momentum, float eps, Span<float> saveScale = default,
        Span<float> saveShift = default)
    {
        string kernel = relu ? "BatchNormReluKernels.ForwardTraining" : "BatchNormKernels.ForwardTraining";
        BatchNormArguments.CheckTraining(kernel, x.Length, gamma.Length, beta.Length,
            y.Length, saveMean.Length, saveInvStd.Length, runningMean.Length, runningVar.Length, n, c, s);
        RequireChannelSpans(kernel, saveScale.Length, saveShift.Length, c);
        fixed (float* xp = x, gp = gamma, bp = beta, yp = y, mp = saveMean, ip = saveInvStd, rmp = runningMean,
               rvp = runningVar, scp = saveScale, shp = saveShift)
        {
            var job = _job ??= new BatchNormJob();
            job.Op = BatchNormOp.Training;
            job.Relu = relu;
            job.X = xp; job.Gamma = gp; job.Beta = bp; job.Y = yp; job.Mean = mp; job.InvStd = ip;
            job.RunningMean = rmp; job.RunningVar = rvp; job.Momentum = momentum; job.Eps = eps;
            job.Scale = scp; job.Shift = shp;
            Run(job, n, c, s);
        }
    }

    /// <summary>
    /// Inference forward: y = γ·(x − runningMean)/√(runningVar + eps) + β. x, y: [N, C, S]; the rest [C].
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void ForwardInference(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y, int n, int c,
            int s, float eps) =>
        ForwardInferenceCore(relu: false, x, gamma, beta, runningMean, runningVar, y, n, c, s, eps);

    /// <summary>
    /// The job behind <see cref="ForwardInference"/> and <see cref="BatchNormReluKernels.ForwardInference"/>:
    /// the former, followed by y = max(y, 0) on each row when <paramref name="relu"/> is set.
    /// </summary>
    internal static void ForwardInferenceCore(bool relu, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> beta, ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, Span<float> y,
        int n, int c, int s, float eps)
    {
        string kernel = relu ? "BatchNormReluKernels.ForwardInference" : "BatchNormKernels.ForwardInference";
        BatchNormArguments.CheckInference(kernel, x.Length, gamma.Length, beta.Length,
            runningMean.Length, runningVar.Length, y.Length, n, c, s);
        fixed (float* xp = x, gp = gamma, bp = beta, yp = y, rmp = runningMean, rvp = runningVar)
        {
            var job = _job ??= new BatchNormJob();
            job.Op = BatchNormOp.Inference;
            job.Relu = relu;
            job.X = xp; job.Gamma = gp; job.Beta = bp; job.Y = yp; job.RunningMean = rmp; job.RunningVar = rvp;
            job.Eps = eps;
            Run(job, n, c, s);
        }
    }

    /// <summary>
    /// Backward with batch statistics (x̂ = (x − μ)·invStd, M = N·S): gradBeta += Σ dy,
    /// gradGamma += Σ dy·x̂, gradX += γ·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M).
    /// x, gradY, gradX: [N, C, S]; gamma, saveMean, saveInvStd, gradGamma, gradBeta: [C]. With
    /// <paramref name="overwriteGradX"/>, gradX is written (as if it had been cleared first) rather than added to.
    /// </summary>
    /// <exception cref="ArgumentException">Bad sizes or a span too short.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> gradY, ReadOnlySpan<float> gamma,
        ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, Span<float> gradX, Span<float> gradGamma,
        Span<float> gradBeta, int n, int c, int s, bool overwriteGradX = false) =>
        BackwardCore(x, [], gradY, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta, n, c, s, overwriteGradX);

    /// <summary>
    /// The job behind <see cref="Backward"/> and the backward entry points of <see cref="BatchNormReluKernels"/>
    /// (errors name <see cref="BatchNormReluKernels"/> when a ReLU mask is given): when
    /// <paramref name="reluOutput"/> is not empty, the backward of y = max(batchnorm(x), 0) with that y
    /// ([N, C, S]): each row of gradY is masked to where y &gt; 0 inside the loops that sum it and update gradX
    /// (one pass each, nothing stored). Instead of y, non-empty <paramref name="maskScale"/> and
    /// <paramref name="maskShift"/> (the forward's saveScale and saveShift) recompute the mask from x: the same
    /// bits, one stream of [N, C, S] fewer to read.
    /// </summary>
    internal static void BackwardCore(ReadOnlySpan<float> x, ReadOnlySpan<float> reluOutput,
        ReadOnlySpan<float> gradY, ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean,
        ReadOnlySpan<float> saveInvStd, Span<float> gradX, Span<float> gradGamma, Span<float> gradBeta,
            int n, int c, int s,
        bool overwriteGradX = false, ReadOnlySpan<float> maskScale = default, ReadOnlySpan<float> maskShift = default)
    {
        string kernel = !maskScale.IsEmpty || !maskShift.IsEmpty ? "BatchNormReluKernels.BackwardRecomputingMask"
            : !reluOutput.IsEmpty ? "BatchNormReluKernels.Backward"
            : "BatchNormKernels.Backward";
        BatchNormArguments.CheckBackward(kernel, x.Length, gradY.Length, gamma.Length,
            saveMean.Length, saveInvStd.Length, gradX.Length, gradGamma.Length, gradBeta.Length, n, c, s);
        if (!reluOutput.IsEmpty) KernelArguments.RequireLength(reluOutput.Length, (long)n * c * s,
            kernel, "y [N, C, S]");
        RequireChannelSpans(kernel, maskScale.Length, maskShift.Length, c);
        if (!reluOutput.IsEmpty && !maskScale.IsEmpty)
            throw new ArgumentException(
                $"{kernel}: the ReLU mask comes from y or from the saved scale and shift, not both.");
        fixed (float* xp = x, yp = reluOutput, gyp = gradY, gp = gamma, mp = saveMean, ip = saveInvStd, gxp = gradX,
               ggp = gradGamma, gbp = gradBeta, scp = maskScale, shp = maskShift)
        {
            var job = _job ??= new BatchNormJob();
            job.Op = BatchNormOp.Backward;
            job.Scale = scp; job.Shift = shp;
            job.OverwriteGradX = overwriteGradX;
            job.Y = yp;
            job.X = xp; job.GradY = gyp; job.Gamma = gp; job.Mean = mp; job.InvStd = ip; job.GradX = gxp;
            job.GradGamma = ggp; job.GradBeta = gbp;
            Run(job, n, c, s);
        }
    }

    /// <summary>Optional per-channel scale and shift spans: both empty, or both [C].</summary>
    private static void RequireChannelSpans(string kernel, int scaleLength, int shiftLength, int c)
    {
        if (scaleLength == 0 && shiftLength == 0) return;
        if (scaleLength != c || shiftLength != c)
            throw new ArgumentException(
                $"{kernel}: the per-channel scale and shift must both be [{c}], got {scaleLength} " +
                $"and {shiftLength} values.");
    }

    private static void Run(BatchNormJob job, int n, int c, int s)
    {
        job.N = n; job.C = c; job.S = s;
        job.ChannelsPerTile = Math.Max(1, ElementsPerTile / (n * s));
        // S = 1 runs eight channels per vector (BatchNormColumns): tiles of whole blocks.
        job.Columns = s == 1 && BatchNormColumns.Available;
        if (job.Columns)
            job.ChannelsPerTile = (job.ChannelsPerTile + BatchNormColumns.Lanes - 1) / BatchNormColumns.Lanes
                * BatchNormColumns.Lanes;
        Parallelism.For((c + job.ChannelsPerTile - 1) / job.ChannelsPerTile, job);
        job.Clear();
    }

    private enum BatchNormOp { Training, Inference, Backward }

    /// <summary>
    /// Tile = a fixed run of consecutive channels. Null pointers stand for empty optional spans. With
    /// <see cref="Relu"/>, forward clamps each output row at 0. Backward applies a ReLU mask when Y (the clamped
    /// output) or Scale and Shift (to recompute it from X) are set, and none when neither is.
    /// </summary>
    private sealed class BatchNormJob : ParallelJob
    {
        public BatchNormOp Op;
        public bool Relu;
        public bool OverwriteGradX; // backward writes gradX instead of adding (its buffer was not cleared)
        public int N, C, S, ChannelsPerTile;
        public bool Columns; // S = 1: blocks of BatchNormColumns.Lanes channels as vector lanes, the rest one by one
        public float Momentum, Eps;
        public float* X, Y, Gamma, Beta, Mean, InvStd, RunningMean, RunningVar, GradY, GradX, GradGamma, GradBeta;
        // [C] or null: training forward saves them, backward recomputes the ReLU mask with them
        public float* Scale, Shift;

        public void Clear()
        {
            X = Y = Gamma = Beta = Mean = InvStd = null;
            RunningMean = RunningVar = GradY = GradX = GradGamma = GradBeta = null;
            Scale = Shift = null;
        }

        public override void Run(int index)
        {
            int first = index * ChannelsPerTile, end = Math.Min(C, first + ChannelsPerTile);
            if (Columns)
            {
                for (; first + BatchNormColumns.Lanes <= end; first += BatchNormColumns.Lanes)
                {
                    switch (Op)
                    {
                        case BatchNormOp.Training: TrainColumns(first); break;
                        case BatchNormOp.Inference: InferColumns(first); break;
                        default: BackpropagateColumns(first); break;
                    }
                }
            }
            for (int channel = first; channel < end; channel++)
            {
                switch (Op)
                {
                    case BatchNormOp.Training: Train(channel); break;
                    case BatchNormOp.Inference: Infer(channel); break;
                    default: Backpropagate(channel); break;
                }
            }
        }

        // Row i of a channel, x[i, channel, :], starts here.
        private long RowOffset(int i, int channel) => ((long)i * C + channel) * S;

        private void Train(int channel)
        {
            double count = (double)N * S;
            double sum = 0;
            for (int i = 0; i < N; i++)
                sum += TensorPrimitives.Sum(new ReadOnlySpan<float>(X + RowOffset(i, channel), S));
            double mean = sum / count;
            // Second pass over deviations from the mean: no catastrophic cancellation of Σx² − (Σx)²/M.
            double squares = 0;
            for (int i = 0; i < N; i++)
                squares += BatchNormRows.SumSquaredDeviations(X + RowOffset(i, channel), S, (float)mean);
            var (scale, shift) = FinishStatistics(channel, mean, squares);
            for (int i = 0; i < N; i++)
            {
                long offset = RowOffset(i, channel);
                BatchNormRows.Normalise(X + offset, Y + offset, S, (float)mean, scale, shift, Relu);
            }
        }

        /// <summary>
        /// Channel <paramref name="channel"/>'s statistics from its mean and Σ of squared deviations: saves μ, invStd
        /// (and the scale and shift when asked), updates the running statistics, and returns the float scale
        /// γ·invStd and shift β that normalise its values.
        /// </summary>
        private (float Scale, float Shift) FinishStatistics(int channel, double mean, double squares)
        {
            double count = (double)N * S;
            double variance = squares / count;
            double invStd = 1 / Math.Sqrt(variance + Eps);
            float scale = (float)((Gamma == null ? 1 : Gamma[channel]) * invStd);
            float shift = Beta == null ? 0 : Beta[channel];
            Mean[channel] = (float)mean;
            InvStd[channel] = (float)invStd;
            if (Scale != null)
            {
                Scale[channel] = scale;
                Shift[channel] = shift;
            }
            if (RunningMean != null)
            {
                RunningMean[channel] = (float)((1 - Momentum) * RunningMean[channel] + Momentum * mean);
                RunningVar[channel] = (float)((1 - Momentum) * RunningVar[channel] + Momentum * squares / (count - 1));
            }
            return (scale, shift);
        }

        /// <summary>
        /// <see cref="Train"/> for channels [c0, c0 + 8) of x [N, C] (S = 1), the channels as vector lanes.
        /// </summary>
        [SkipLocalsInit]
        private void TrainColumns(int c0)
        {
            const int lanes = BatchNormColumns.Lanes;
            double* sums = stackalloc double[lanes], squares = stackalloc double[lanes];
            float* mean = stackalloc float[lanes], scale = stackalloc float[lanes], shift = stackalloc float[lanes];
            double count = N;
            BatchNormColumns.Sums(X + c0, N, C, sums);
            for (int l = 0; l < lanes; l++) mean[l] = (float)(sums[l] / count);
            BatchNormColumns.SquaredDeviations(X + c0, N, C, mean, squares);
            for (int l = 0; l < lanes; l++)
                (scale[l], shift[l]) = FinishStatistics(c0 + l, sums[l] / count, squares[l]);
            BatchNormColumns.Normalise(X + c0, Y + c0, N, C, mean, scale, shift, Relu);
        }

        private void Infer(int channel)
        {
            var (scale, shift) = InferenceAffine(channel);
            for (int i = 0; i < N; i++)
            {
                long offset = RowOffset(i, channel);
                BatchNormRows.Normalise(X + offset, Y + offset, S, RunningMean[channel], scale, shift, Relu);
            }
        }

        /// <summary>
        /// The float scale γ/√(runningVar + eps) and shift β that normalise channel <paramref name="channel"/> in
        /// inference.
        /// </summary>
        private (float Scale, float Shift) InferenceAffine(int channel)
        {
            double invStd = 1 / Math.Sqrt(RunningVar[channel] + (double)Eps);
            return ((float)((Gamma == null ? 1 : Gamma[channel]) * invStd), Beta == null ? 0 : Beta[channel]);
        }

        /// <summary>
        /// <see cref="Infer"/> for channels [c0, c0 + 8) of x [N, C] (S = 1). The scale is computed four channels per
        /// double vector: square root, division, product and the rounding to float are each correctly rounded, so
        /// the lanes get <see cref="InferenceAffine"/>'s bits — at batch 1, where the per-channel square root and
        /// division were most of the call.
        /// </summary>
        [SkipLocalsInit]
        private void InferColumns(int c0)
        {
            const int lanes = BatchNormColumns.Lanes;
            float* scale = stackalloc float[lanes], shift = stackalloc float[lanes];
            var (varLow, varHigh) = Vector256.Widen(Vector256.Load(RunningVar + c0));
            var eps = Vector256.Create((double)Eps);
            Vector256<double> invLow = Vector256<double>.One / Vector256.Sqrt(varLow + eps);
            Vector256<double> invHigh = Vector256<double>.One / Vector256.Sqrt(varHigh + eps);
            if (Gamma != null)
            {
                var (gammaLow, gammaHigh) = Vector256.Widen(Vector256.Load(Gamma + c0));
                (invLow, invHigh) = (gammaLow * invLow, gammaHigh * invHigh);
            }
            Vector256.Narrow(invLow, invHigh).Store(scale);
            (Beta != null ? Vector256.Load(Beta + c0) : Vector256<float>.Zero).Store(shift);
            BatchNormColumns.Normalise(X + c0, Y + c0, N, C, RunningMean + c0, scale, shift, Relu);
        }

        // With ReLU, each row of GradY is masked by Y > 0 (or its recomputation from X) inside the row loops (both
        // passes), never stored.
        private void Backpropagate(int channel)
        {
            float mean = Mean[channel];
            var mask = Scale != null ? new ReluMask(true, Scale[channel], Shift[channel]) : ReluMask.None;
            double sumDy = 0, sumDyDeviation = 0;
            for (int i = 0; i < N; i++)
            {
                long offset = RowOffset(i, channel);
                BatchNormRows.SumsOfGradient(GradY + offset, Y == null ? null : Y + offset, X + offset, S, mean, mask,
                    out float rowSum, out float rowProduct);
                sumDy += rowSum;
                sumDyDeviation += rowProduct;
            }
            var (dyScale, deviationScale, offsetTerm) = FinishGradient(channel, sumDy, sumDyDeviation);
            for (int i = 0; i < N; i++)
            {
                long offset = RowOffset(i, channel);
                BatchNormRows.AccumulateInputGradient(GradX + offset, GradY + offset, Y == null ? null : Y + offset,
                    X + offset, S, mean, mask, dyScale, deviationScale, offsetTerm, OverwriteGradX);
            }
        }

        /// <summary>
        /// Channel <paramref name="channel"/>'s parameter gradients from Σ g and Σ g·(x − μ) (added to GradGamma and
        /// GradBeta), and the float coefficients of gradX = dyScale·g + deviationScale·(x − μ) + offset.
        /// </summary>
        private (float DyScale, float DeviationScale, float Offset) FinishGradient(int channel, double sumDy,
            double sumDyDeviation)
        {
            double count = (double)N * S, invStd = InvStd[channel];
            double sumDyXhat = sumDyDeviation * invStd;
            // gradX = a·dy + b·(x − μ) + c with a = γ·invStd, b = −γ·invStd²·Σ(dy·x̂)/M, c = −γ·invStd·Σdy/M.
            double a = (Gamma == null ? 1 : Gamma[channel]) * invStd;
            if (GradGamma != null) GradGamma[channel] += (float)sumDyXhat;
            if (GradBeta != null) GradBeta[channel] += (float)sumDy;
            return ((float)a, (float)(-a * invStd * sumDyXhat / count), (float)(-a * sumDy / count));
        }

        /// <summary><see cref="Backpropagate"/> for channels [c0, c0 + 8) of x [N, C] (S = 1).</summary>
        [SkipLocalsInit]
        private void BackpropagateColumns(int c0)
        {
            const int lanes = BatchNormColumns.Lanes;
            double* sumDy = stackalloc double[lanes], sumDyDeviation = stackalloc double[lanes];
            float* dyScale = stackalloc float[lanes], deviationScale = stackalloc float[lanes],
                offset = stackalloc float[lanes];
            var mask = Scale != null
                ? new ColumnMask(true, Vector256.Load(Scale + c0), Vector256.Load(Shift + c0))
                : default;
            float* y = Y == null ? null : Y + c0;
            BatchNormColumns.GradientSums(GradY + c0, y, X + c0, N, C, Mean + c0, mask, sumDy, sumDyDeviation);
            for (int l = 0; l < lanes; l++)
                (dyScale[l], deviationScale[l], offset[l]) = FinishGradient(c0 + l, sumDy[l], sumDyDeviation[l]);
            BatchNormColumns.AccumulateInputGradient(GradX + c0, GradY + c0, y, X + c0, N, C, Mean + c0, mask, dyScale,
                deviationScale, offset, OverwriteGradX);
        }
    }
}
