using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Memory;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// loss = Σ (a − b)² (or its mean over all elements). Backward: da += 2(a − b)·dy·s, db −= the same, with
/// s = 1/count for the mean. Shapes must match exactly (no silent broadcasting of a loss).
/// </summary>
internal sealed class MeanSquaredErrorFunction : Function
{
    private readonly Tensor _a, _b;
    private readonly bool _mean;

    private MeanSquaredErrorFunction(Tensor a, Tensor b, bool mean) : base(a, b) => (_a, _b, _mean) = (a, b, mean);

    public override string Name => "MseLoss";

    public static Tensor Forward(Tensor a, Tensor b, bool mean)
    {
        ShapeMath.RequireSame(a.Shape, b.Shape, "MseLoss");
        float[] diff = BufferPool.Rent(a.Count, clear: false);
        var d = diff.AsSpan(0, a.Count);
        TensorPrimitives.Subtract(a.Data, b.Data, d);
        double sum = TensorPrimitives.SumOfSquares(d);
        BufferPool.Return(diff);
        var y = Tensor.Create([], clear: false);
        y.Data[0] = (float)(mean && a.Count > 0 ? sum / a.Count : sum);
        if (ShouldRecord(a, b)) y.SetGradFn(new MeanSquaredErrorFunction(a, b, mean));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> da = GradSink(_a), db = GradSink(_b);
        float scale = 2 * dy[0] / (_mean ? _a.Count : 1);
        float[] diff = BufferPool.Rent(_a.Count, clear: false);
        var d = diff.AsSpan(0, _a.Count);
        TensorPrimitives.Subtract(_a.Data, _b.Data, d);
        if (!da.IsEmpty) TensorPrimitives.MultiplyAdd(d, scale, da, da);
        if (!db.IsEmpty) TensorPrimitives.MultiplyAdd(d, -scale, db, db);
        BufferPool.Return(diff);
    }
}
