using RocketNet.Kernels;

namespace RocketNet.Layers;

/// <summary>
/// One convolution of a <see cref="ConvInferencePlan"/>: a snapshot of its weights (with a following batch norm
/// folded in, when there is one) and its geometry without the batch, which is filled in per call so that
/// <see cref="ConvolutionKernels.Forward"/> picks the kernel for the batch actually served.
/// </summary>
internal sealed class ConvStep
{
    private readonly ConvGeometry _geometry; // Batch = 1; the call's batch replaces it
    private readonly float[] _weight, _bias;  // [O, C, KH, KW], [O] or empty

    private ConvStep(ConvGeometry geometry, float[] weight, float[] bias) =>
        (_geometry, _weight, _bias) = (geometry, weight, bias);

    /// <summary>
    /// The step for <paramref name="conv"/> on [C, <paramref name="height"/>, <paramref name="width"/>] inputs with
    /// <paramref name="after"/> (an eval batch norm on its output) folded into the weights, and the output's height
    /// and width; null when the kernel does not fit the padded input.
    /// </summary>
    public static (ConvStep? Step, int Height, int Width) Create(Conv2d conv, ChannelScaleShift? after, int height,
        int width)
    {
        int k = conv.KernelSize, stride = conv.Stride, pad = conv.Padding;
        if (height + 2 * pad < k || width + 2 * pad < k) return (null, 0, 0);
        var geometry = new ConvGeometry(1, conv.InChannels, height, width, conv.OutChannels, k, k, stride, stride, pad,
            pad);
        ReadOnlySpan<float> bias = conv.Bias is { } b ? b.Data : [];
        var (weight, foldedBias) = after is null
            ? (conv.Weight.Data.ToArray(), bias.ToArray())
            : after.FoldAfter(conv.Weight.Data, bias);
        return (new ConvStep(geometry, weight, foldedBias), geometry.OutHeight, geometry.OutWidth);
    }

    /// <summary>Values of the output for <paramref name="batch"/> images: batch·O·OH·OW.</summary>
    public int OutputLength(int batch) => (int)(_geometry with { Batch = batch }).OutputLength;

    /// <summary>
    /// y = conv(x) + bias (+ residual, added in the kernel's epilogue). x: [batch, C, H, W] (a prefix of the span),
    /// y: [batch, O, OH, OW] (a prefix; overwritten), residual: empty or y's shape. Below
    /// <see cref="Parallelism.MinParallelWork"/> multiply-adds the kernel runs on the caller's thread.
    /// </summary>
    public void Run(ReadOnlySpan<float> x, Span<float> y, int batch, ReadOnlySpan<float> residual = default)
    {
        var g = _geometry with { Batch = batch };
        long work = g.OutputLength * g.PatchLength;
        using var inline = Parallelism.InlineBelow(work);
        ConvolutionKernels.Forward(g, x[..(int)g.InputLength], _weight, _bias, y[..(int)g.OutputLength], residual);
    }
}
