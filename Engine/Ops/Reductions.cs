using System.Buffers;
using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>Which reduction a <see cref="ReductionFunction"/> performs.</summary>
internal enum ReductionKind { Sum, Mean, Max }

/// <summary>
/// Sum, mean or max over a set of axes (all axes when none are given), optionally keeping the reduced
/// axes as size 1. Sum's backward broadcasts dy back over the reduced axes; mean's does the same scaled by
/// 1/n; max's sends dy to the position of the (first) maximum only.
/// </summary>
internal sealed class ReductionFunction : Function
{
    private readonly ReductionKind _kind;
    private readonly Tensor _x;
    private readonly int[] _keptShape; // output shape with reduced axes kept as 1
    private readonly int _reducedCount;
    private int[]? _argMax;            // flat index into x of each output's maximum (pooled)

    private ReductionFunction(ReductionKind kind, Tensor x, int[] keptShape, int reducedCount, int[]? argMax) : base(x)
    {
        _kind = kind;
        _x = x;
        _keptShape = keptShape;
        _reducedCount = reducedCount;
        _argMax = argMax;
    }

    public override string Name => _kind.ToString();

    public static Tensor Forward(ReductionKind kind, Tensor x, ReadOnlySpan<int> axes, bool keepDim)
    {
        int rank = x.Rank;
        Span<bool> reduce = stackalloc bool[Math.Max(rank, 1)];
        if (axes.IsEmpty) reduce.Fill(true);
        foreach (int axis in axes)
        {
            int a = ShapeMath.NormalizeAxis(axis, rank, kind.ToString());
            if (reduce[a]) throw new ArgumentException($"{kind}: axis {axis} is listed twice.", nameof(axes));
            reduce[a] = true;
        }
        var kept = new int[rank];
        int outRank = 0, reducedCount = 1;
        for (int i = 0; i < rank; i++)
        {
            kept[i] = reduce[i] ? 1 : x.Shape[i];
            if (reduce[i]) reducedCount *= x.Shape[i];
            else outRank++;
        }
        if (kind == ReductionKind.Max && reducedCount == 0)
            throw new ArgumentException($"Max: cannot reduce an empty axis of shape {ShapeMath.Format(x.Shape)}.");
        int[] outShape = keepDim ? kept : new int[outRank];
        if (!keepDim)
        {
            for (int i = 0, j = 0; i < rank; i++) if (!reduce[i]) outShape[j++] = x.Shape[i];
        }

        var y = Tensor.Create(outShape, clear: true);
        int[]? argMax = null;
        switch (kind)
        {
            case ReductionKind.Sum:
                BroadcastKernels.SumInto(x.Data, x.Shape, y.Data, kept);
                break;
            case ReductionKind.Mean:
                BroadcastKernels.SumInto(x.Data, x.Shape, y.Data, kept);
                TensorPrimitives.Multiply(y.Data, 1f / reducedCount, y.Data);
                break;
            case ReductionKind.Max:
                argMax = ArrayPool<int>.Shared.Rent(y.Count);
                var op = new MaxRow(x.Data, y.Data, argMax);
                op.Reset();
                StridedLoop.Run(x.Shape, ShapeMath.BroadcastStrides(kept, x.Shape),
                    ShapeMath.ContiguousStrides(x.Shape), ref op);
                break;
        }
        if (ShouldRecord(x)) y.SetGradFn(new ReductionFunction(kind, x, kept, reducedCount, argMax));
        else if (argMax is not null) ArrayPool<int>.Shared.Return(argMax);
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (dx.IsEmpty) return;
        switch (_kind)
        {
            case ReductionKind.Sum:
                BroadcastKernels.ExpandInto(dy, _keptShape, dx, _x.Shape);
                break;
            case ReductionKind.Mean:
                float[] scaled = Memory.BufferPool.Rent(dy.Length, clear: false);
                TensorPrimitives.Multiply(dy, 1f / _reducedCount, scaled.AsSpan(0, dy.Length));
                BroadcastKernels.ExpandInto(scaled.AsSpan(0, dy.Length), _keptShape, dx, _x.Shape);
                Memory.BufferPool.Return(scaled);
                break;
            case ReductionKind.Max:
                for (int i = 0; i < dy.Length; i++) dx[_argMax![i]] += dy[i];
                break;
        }
    }

    protected override void ReleaseSaved()
    {
        if (_argMax is not null) ArrayPool<int>.Shared.Return(_argMax);
        _argMax = null;
    }

    /// <summary>Running maximum: rows of x (the loop's output) compared into y (operand A).</summary>
    private readonly ref struct MaxRow(ReadOnlySpan<float> x, Span<float> y, int[] argMax) : StridedLoop.IRowOp
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        public void Reset()
        {
            _y.Fill(float.NegativeInfinity);
            argMax.AsSpan(0, _y.Length).Fill(-1);
        }

        public void Row(int outOffset, int aOffset, int bOffset, int length, bool aVaries, bool bVaries)
        {
            var row = _x.Slice(outOffset, length);
            if (aVaries)
            {
                for (int j = 0; j < length; j++)
                {
                    if (row[j] > _y[aOffset + j] || argMax[aOffset + j] < 0)
                    {
                        _y[aOffset + j] = row[j];
                        argMax[aOffset + j] = outOffset + j;
                    }
                }
            }
            else
            {
                int best = TensorPrimitives.IndexOfMax(row);
                if (row[best] > _y[aOffset] || argMax[aOffset] < 0)
                {
                    _y[aOffset] = row[best];
                    argMax[aOffset] = outOffset + best;
                }
            }
        }
    }
}
