using RocketNet.Shapes;

namespace RocketNet.Layers;

/// <summary>Max pooling with a square window over [N, C, H, W] (stride defaults to the window size).</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Creates the layer.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        (KernelSize, Stride, Padding) = (kernelSize, stride ?? kernelSize, padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Stride, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding);
}

/// <summary>Average pooling with a square window over [N, C, H, W]; zero padding counts in the divisor.</summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Creates the layer.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        (KernelSize, Stride, Padding) = (kernelSize, stride ?? kernelSize, padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Stride, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, KernelSize, Stride, Padding);
}

/// <summary>Mean over each channel plane: [N, C, H, W] → [N, C].</summary>
public sealed class GlobalAvgPool : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.GlobalAvgPool2d(input);
}

/// <summary>Keeps the batch axis and flattens the rest: [N, d1, d2, ...] → [N, d1·d2·…].</summary>
public sealed class Flatten : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1)
            throw new ArgumentException($"Flatten: input needs a batch axis, got {ShapeMath.Format(input.Shape)}.",
                nameof(input));
        if (input.Rank == 2) return input;
        int n = input.Shape[0];
        return input.Reshape(n, n == 0 ? 0 : input.Count / n);
    }
}
