using System.Buffers;
using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Embedding lookup: y[i, :] = W[index_i, :], W: [V, D], indices of any shape S → y: [S..., D].
/// Backward scatter-adds dy rows into dW (an index that repeats receives every contribution).
/// </summary>
internal sealed class EmbeddingFunction : Function
{
    private readonly Tensor _weight;
    // Rented from the shared pool (the caller's span may change before backward); returned on release.
    private int[] _indices;
    private readonly int _count;

    private EmbeddingFunction(Tensor weight, int[] indices, int count) : base(weight) =>
        (_weight, _indices, _count) = (weight, indices, count);

    public override string Name => "Embedding";

    public static Tensor Forward(Tensor weight, ReadOnlySpan<int> indices, ReadOnlySpan<int> indexShape)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"Embedding: weight must be [V, D], got {ShapeMath.Format(weight.Shape)}.",
                nameof(weight));
        if (ShapeMath.ElementCount(indexShape) != indices.Length)
            throw new ArgumentException(
                $"Embedding: {indices.Length} indices do not fill index shape {ShapeMath.Format(indexShape)}.",
                nameof(indices));
        int v = weight.Shape[0], d = weight.Shape[1];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"Embedding: index {indices[i]} at position {i} is outside [0, {v}).");
        }
        var shape = new int[indexShape.Length + 1];
        indexShape.CopyTo(shape);
        shape[^1] = d;
        var y = Tensor.Create(shape, clear: false);
        ReadOnlySpan<float> w = weight.Data;
        Span<float> ys = y.Data;
        for (int i = 0; i < indices.Length; i++) w.Slice(indices[i] * d, d).CopyTo(ys.Slice(i * d, d));
        if (ShouldRecord(weight))
        {
            var saved = ArrayPool<int>.Shared.Rent(indices.Length);
            indices.CopyTo(saved);
            y.SetGradFn(new EmbeddingFunction(weight, saved, indices.Length));
        }
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        ReadOnlySpan<int> indices = _indices.AsSpan(0, _count);
        // Only the looked-up rows receive gradient: the table's gradient stays row-sparse and compact (dw holds just
        // those rows, slots[i] is index i's row in it), with no table-sized buffer to clear or to keep.
        Span<float> dw = GradSinkForRows(_weight, indices, out var slots);
        if (dw.IsEmpty) return;
        int d = _weight.Shape[1];
        for (int i = 0; i < indices.Length; i++)
        {
            var row = dw.Slice(slots[i] * d, d);
            TensorPrimitives.Add(row, dy.Slice(i * d, d), row);
        }
    }

    protected override void ReleaseSaved()
    {
        ArrayPool<int>.Shared.Return(_indices);
        _indices = [];
    }
}
