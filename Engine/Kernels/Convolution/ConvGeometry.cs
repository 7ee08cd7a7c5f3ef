namespace RocketNet.Kernels;

/// <summary>
/// Shape of a 2-d convolution over NCHW tensors: input x [Batch, InChannels, Height, Width], weights
/// [OutChannels, InChannels, KernelHeight, KernelWidth], output y [Batch, OutChannels, OutHeight, OutWidth].
/// Zero padding is applied symmetrically; output sizes round down like PyTorch's default.
/// </summary>
/// <param name="Batch">Number of images N.</param>
/// <param name="InChannels">Input channels C.</param>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="OutChannels">Output channels O.</param>
/// <param name="KernelHeight">Kernel height KH.</param>
/// <param name="KernelWidth">Kernel width KW.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Zero rows added above and below.</param>
/// <param name="PadW">Zero columns added left and right.</param>
public readonly record struct ConvGeometry(int Batch, int InChannels, int Height, int Width, int OutChannels,
    int KernelHeight, int KernelWidth, int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>Output height OH = (H + 2·PadH − KH) / StrideH + 1 (rounded down).</summary>
    public int OutHeight => (Height + 2 * PadH - KernelHeight) / StrideH + 1;

    /// <summary>Output width OW = (W + 2·PadW − KW) / StrideW + 1 (rounded down).</summary>
    public int OutWidth => (Width + 2 * PadW - KernelWidth) / StrideW + 1;

    /// <summary>Elements of the input x: N·C·H·W.</summary>
    public long InputLength => (long)Batch * InChannels * Height * Width;

    /// <summary>Elements of the weights w: O·C·KH·KW.</summary>
    public long WeightLength => (long)OutChannels * InChannels * KernelHeight * KernelWidth;

    /// <summary>Elements of the output y: N·O·OH·OW.</summary>
    public long OutputLength => (long)Batch * OutChannels * OutHeight * OutWidth;

    /// <summary>Rows of the im2col matrix for one image: C·KH·KW.</summary>
    public int PatchLength => InChannels * KernelHeight * KernelWidth;

    /// <summary>Throws if any size is non-positive, a padding is negative or the output would be empty.</summary>
    /// <exception cref="ArgumentException">The geometry makes no sense; the message says which part.</exception>
    public void Validate()
    {
        RequirePositive(Batch, nameof(Batch));
        RequirePositive(InChannels, nameof(InChannels));
        RequirePositive(Height, nameof(Height));
        RequirePositive(Width, nameof(Width));
        RequirePositive(OutChannels, nameof(OutChannels));
        RequirePositive(KernelHeight, nameof(KernelHeight));
        RequirePositive(KernelWidth, nameof(KernelWidth));
        RequirePositive(StrideH, nameof(StrideH));
        RequirePositive(StrideW, nameof(StrideW));
        if (PadH < 0 || PadW < 0)
            throw new ArgumentException($"Convolution padding must be non-negative, got PadH={PadH}, PadW={PadW}.");
        if ((long)Height + 2L * PadH < KernelHeight || (long)Width + 2L * PadW < KernelWidth)
            throw new ArgumentException(
                $"Convolution kernel {KernelHeight}x{KernelWidth} does not fit the padded input " +
                $"{Height + 2L * PadH}x{Width + 2L * PadW} (input {Height}x{Width}, padding " +
                $"{PadH},{PadW}); output would be empty.");
        if (InputLength > int.MaxValue || OutputLength > int.MaxValue || WeightLength > int.MaxValue
            || (long)PatchLength * OutHeight * OutWidth > int.MaxValue)
            throw new ArgumentException(
                $"Convolution {this} is too large: a buffer would exceed {int.MaxValue} elements.");
    }

    private static void RequirePositive(int value, string name)
    {
        if (value < 1) throw new ArgumentException($"Convolution {name} must be at least 1, got {value}.");
    }
}
