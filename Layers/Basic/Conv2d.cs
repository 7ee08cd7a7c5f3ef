namespace RocketNet.Layers;

/// <summary>
/// 2-d convolution with a square kernel over NCHW inputs: x [N, inC, H, W] → [N, outC, OH, OW],
/// OH = (H + 2·padding − kernel) / stride + 1. Weight [outC, inC, k, k] Kaiming-normal (fan-in inC·k·k),
/// bias (optional) zero.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Weight [outC, inC, k, k].</summary>
    public Tensor Weight { get; }

    /// <summary>Bias [outC], or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Stride in both directions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Creates a convolution initialised from <paramref name="random"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the padding is negative.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, RandomGenerator random, int stride = 1,
        int padding = 0, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        (InChannels, OutChannels, KernelSize, Stride, Padding) = (inChannels, outChannels, kernelSize, stride, padding);
        Weight = RegisterParameter("weight",
            Init.KaimingNormal([outChannels, inChannels, kernelSize, kernelSize], random));
        if (bias) Bias = RegisterParameter("bias", Tensor.Zeros(outChannels));
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding);

    /// <summary>
    /// Forward(input) + <paramref name="residual"/> in one op (<see cref="Functional.Conv2dAdd"/>): a residual block's
    /// output.
    /// </summary>
    public Tensor ForwardAdd(Tensor input, Tensor residual) =>
        Functional.Conv2dAdd(input, Weight, residual, Bias, Stride, Padding);
}
