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
/// </summary>
internal sealed class BatchNormFunction : Function
{
    private readonly Tensor _x, _gamma, _beta;
    private readonly int _n, _c, _s;
    private readonly bool _training;
    private float[]? _mean, _invStd; // [C] each, pooled: batch statistics (training) or running ones (eval)

    private BatchNormFunction(Tensor x, Tensor gamma, Tensor beta, int n, int c, int s, bool training,
        float[] mean, float[] invStd) : base(x, gamma, beta)
    {
        (_x, _gamma, _beta, _n, _c, _s, _training, _mean, _invStd) = (x, gamma, beta, n, c, s, training, mean, invStd);
    }

    public override string Name => "BatchNorm";

    public static Tensor Forward(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm: input must be [N, C, ...], got {ShapeMath.Format(x.Shape)}.", nameof(x));
        int n = x.Shape[0], c = x.Shape[1], s = x.Count / Math.Max(1, n * c);
        RequireChannelVector(gamma, nameof(gamma), x, c);
        RequireChannelVector(beta, nameof(beta), x, c);
        RequireChannelVector(runningMean, nameof(runningMean), x, c);
        RequireChannelVector(runningVar, nameof(runningVar), x, c);
        if (training && n * s < 2)
            throw new ArgumentException($"BatchNorm: training needs more than one value per channel, input is {ShapeMath.Format(x.Shape)}.", nameof(x));

        var y = Tensor.Create(x.Shape.ToArray(), clear: false);
        float[] mean = BufferPool.Rent(c, clear: false), invStd = BufferPool.Rent(c, clear: false);
        if (training)
        {
            BatchNormKernels.ForwardTraining(x.Data, gamma.Data, beta.Data, y.Data, mean, invStd, runningMean.Data, runningVar.Data,
                n, c, s, momentum, eps);
        }
        else
        {
            BatchNormKernels.ForwardInference(x.Data, gamma.Data, beta.Data, runningMean.Data, runningVar.Data, y.Data, n, c, s, eps);
            runningMean.Data.CopyTo(mean);
            for (int i = 0; i < c; i++) invStd[i] = 1f / MathF.Sqrt(runningVar.Data[i] + eps);
        }
        bool record = GradMode.IsEnabled && (x.RequiresGrad || gamma.RequiresGrad || beta.RequiresGrad);
        if (record) y.SetGradFn(new BatchNormFunction(x, gamma, beta, n, c, s, training, mean, invStd));
        else
        {
            BufferPool.Return(mean);
            BufferPool.Return(invStd);
        }
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x), dGamma = GradSink(_gamma), dBeta = GradSink(_beta);
        if (_training)
        {
            // The kernel produces all three gradients; missing ones go to scratch buffers.
            float[]? sx = dx.IsEmpty ? BufferPool.Rent(_x.Count, clear: true) : null;
            float[]? sg = dGamma.IsEmpty ? BufferPool.Rent(_c, clear: true) : null;
            float[]? sb = dBeta.IsEmpty ? BufferPool.Rent(_c, clear: true) : null;
            BatchNormKernels.Backward(_x.Data, dy, _gamma.Data, _mean, _invStd,
                sx ?? dx, sg ?? dGamma, sb ?? dBeta, _n, _c, _s);
            if (sx is not null) BufferPool.Return(sx);
            if (sg is not null) BufferPool.Return(sg);
            if (sb is not null) BufferPool.Return(sb);
            return;
        }
        // Eval mode: y = γ·(x − μ_run)·invStd_run + β is affine in x, γ and β.
        ReadOnlySpan<float> xs = _x.Data, gamma = _gamma.Data;
        for (int n = 0; n < _n; n++)
        {
            for (int c = 0; c < _c; c++)
            {
                int offset = (n * _c + c) * _s;
                float mean = _mean![c], invStd = _invStd![c];
                for (int i = 0; i < _s; i++)
                {
                    float g = dy[offset + i];
                    if (!dx.IsEmpty) dx[offset + i] += g * gamma[c] * invStd;
                    if (!dGamma.IsEmpty) dGamma[c] += g * (xs[offset + i] - mean) * invStd;
                    if (!dBeta.IsEmpty) dBeta[c] += g;
                }
            }
        }
    }

    private static void RequireChannelVector(Tensor t, string name, Tensor x, int c)
    {
        if (t.Rank != 1 || t.Shape[0] != c)
            throw new ArgumentException($"BatchNorm: {name} must be [{c}] for input {ShapeMath.Format(x.Shape)}, got {ShapeMath.Format(t.Shape)}.", name);
    }

    protected override void ReleaseSaved()
    {
        if (_mean is not null) BufferPool.Return(_mean);
        if (_invStd is not null) BufferPool.Return(_invStd);
        _mean = _invStd = null;
    }
}
