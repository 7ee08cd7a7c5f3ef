using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Numerically stable softmax and log-softmax along one axis. The maximum is subtracted before
/// exponentiating (TensorPrimitives.SoftMax does not, and overflows for logits above ~88), so
/// softmax([1000, 1000]) = [0.5, 0.5]. Viewing x as [outer, D, inner]:
/// <code>
///   softmax:     y = e^(x − m) / Σ e^(x − m)          dx += y ⊙ (dy − Σ dy⊙y)
///   log-softmax: y = x − m − ln Σ e^(x − m)           dx += dy − softmax(x) · Σ dy
/// </code>
/// </summary>
internal sealed class SoftmaxFunction : Function
{
    private readonly Tensor _x;
    private readonly int _axis;
    private readonly bool _log;

    private SoftmaxFunction(Tensor x, int axis, bool log) : base(x) => (_x, _axis, _log) = (x, axis, log);

    public override string Name => _log ? "LogSoftmax" : "Softmax";

    public static Tensor Forward(Tensor x, int axis, bool log)
    {
        int a = ShapeMath.NormalizeAxis(axis, x.Rank, log ? "LogSoftmax" : "Softmax");
        var y = Tensor.Create(x.Shape.ToArray(), clear: false);
        var (outer, inner) = SliceFunction.OuterInner(x.Shape, a);
        int d = x.Shape[a];
        float[] rowBuffer = BufferPool.Rent(2 * d, clear: false);
        Span<float> src = rowBuffer.AsSpan(0, d), dst = rowBuffer.AsSpan(d, d);
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * d * inner + i;
                if (inner == 1)
                {
                    StableRow(x.Data.Slice(baseIndex, d), y.Data.Slice(baseIndex, d), log);
                    continue;
                }
                for (int j = 0; j < d; j++) src[j] = x.Data[baseIndex + j * inner];
                StableRow(src, dst, log);
                for (int j = 0; j < d; j++) y.Data[baseIndex + j * inner] = dst[j];
            }
        }
        BufferPool.Return(rowBuffer);
        if (ShouldRecord(x)) y.SetGradFn(new SoftmaxFunction(x, a, log));
        return y;
    }

    /// <summary>Softmax (or log-softmax) of one contiguous row, max subtracted first.</summary>
    internal static void StableRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        if (log)
        {
            // y already holds x − m, which log-softmax keeps; only the sum of its exponentials is needed.
            float sum = 0;
            foreach (float v in y) sum += MathF.Exp(v);
            TensorPrimitives.Subtract(y, MathF.Log(sum), y);
        }
        else
        {
            TensorPrimitives.Exp(y, y);
            TensorPrimitives.Divide(y, TensorPrimitives.Sum(y), y);
        }
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (dx.IsEmpty) return;
        var (outer, inner) = SliceFunction.OuterInner(y.Shape, _axis);
        int d = y.Shape[_axis];
        ReadOnlySpan<float> ys = y.Data;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * d * inner + i;
                float dot = 0;
                for (int j = 0; j < d; j++)
                {
                    int k = b + j * inner;
                    dot += _log ? dy[k] : dy[k] * ys[k];
                }
                for (int j = 0; j < d; j++)
                {
                    int k = b + j * inner;
                    dx[k] += _log ? dy[k] - MathF.Exp(ys[k]) * dot : ys[k] * (dy[k] - dot);
                }
            }
        }
    }
}
