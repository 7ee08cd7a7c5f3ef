using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// 2-d convolution (cross-correlation, like PyTorch) over NCHW: x [N, C, H, W], w [O, C, KH, KW],
/// bias [O] or none → y [N, O, OH, OW], plus an optional residual r [N, O, OH, OW] (y = conv + r: a ResNet
/// block's shortcut added to each output tile while it is in cache, not by a separate add pass; backward gives dy to r
/// as an
/// add would). Forward and both backward halves run in <see cref="ConvolutionKernels"/> (implicit GEMM, or
/// im2col + GEMM); their plain versions are in ConvolutionReference.
/// </summary>
internal sealed class Conv2dFunction : Function
{
    private readonly Tensor _x, _w;
    private readonly Tensor? _bias, _residual;
    private readonly ConvGeometry _geometry;

    private Conv2dFunction(Tensor x, Tensor w, Tensor? bias, Tensor? residual, ConvGeometry geometry)
        : base([x, w, .. bias is null ? Array.Empty<Tensor>() : [bias], .. residual is null
            ? Array.Empty<Tensor>() : [residual]])
    {
        (_x, _w, _bias, _residual, _geometry) = (x, w, bias, residual, geometry);
    }

    public override string Name => _residual is null ? "Conv2d" : "Conv2dAdd";

    public static Tensor Forward(Tensor x, Tensor w, Tensor? bias, int stride, int padding, Tensor? residual = null)
    {
        if (x.Rank != 4)
            throw new ArgumentException($"Conv2d: input must be [N, C, H, W], got {ShapeMath.Format(x.Shape)}.",
                nameof(x));
        if (w.Rank != 4)
            throw new ArgumentException($"Conv2d: weight must be [O, C, KH, KW], got {ShapeMath.Format(w.Shape)}.",
                nameof(w));
        if (w.Shape[1] != x.Shape[1])
            throw new ArgumentException(
                $"Conv2d: input {ShapeMath.Format(x.Shape)} has {x.Shape[1]} channels but weight " +
                $"{ShapeMath.Format(w.Shape)} expects {w.Shape[1]}.");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != w.Shape[0]))
            throw new ArgumentException($"Conv2d: bias must be [{w.Shape[0]}], got {ShapeMath.Format(bias.Shape)}.",
                nameof(bias));
        var g = new ConvGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[2], w.Shape[3],
            stride, stride, padding, padding);
        g.Validate();
        int[] outputShape = [g.Batch, g.OutChannels, g.OutHeight, g.OutWidth];
        if (residual is not null && !residual.Shape.SequenceEqual(outputShape))
            throw new ArgumentException(
                $"Conv2d: the residual must have the output's shape {ShapeMath.Format(outputShape)}, got " +
                $"{ShapeMath.Format(residual.Shape)}.", nameof(residual));
        var y = Tensor.Create(outputShape, clear: false);
        ConvolutionKernels.Forward(g, x.Data, w.Data, bias is null ? default : bias.Data, y.Data,
            residual is null ? default : residual.Data);
        bool record = GradMode.IsEnabled && (x.RequiresGrad || w.RequiresGrad || (bias?.RequiresGrad ?? false)
            || (residual?.RequiresGrad ?? false));
        if (record) y.SetGradFn(new Conv2dFunction(x, w, bias, residual, g));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        bool residualIsOperand = ReferenceEquals(_residual, _x) || ReferenceEquals(_residual, _w)
            || ReferenceEquals(_residual, _bias);
        // d(conv + r)/dr = 1: dy itself becomes r's gradient when nothing else has reached r, else it is added.
        if (_residual is not null && (residualIsOperand || !HandOverGradient(y, _residual)))
            PassGradient(_residual, dy);
        Span<float> dx = GradSinkForOverwrite(_x, out bool overwrite);
        if (!dx.IsEmpty) ConvolutionKernels.BackwardInput(_geometry, dy, _w.Data, dx, accumulate: !overwrite);
        Span<float> dw = GradSink(_w);
        Span<float> db = _bias is null ? default : GradSink(_bias);
        if (!dw.IsEmpty || !db.IsEmpty)
        {
            if (dw.IsEmpty)
            {
                // Only the bias needs a gradient: Σ over N and space of dy, per output channel.
                int plane = _geometry.OutHeight * _geometry.OutWidth;
                for (int n = 0; n < _geometry.Batch; n++)
                    for (int o = 0; o < _geometry.OutChannels; o++)
                        db[o] += System.Numerics.Tensors.TensorPrimitives.Sum(
                            dy.Slice((n * _geometry.OutChannels + o) * plane, plane));
                return;
            }
            ConvolutionKernels.BackwardWeight(_geometry, _x.Data, dy, dw, db);
        }
    }
}
