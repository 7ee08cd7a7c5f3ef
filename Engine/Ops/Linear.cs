using System.Numerics.Tensors;
using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Fused affine map y = x·Wᵀ + b with PyTorch's weight layout W: [out, in]. x: [N, in] → y: [N, out].
/// The bias is written first and the GEMM accumulates onto it, so there is no separate broadcast pass.
/// Backward: dx += dy·W, dW += dyᵀ·x, db += Σ_rows dy.
/// </summary>
internal sealed class LinearFunction : Function
{
    private readonly Tensor _x, _w;
    private readonly Tensor? _bias;

    private LinearFunction(Tensor x, Tensor w, Tensor? bias) : base(bias is null ? [x, w] : [x, w, bias])
    {
        (_x, _w, _bias) = (x, w, bias);
    }

    public override string Name => "Linear";

    public static Tensor Forward(Tensor x, Tensor w, Tensor? bias)
    {
        if (w.Rank != 2)
            throw new ArgumentException(
                $"Linear: weight must be [out, in], got {ShapeMath.Format(w.Shape)}.", nameof(w));
        int outFeatures = w.Shape[0], inFeatures = w.Shape[1];
        if (x.Rank != 2 || x.Shape[1] != inFeatures)
            throw new ArgumentException(
                $"Linear: input must be [N, {inFeatures}] for weight {ShapeMath.Format(w.Shape)}, got " +
                $"{ShapeMath.Format(x.Shape)}.", nameof(x));
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outFeatures))
            throw new ArgumentException(
                $"Linear: bias must be [{outFeatures}] for weight {ShapeMath.Format(w.Shape)}, got " +
                $"{ShapeMath.Format(bias.Shape)}.", nameof(bias));
        int n = x.Shape[0];
        var y = Tensor.Create([n, outFeatures], clear: bias is null);
        Span<float> ys = y.Data;
        if (bias is not null)
        {
            for (int i = 0; i < n; i++) bias.Data.CopyTo(ys.Slice(i * outFeatures, outFeatures));
        }
        Gemm.Multiply(x.Data, w.Data, ys, n, outFeatures, inFeatures, transB: true, accumulate: true);
        bool record = GradMode.IsEnabled && (x.RequiresGrad || w.RequiresGrad || (bias?.RequiresGrad ?? false));
        if (record) y.SetGradFn(new LinearFunction(x, w, bias));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        int n = _x.Shape[0], inFeatures = _w.Shape[1], outFeatures = _w.Shape[0];
        Span<float> dx = GradSinkForOverwrite(_x, out bool overwrite);
        if (!dx.IsEmpty) Gemm.Multiply(dy, _w.Data, dx, n, inFeatures, outFeatures, accumulate: !overwrite);
        Span<float> dw = GradSinkForOverwrite(_w, out bool overwriteW);
        if (!dw.IsEmpty) Gemm.Multiply(dy, _x.Data, dw, outFeatures, inFeatures, n, transA: true,
            accumulate: !overwriteW);
        if (_bias is not null)
        {
            Span<float> db = GradSink(_bias);
            if (!db.IsEmpty)
            {
                for (int i = 0; i < n; i++) TensorPrimitives.Add(db, dy.Slice(i * outFeatures, outFeatures), db);
            }
        }
    }
}
