using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Memory;

namespace RocketNet.Ops;

/// <summary>
/// Inverted dropout: in training each element is zeroed with probability p and the survivors are scaled
/// by 1/(1 − p), so evaluation is the identity. The mask (0 or 1/(1 − p)) is drawn from the caller's
/// seeded generator and saved; backward is dx += dy ⊙ mask.
/// </summary>
internal sealed class DropoutFunction : Function
{
    private readonly Tensor _x;
    private float[]? _mask;

    private DropoutFunction(Tensor x, float[] mask) : base(x) => (_x, _mask) = (x, mask);

    public override string Name => "Dropout";

    public static Tensor Forward(Tensor x, float p, bool training, RandomGenerator random)
    {
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        if (!training || p == 0) return x;
        float[] mask = BufferPool.Rent(x.Count, clear: false);
        float keep = 1 / (1 - p);
        for (int i = 0; i < x.Count; i++) mask[i] = random.NextFloat() < p ? 0f : keep;
        var y = Tensor.Create(x.Shape.ToArray(), clear: false);
        TensorPrimitives.Multiply(x.Data, mask.AsSpan(0, x.Count), y.Data);
        if (ShouldRecord(x)) y.SetGradFn(new DropoutFunction(x, mask));
        else BufferPool.Return(mask);
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (!dx.IsEmpty) TensorPrimitives.MultiplyAdd(dy, _mask.AsSpan(0, dy.Length), dx, dx);
    }

    protected override void ReleaseSaved()
    {
        if (_mask is not null) BufferPool.Return(_mask);
        _mask = null;
    }
}
