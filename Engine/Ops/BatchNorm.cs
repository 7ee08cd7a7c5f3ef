using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Batch normalisation over x viewed as [N, C, S] (S = H·W for 2-d inputs, 1 for [N, C]).
/// Training: normalise with the batch's mean and (biased) variance, save them for backward, and move the
/// running statistics toward the batch's by <c>momentum</c> (unbiased variance, as PyTorch does).
/// Evaluation: normalise with the running statistics; backward then is the plain affine derivative.
/// With <c>relu</c> (<see cref="Functional.BatchNormRelu"/>) the op is y = max(batchnorm(x), 0) in one pass:
/// the kernels clamp each row as they write it, and backward applies ReLU's mask (y &gt; 0) inside batch norm's
/// own row loops, so neither the intermediate activation nor its gradient buffer (cleared, then filled by a ReLU
/// backward pass) exists. In training the mask is recomputed from x with the forward's saved per-channel float
/// scale and shift rather than read from y: backward then streams x, dy (and gradX) only, about a quarter less
/// memory traffic in this memory-bound op. The result is bit-identical to BatchNorm
/// followed by Relu, forward and backward (Tests/Engine/Ops/BatchNormTests.Fused.cs checks it).
/// </summary>
internal sealed class BatchNormFunction : Function
{
    private readonly Tensor _x, _gamma, _beta;
    private readonly int _n, _c, _s;
    private readonly bool _training, _relu;
    private float[]? _mean, _invStd; // [C] each, pooled: batch statistics (training) or running ones (eval)
    private float[]? _scale, _shift; // [C] each, pooled, training with ReLU only: the forward's γ·invStd and β

    private BatchNormFunction(Tensor x, Tensor gamma, Tensor beta, int n, int c, int s, bool training, bool relu,
        float[] mean, float[] invStd, float[]? scale, float[]? shift) : base(x, gamma, beta)
    {
        (_x, _gamma, _beta, _n, _c, _s, _training, _relu, _mean, _invStd) = (x, gamma, beta, n, c, s, training,
            relu, mean, invStd);
        (_scale, _shift) = (scale, shift);
    }

    public override string Name => _relu ? "BatchNormRelu" : "BatchNorm";

