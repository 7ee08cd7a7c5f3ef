using System.Buffers;
using RocketNet.Autograd;
using RocketNet.Kernels;
using RocketNet.Shapes;

namespace RocketNet.Ops;

/// <summary>
/// Max pooling over NCHW. The forward records, for each output, the flat index (within its input plane)
/// of the winning input; backward sends dy there (PoolingKernels.MaxPoolBackward). The ReLU variant is
/// pool(relu(x)) in one op: ReLU commutes with max, so it clamps the pooled output instead of a full-size
/// copy of x, and its backward stops dy where that output is 0 — the same bits as the two ops, one full-size
/// pass and one full-size tensor fewer each way.
/// </summary>
internal sealed class MaxPool2dFunction : Function
{
    private readonly Tensor _x;
    private readonly PoolGeometry _geometry;
    private readonly bool _relu;
    private int[]? _argMax; // pooled, one per output element

    private MaxPool2dFunction(Tensor x, PoolGeometry geometry, int[] argMax, bool relu) : base(x) =>
        (_x, _geometry, _argMax, _relu) = (x, geometry, argMax, relu);

    public override string Name => _relu ? "ReluMaxPool2d" : "MaxPool2d";

    public static Tensor Forward(Tensor x, int kernel, int stride, int padding, bool relu = false)
    {
        var g = Pooling.Geometry(x, kernel, stride, padding, relu ? "ReluMaxPool2d" : "MaxPool2d");
        var y = Tensor.Create([g.N, g.C, g.OutHeight, g.OutWidth], clear: false);
        int[] argMax = ArrayPool<int>.Shared.Rent(y.Count);
        PoolingKernels.MaxPoolForward(g, x.Data, y.Data, argMax.AsSpan(0, y.Count), relu);
        if (ShouldRecord(x)) y.SetGradFn(new MaxPool2dFunction(x, g, argMax, relu));
        else ArrayPool<int>.Shared.Return(argMax);
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSinkForOverwrite(_x, out bool overwrite);
        if (!dx.IsEmpty)
            PoolingKernels.MaxPoolBackward(_geometry, dy, _argMax.AsSpan(0, y.Count), dx, accumulate: !overwrite,
                _relu ? y.Data : default);
    }

    protected override void ReleaseSaved()
    {
        if (_argMax is not null) ArrayPool<int>.Shared.Return(_argMax);
        _argMax = null;
    }
}

/// <summary>
/// Average pooling over NCHW with zero padding counted in the divisor (PyTorch's default
/// count_include_pad). Backward spreads each dy evenly over its window.
/// </summary>
internal sealed class AvgPool2dFunction : Function
{
    private readonly Tensor _x;
    private readonly PoolGeometry _geometry;

    private AvgPool2dFunction(Tensor x, PoolGeometry geometry) : base(x) => (_x, _geometry) = (x, geometry);

    public override string Name => "AvgPool2d";

    public static Tensor Forward(Tensor x, int kernel, int stride, int padding)
    {
        var g = Pooling.Geometry(x, kernel, stride, padding, "AvgPool2d");
        var y = Tensor.Create([g.N, g.C, g.OutHeight, g.OutWidth], clear: false);
        PoolingKernels.AvgPoolForward(g, x.Data, y.Data);
        if (ShouldRecord(x)) y.SetGradFn(new AvgPool2dFunction(x, g));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (!dx.IsEmpty) PoolingKernels.AvgPoolBackward(_geometry, dy, dx);
    }
}

/// <summary>Global average pooling: [N, C, H, W] → [N, C], each output the mean of its plane.</summary>
internal sealed class GlobalAvgPoolFunction : Function
{
    private readonly Tensor _x;

    private GlobalAvgPoolFunction(Tensor x) : base(x) => _x = x;

    public override string Name => "GlobalAvgPool2d";

    public static Tensor Forward(Tensor x)
    {
        if (x.Rank != 4)
            throw new ArgumentException(
                $"GlobalAvgPool2d: input must be [N, C, H, W], got {ShapeMath.Format(x.Shape)}.", nameof(x));
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var y = Tensor.Create([n, c], clear: false);
        PoolingKernels.GlobalAvgPoolForward(x.Data, y.Data, n, c, h, w);
        if (ShouldRecord(x)) y.SetGradFn(new GlobalAvgPoolFunction(x));
        return y;
    }

    protected internal override void Backward(Tensor y, ReadOnlySpan<float> dy)
    {
        Span<float> dx = GradSink(_x);
        if (!dx.IsEmpty) PoolingKernels.GlobalAvgPoolBackward(dy, dx, _x.Shape[0], _x.Shape[1],
            _x.Shape[2], _x.Shape[3]);
    }
}

/// <summary>Shared argument checking for the pooling ops.</summary>
internal static class Pooling
{
    public static PoolGeometry Geometry(Tensor x, int kernel, int stride, int padding, string op)
    {
        if (x.Rank != 4)
            throw new ArgumentException(
                $"{op}: input must be [N, C, H, W], got {ShapeMath.Format(x.Shape)}.", nameof(x));
        var g = new PoolGeometry(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernel, kernel, stride,
            stride, padding, padding);
        g.Validate();
        return g;
    }
}
