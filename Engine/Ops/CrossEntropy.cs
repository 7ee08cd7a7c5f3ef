using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Fused cross-entropy from logits with integer class labels, the stable way:
/// loss_i = ln Σ_c e^(l_ic) − l_i,y_i = (m + ln Σ e^(l − m)) − l_i,y_i, averaged (or summed) over rows.
/// Backward: dl_i = (softmax(l_i) − onehot(y_i)) · dy / N (the softmax is saved from the forward).
/// </summary>
internal sealed class CrossEntropyFunction : Function
{
    private readonly Tensor _logits;
    private readonly int[] _labels;
    private readonly bool _mean;
    private float[]? _probabilities; // [N, C], pooled

    private CrossEntropyFunction(Tensor logits, int[] labels, bool mean, float[] probabilities) : base(logits)
    {
        (_logits, _labels, _mean, _probabilities) = (logits, labels, mean, probabilities);
    }

    public override string Name => "CrossEntropy";

    public static Tensor Forward(Tensor logits, int[] labels, bool mean)
    {
        if (logits.Rank != 2)
            throw new ArgumentException($"CrossEntropy: logits must be [N, C], got {ShapeMath.Format(logits.Shape)}.",
                nameof(logits));
        int n = logits.Shape[0], c = logits.Shape[1];
        if (labels.Length != n)
            throw new ArgumentException(
                $"CrossEntropy: {labels.Length} labels for logits of shape " +
                $"{ShapeMath.Format(logits.Shape)} (expected {n}).", nameof(labels));
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)c)
                throw new ArgumentOutOfRangeException(nameof(labels),
                    $"CrossEntropy: label {labels[i]} at row {i} is outside [0, {c}).");
        }

        float[] probs = BufferPool.Rent(n * c, clear: false);
        double total = 0;
        ReadOnlySpan<float> l = logits.Data;
        for (int i = 0; i < n; i++)
        {
            var row = l.Slice(i * c, c);
            var p = probs.AsSpan(i * c, c);
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, p);
            TensorPrimitives.Exp(p, p);
            float sum = TensorPrimitives.Sum(p);
            // (m − l_label) first: rounding m + ln Σ to float before subtracting would lose ln Σ for large logits.
            total += (double)(max - row[labels[i]]) + MathF.Log(sum);
            TensorPrimitives.Divide(p, sum, p);
        }
        var y = Tensor.Create([], clear: false);
        y.Data[0] = (float)(mean && n > 0 ? total / n : total);
        if (ShouldRecord(logits)) y.SetGradFn(new CrossEntropyFunction(logits, labels, mean, probs));
        else BufferPool.Return(probs);
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dl = GradSink(_logits);
        if (dl.IsEmpty) return;
        int n = _logits.Shape[0], c = _logits.Shape[1];
        float scale = _mean ? dy[0] / n : dy[0];
        var probs = _probabilities.AsSpan(0, n * c);
        TensorPrimitives.MultiplyAdd(probs, scale, dl, dl);
        for (int i = 0; i < n; i++) dl[i * c + _labels[i]] -= scale;
    }

    protected override void ReleaseSaved()
    {
        if (_probabilities is not null) BufferPool.Return(_probabilities);
        _probabilities = null;
    }
}
