using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// y = a ⊙ b for ⊙ ∈ {+, −, ×, ÷} with NumPy broadcasting. The backward of each is the elementwise
/// derivative times dy, summed back over the axes where that input was broadcast ("unbroadcast").
/// </summary>
internal sealed class ArithmeticFunction : Function
{
    private readonly BinaryOperation _operation;
    private readonly Tensor _a, _b;

    private ArithmeticFunction(BinaryOperation operation, Tensor a, Tensor b) : base(a, b)
    {
        _operation = operation;
        _a = a;
        _b = b;
    }

    public override string Name => _operation.ToString();

    public static Tensor Forward(BinaryOperation operation, Tensor a, Tensor b)
    {
        int[] shape = a.Shape.SequenceEqual(b.Shape) ? a.Shape.ToArray() : ShapeMath.Broadcast(a.Shape, b.Shape,
            operation.ToString());
        var y = Tensor.Create(shape, clear: false);
        BroadcastKernels.Binary(operation, a.Data, a.Shape, b.Data, b.Shape, y.Data, shape);
        if (ShouldRecord(a, b)) y.SetGradFn(new ArithmeticFunction(operation, a, b));
        return y;
    }

    /// <summary>
    /// input.grad += dy (summed over broadcast axes). A same-shape input that no gradient has reached yet gets
    /// dy copied instead (the residual connections' case: no clear, no read-back).
    /// </summary>
    private static void PassThrough(Tensor input, Tensor y, ReadOnlySpan<float> dy)
    {
        if (input.Shape.SequenceEqual(y.Shape))
        {
            PassGradient(input, dy);
            return;
        }
        var sink = GradSink(input);
        if (!sink.IsEmpty) BroadcastKernels.SumInto(dy, y.Shape, sink, input.Shape);
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        if (_operation == BinaryOperation.Add)
        {
            // d(a+b)/da = 1, d(a+b)/db = 1. One input after the other: a + a must get 2·dy.
            PassThrough(_a, y, dy);
            PassThrough(_b, y, dy);
            return;
        }
        var ga = GradSink(_a);
        var gb = GradSink(_b);
        switch (_operation)
        {
            case BinaryOperation.Subtract: // d(a−b)/da = 1, d(a−b)/db = −1
                if (!ga.IsEmpty) BroadcastKernels.SumInto(dy, y.Shape, ga, _a.Shape);
                if (!gb.IsEmpty)
                {
                    float[] t = BufferPool.Rent(y.Count, clear: false);
                    var tmp = t.AsSpan(0, y.Count);
                    TensorPrimitives.Negate(dy, tmp);
                    BroadcastKernels.SumInto(tmp, y.Shape, gb, _b.Shape);
                    BufferPool.Return(t);
                }
                break;
            case BinaryOperation.Multiply: // d(ab)/da = b, d(ab)/db = a
                if (!ga.IsEmpty) ProductInto(y, dy, _b, ga, _a, BinaryOperation.Multiply);
                if (!gb.IsEmpty) ProductInto(y, dy, _a, gb, _b, BinaryOperation.Multiply);
                break;
            default: // d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −y/b
                if (!ga.IsEmpty) ProductInto(y, dy, _b, ga, _a, BinaryOperation.Divide);
                if (!gb.IsEmpty)
                {
                    float[] t = BufferPool.Rent(y.Count, clear: false);
                    var tmp = t.AsSpan(0, y.Count);
                    TensorPrimitives.Multiply(dy, y.Data, tmp);
                    TensorPrimitives.Negate(tmp, tmp);
                    BroadcastKernels.Binary(BinaryOperation.Divide, tmp, y.Shape, _b.Data, _b.Shape, tmp, y.Shape);
                    BroadcastKernels.SumInto(tmp, y.Shape, gb, _b.Shape);
                    BufferPool.Return(t);
                }
                break;
        }
    }

    /// <summary>g_input += unbroadcast(dy ⊙ other).</summary>
    private static void ProductInto(Tensor y, ReadOnlySpan<float> dy, Tensor other, Span<float> gInput, Tensor input,
        BinaryOperation operation)
    {
        float[] t = BufferPool.Rent(y.Count, clear: false);
        var tmp = t.AsSpan(0, y.Count);
        BroadcastKernels.Binary(operation, dy, y.Shape, other.Data, other.Shape, tmp, y.Shape);
        BroadcastKernels.SumInto(tmp, y.Shape, gInput, input.Shape);
        BufferPool.Return(t);
    }
}
