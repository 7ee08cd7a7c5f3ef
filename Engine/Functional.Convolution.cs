using RocketNet.Ops;

namespace RocketNet;

public static partial class Functional
{
    /// <summary>
    /// 2-d convolution over NCHW: input [N, C, H, W], weight [O, C, KH, KW], bias [O] or null →
    /// [N, O, OH, OW] with OH = (H + 2·padding − KH) / stride + 1.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or geometry disagree; the message names both.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        Conv2dFunction.Forward(input, weight, bias, stride, padding);

    /// <summary>
    /// <see cref="Conv2d"/>(input, ...) + <paramref name="residual"/> as one op: a ResNet block's output, with the
    /// shortcut added to each finished output tile instead of by a separate add (no extra pass over the activation
    /// forward, no gradient copy backward). Bit-identical to the two ops: the residual is added to each finished
    /// output tile while it is still in cache.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes or geometry disagree, or the residual is not the output's
    /// shape.</exception>
    public static Tensor Conv2dAdd(Tensor input, Tensor weight, Tensor residual, Tensor? bias = null,
        int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(residual);
        return Conv2dFunction.Forward(input, weight, bias, stride, padding, residual);
    }

    /// <summary>Max pooling with a square window (stride defaults to the window size, as in PyTorch).</summary>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        MaxPool2dFunction.Forward(input, kernelSize, stride ?? kernelSize, padding);

    /// <summary>
    /// <c>MaxPool2d(input.Relu(), …)</c> as one op, with the same values and gradients bit for bit: ReLU commutes
    /// with max, so the pooled output is clamped instead of a full-size ReLU copy of the input, and backward stops
    /// the gradient where that output is 0. The conv → ReLU → max-pool stage of a CNN saves a full-size pass and
    /// tensor each way.
    /// </summary>
    public static Tensor ReluMaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        MaxPool2dFunction.Forward(input, kernelSize, stride ?? kernelSize, padding, relu: true);

    /// <summary>Average pooling with a square window; zero padding counts in the divisor (PyTorch's default).</summary>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        AvgPool2dFunction.Forward(input, kernelSize, stride ?? kernelSize, padding);

    /// <summary>Mean over each channel plane: [N, C, H, W] → [N, C].</summary>
    public static Tensor GlobalAvgPool2d(Tensor input) => GlobalAvgPoolFunction.Forward(input);

    /// <summary>
    /// Batch normalisation of [N, C] or [N, C, H, W] inputs per channel. In training it uses the batch's
    /// statistics and updates <paramref name="runningMean"/>/<paramref name="runningVar"/> in place
    /// (running = (1 − momentum)·running + momentum·batch, unbiased variance); otherwise it uses them.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f) =>
        BatchNormFunction.Forward(input, gamma, beta, runningMean, runningVar, training, momentum, eps);

    /// <summary>
    /// max(<see cref="BatchNorm"/>(...), 0) as one op (same arguments and running-statistics update): the
    /// pre-activation "BN → ReLU" of ResNets without the intermediate activation or its gradient buffer.
    /// Forward and gradients are bit-identical to <c>BatchNorm(...).Relu()</c>.
    /// </summary>
    public static Tensor BatchNormRelu(Tensor input, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f) =>
        BatchNormFunction.Forward(input, gamma, beta, runningMean, runningVar, training, momentum, eps, relu: true);
}