    public static Tensor Forward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, bool relu = false)
    {
        string op = relu ? "BatchNormRelu" : "BatchNorm";
        if (x.Rank < 2)
            throw new ArgumentException(
                $"{op}: input must be [N, C, ...], got {ShapeMath.Format(x.Shape)}.", nameof(x));
        int n = x.Shape[0], c = x.Shape[1], s = x.Count / Math.Max(1, n * c);
        RequireChannelVector(op, gamma, nameof(gamma), x, c);
        RequireChannelVector(op, beta, nameof(beta), x, c);
        RequireChannelVector(op, runningMean, nameof(runningMean), x, c);
        RequireChannelVector(op, runningVar, nameof(runningVar), x, c);
        if (training && n * s < 2)
            throw new ArgumentException(
                $"{op}: training needs more than one value per channel, input is {ShapeMath.Format(x.Shape)}.",
                nameof(x));

        var y = Tensor.Create(x.Shape.ToArray(), clear: false);
        float[] mean = BufferPool.Rent(c, clear: false), invStd = BufferPool.Rent(c, clear: false);
        bool record = GradMode.IsEnabled && (x.RequiresGrad || gamma.RequiresGrad || beta.RequiresGrad);
        float[]? scale = null, shift = null;
        if (training)
        {
            if (relu && record)
            {
                scale = BufferPool.Rent(c, clear: false);
                shift = BufferPool.Rent(c, clear: false);
            }
            if (relu)
                BatchNormReluKernels.ForwardTraining(x.Data, gamma.Data, beta.Data, y.Data, mean, invStd,
                    runningMean.Data, runningVar.Data, n, c, s, momentum, eps, ChannelSpan(scale, c),
                        ChannelSpan(shift, c));
            else
                BatchNormKernels.ForwardTraining(x.Data, gamma.Data, beta.Data, y.Data, mean, invStd,
                    runningMean.Data, runningVar.Data, n, c, s, momentum, eps);
        }
        else
        {
            if (relu)
                BatchNormReluKernels.ForwardInference(x.Data, gamma.Data, beta.Data, runningMean.Data, runningVar.Data,
                    y.Data, n, c, s, eps);
            else
                BatchNormKernels.ForwardInference(x.Data, gamma.Data, beta.Data, runningMean.Data, runningVar.Data,
                    y.Data, n, c, s, eps);
            runningMean.Data.CopyTo(mean);
            for (int i = 0; i < c; i++) invStd[i] = 1f / MathF.Sqrt(runningVar.Data[i] + eps);
        }
        if (record)
            y.SetGradFn(new BatchNormFunction(x, gamma, beta, n, c, s, training, relu, mean, invStd, scale, shift));
        else
        {
            BufferPool.Return(mean);
            BufferPool.Return(invStd);
        }
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSinkForOverwrite(_x, out bool overwrite), dGamma = GradSink(_gamma),
            dBeta = GradSink(_beta);
        // With ReLU, the gradient reaching batch norm is dy where y > 0 (y = the clamped output), else 0; training
        // recomputes that mask from x with the scale and shift its forward saved (a recorded training forward
        // with ReLU always saves them).
        if (_training)
        {
            // The kernel produces all three gradients; missing ones go to scratch buffers.
            float[]? sx = dx.IsEmpty ? BufferPool.Rent(_x.Count, clear: true) : null;
            float[]? sg = dGamma.IsEmpty ? BufferPool.Rent(_c, clear: true) : null;
            float[]? sb = dBeta.IsEmpty ? BufferPool.Rent(_c, clear: true) : null;
            if (_relu)
                BatchNormReluKernels.BackwardRecomputingMask(_x.Data, dy, _gamma.Data, _mean, _invStd,
                    ChannelSpan(_scale, _c), ChannelSpan(_shift, _c), sx ?? dx, sg ?? dGamma, sb ?? dBeta, _n, _c, _s,
                    overwriteGradX: overwrite);
            else
                BatchNormKernels.Backward(_x.Data, dy, _gamma.Data, _mean, _invStd, sx ?? dx, sg ?? dGamma, sb ?? dBeta,
                    _n, _c, _s, overwriteGradX: overwrite);
            if (sx is not null) BufferPool.Return(sx);
            if (sg is not null) BufferPool.Return(sg);
            if (sb is not null) BufferPool.Return(sb);
            return;
        }
        // Eval mode: y = γ·(x − μ_run)·invStd_run + β is affine in x, γ and β.
        ReadOnlySpan<float> reluOutput = _relu ? y.Data : default;
        if (overwrite) dx.Clear();
        ReadOnlySpan<float> xs = _x.Data, gamma = _gamma.Data;
        for (int n = 0; n < _n; n++)
        {
            for (int c = 0; c < _c; c++)
            {
                int offset = (n * _c + c) * _s;
                float mean = _mean![c], invStd = _invStd![c];
                for (int i = 0; i < _s; i++)
                {
                    // 0 + dy, as a ReLU backward into a cleared buffer produces it (−0 becomes +0).
                    float g = reluOutput.IsEmpty ? dy[offset + i] : reluOutput[offset + i] > 0
                        ? 0f + dy[offset + i] : 0f;
                    if (!dx.IsEmpty) dx[offset + i] += g * gamma[c] * invStd;
                    if (!dGamma.IsEmpty) dGamma[c] += g * (xs[offset + i] - mean) * invStd;
                    if (!dBeta.IsEmpty) dBeta[c] += g;
                }
            }
        }
    }

    /// <summary>
    /// The first <paramref name="c"/> floats of a pooled array (pooled arrays may be longer), or empty.
    /// </summary>
    private static Span<float> ChannelSpan(float[]? pooled, int c) => pooled is null ? default : pooled.AsSpan(0, c);

    private static void RequireChannelVector(string op, Tensor t, string name, Tensor x, int c)
    {
        if (t.Rank != 1 || t.Shape[0] != c)
            throw new ArgumentException(
                $"{op}: {name} must be [{c}] for input {ShapeMath.Format(x.Shape)}, got {ShapeMath.Format(t.Shape)}.",
                name);
    }

    protected override void ReleaseSaved()
    {
        if (_mean is not null) BufferPool.Return(_mean);
        if (_invStd is not null) BufferPool.Return(_invStd);
        if (_scale is not null) BufferPool.Return(_scale);
        if (_shift is not null) BufferPool.Return(_shift);
        _mean = _invStd = _scale = _shift = null;
    }
}
