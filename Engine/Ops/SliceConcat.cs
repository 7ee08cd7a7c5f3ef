using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// y = x[..., start : start + length, ...] along one axis. Viewing x as [outer, D, inner], each of the
/// <c>outer</c> blocks copies <c>length·inner</c> contiguous values. Backward adds dy into that window of dx.
/// </summary>
internal sealed class SliceFunction : Function
{
    private readonly Tensor _x;
    private readonly int _axis, _start;

    private SliceFunction(Tensor x, int axis, int start) : base(x) => (_x, _axis, _start) = (x, axis, start);

    public override string Name => "Slice";

    public static Tensor Forward(Tensor x, int axis, int start, int length)
    {
        int a = ShapeMath.NormalizeAxis(axis, x.Rank, "Slice");
        int d = x.Shape[a];
        if (start < 0 || length < 0 || start + length > d)
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Slice: [{start}, {start + length}) is outside axis {axis} of size {d} (shape " +
                $"{ShapeMath.Format(x.Shape)}).");
        var shape = x.Shape.ToArray();
        shape[a] = length;
        var y = Tensor.Create(shape, clear: false);
        var (outer, inner) = OuterInner(x.Shape, a);
        for (int o = 0; o < outer; o++)
            x.Data.Slice((o * d + start) * inner,
                length * inner).CopyTo(y.Data.Slice(o * length * inner, length * inner));
        if (ShouldRecord(x)) y.SetGradFn(new SliceFunction(x, a, start));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (dx.IsEmpty) return;
        int d = _x.Shape[_axis], length = y.Shape[_axis];
        var (outer, inner) = OuterInner(_x.Shape, _axis);
        for (int o = 0; o < outer; o++)
        {
            var window = dx.Slice((o * d + _start) * inner, length * inner);
            TensorPrimitives.Add(window, dy.Slice(o * length * inner, length * inner), window);
        }
    }

    /// <summary>Products of the dimensions before and after <paramref name="axis"/>.</summary>
    internal static (int Outer, int Inner) OuterInner(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, inner);
    }
}

/// <summary>
/// Joins tensors along one axis; all other dimensions must match. Backward hands each input its own
/// window of dy (the adjoint of concatenation is slicing).
/// </summary>
internal sealed class ConcatFunction : Function
{
    private readonly Tensor[] _parts;
    private readonly int _axis;

    private ConcatFunction(Tensor[] parts, int axis) : base(parts) => (_parts, _axis) = (parts, axis);

    public override string Name => "Concat";

    public static Tensor Forward(Tensor[] parts, int axis)
    {
        if (parts.Length == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(parts));
        var first = parts[0];
        int a = ShapeMath.NormalizeAxis(axis, first.Rank, "Concat");
        var shape = first.Shape.ToArray();
        int total = 0;
        bool record = false;
        foreach (var p in parts)
        {
            bool compatible = p.Rank == first.Rank;
            for (int i = 0; compatible && i < p.Rank; i++) compatible = i == a || p.Shape[i] == first.Shape[i];
            if (!compatible)
                throw new ArgumentException(
                    $"Concat along axis {axis}: shapes {ShapeMath.Format(first.Shape)} and " +
                    $"{ShapeMath.Format(p.Shape)} differ outside that axis.");
            total += p.Shape[a];
            record |= p.RequiresGrad;
        }
        shape[a] = total;
        var y = Tensor.Create(shape, clear: false);
        var (outer, inner) = SliceFunction.OuterInner(shape, a);
        int offset = 0;
        foreach (var p in parts)
        {
            int len = p.Shape[a];
            for (int o = 0; o < outer; o++)
                p.Data.Slice(o * len * inner,
                    len * inner).CopyTo(y.Data.Slice((o * total + offset) * inner, len * inner));
            offset += len;
        }
        if (GradMode.IsEnabled && record) y.SetGradFn(new ConcatFunction(parts, a));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        int total = y.Shape[_axis];
        var (outer, inner) = SliceFunction.OuterInner(y.Shape, _axis);
        int offset = 0;
        foreach (var p in _parts)
        {
            int len = p.Shape[_axis];
            Span<float> dp = GradSink(p);
            if (!dp.IsEmpty)
            {
                for (int o = 0; o < outer; o++)
                {
                    var window = dp.Slice(o * len * inner, len * inner);
                    TensorPrimitives.Add(window, dy.Slice((o * total + offset) * inner, len * inner), window);
                }
            }
            offset += len;
        }
    }
}
