using System.Numerics.Tensors;
using RocketNet.Shapes;

namespace RocketNet.Kernels;

/// <summary>The four arithmetic operations with NumPy broadcasting.</summary>
public enum BinaryOperation
{
    /// <summary>a + b</summary>
    Add,
    /// <summary>a − b</summary>
    Subtract,
    /// <summary>a × b</summary>
    Multiply,
    /// <summary>a ÷ b</summary>
    Divide,
}

/// <summary>
/// Broadcasting kernels: elementwise arithmetic on operands of broadcast-compatible shapes, and the two
/// adjoints every broadcasting op needs — summing a gradient back onto a smaller shape ("unbroadcast",
/// also the forward of Sum over axes) and expanding a smaller tensor onto a bigger one. Rows are
/// processed with <see cref="TensorPrimitives"/>.
/// </summary>
public static class BroadcastKernels
{
    /// <summary>y = a ⊙ b where y has the broadcast shape of a and b.</summary>
    public static void Binary(BinaryOperation operation, ReadOnlySpan<float> a, ReadOnlySpan<int> aShape,
        ReadOnlySpan<float> b, ReadOnlySpan<int> bShape, Span<float> y, ReadOnlySpan<int> yShape)
    {
        if (operation == BinaryOperation.Add && aShape.SequenceEqual(bShape))
        {
            ElementwiseKernels.Add(a[..y.Length], b[..y.Length], y); // e.g. a residual connection: chunked over threads
            return;
        }
        var op = new BinaryRow(operation, a, b, y);
        StridedLoop.Run(yShape, ShapeMath.BroadcastStrides(aShape, yShape),
            ShapeMath.BroadcastStrides(bShape, yShape), ref op);
    }

    /// <summary>
    /// dst += src summed over the dimensions where <paramref name="dstShape"/> is broadcast to
    /// <paramref name="srcShape"/> (size 1 or missing).
    /// </summary>
    public static void SumInto(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, Span<float> dst,
        ReadOnlySpan<int> dstShape)
    {
        if (srcShape.SequenceEqual(dstShape))
        {
            ElementwiseKernels.Add(dst, src, dst);
            return;
        }
        var op = new SumRow(src, dst);
        StridedLoop.Run(srcShape, ShapeMath.BroadcastStrides(dstShape, srcShape),
            ShapeMath.BroadcastStrides(srcShape, srcShape), ref op);
    }

    /// <summary>dst += src broadcast from <paramref name="srcShape"/> to <paramref name="dstShape"/>.</summary>
    public static void ExpandInto(ReadOnlySpan<float> src, ReadOnlySpan<int> srcShape, Span<float> dst,
        ReadOnlySpan<int> dstShape)
    {
        if (srcShape.SequenceEqual(dstShape))
        {
            ElementwiseKernels.Add(dst, src, dst);
            return;
        }
        var op = new BinaryRow(BinaryOperation.Add, src, dst, dst);
        StridedLoop.Run(dstShape, ShapeMath.BroadcastStrides(srcShape, dstShape),
            ShapeMath.BroadcastStrides(dstShape, dstShape), ref op);
    }

    private readonly ref struct BinaryRow(BinaryOperation operation, ReadOnlySpan<float> a,
        ReadOnlySpan<float> b, Span<float> y)
        : StridedLoop.IRowOp
    {
        private readonly ReadOnlySpan<float> _a = a, _b = b;
        private readonly Span<float> _y = y;

        public void Row(int outOffset, int aOffset, int bOffset, int length, bool aVaries, bool bVaries)
        {
            var y = _y.Slice(outOffset, length);
            if (aVaries && bVaries)
            {
                var a = _a.Slice(aOffset, length);
                var b = _b.Slice(bOffset, length);
                switch (operation)
                {
                    case BinaryOperation.Add: TensorPrimitives.Add(a, b, y); break;
                    case BinaryOperation.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                    case BinaryOperation.Multiply: TensorPrimitives.Multiply(a, b, y); break;
                    default: TensorPrimitives.Divide(a, b, y); break;
                }
            }
            else if (aVaries)
            {
                var a = _a.Slice(aOffset, length);
                float b = _b[bOffset];
                switch (operation)
                {
                    case BinaryOperation.Add: TensorPrimitives.Add(a, b, y); break;
                    case BinaryOperation.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                    case BinaryOperation.Multiply: TensorPrimitives.Multiply(a, b, y); break;
                    default: TensorPrimitives.Divide(a, b, y); break;
                }
            }
            else if (bVaries)
            {
                float a = _a[aOffset];
                var b = _b.Slice(bOffset, length);
                switch (operation)
                {
                    case BinaryOperation.Add: TensorPrimitives.Add(b, a, y); break;
                    case BinaryOperation.Subtract: TensorPrimitives.Subtract(a, b, y); break;
                    case BinaryOperation.Multiply: TensorPrimitives.Multiply(b, a, y); break;
                    default: TensorPrimitives.Divide(a, b, y); break;
                }
            }
            else
            {
                y.Fill(Apply(operation, _a[aOffset], _b[bOffset]));
            }
        }
    }

    /// <summary>Rows of the big tensor (the loop's "output") summed into the small one (operand A).</summary>
    private readonly ref struct SumRow(ReadOnlySpan<float> src, Span<float> dst) : StridedLoop.IRowOp
    {
        private readonly ReadOnlySpan<float> _src = src;
        private readonly Span<float> _dst = dst;

        public void Row(int outOffset, int aOffset, int bOffset, int length, bool aVaries, bool bVaries)
        {
            var src = _src.Slice(outOffset, length);
            if (aVaries)
            {
                var dst = _dst.Slice(aOffset, length);
                TensorPrimitives.Add(dst, src, dst);
            }
            else
            {
                _dst[aOffset] += TensorPrimitives.Sum(src);
            }
        }
    }

    /// <summary>Scalar definition of each operation (also the reference the tests use).</summary>
    public static float Apply(BinaryOperation operation, float a, float b) => operation switch
    {
        BinaryOperation.Add => a + b,
        BinaryOperation.Subtract => a - b,
        BinaryOperation.Multiply => a * b,
        _ => a / b,
    };
}
