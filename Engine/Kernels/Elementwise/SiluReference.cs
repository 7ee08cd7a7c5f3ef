namespace RocketNet.Kernels;

/// <summary>
/// The definition of SiLU (the sigmoid-weighted linear unit, "swish"), y = x·σ(x) with σ(x) = 1 / (1 + e^−x),
/// and of its derivative dy/dx = σ(x)·(1 + x·(1 − σ(x))), one element at a time in double precision.
/// <see cref="SiluKernels"/> must agree with it to float rounding.
/// </summary>
public static class SiluReference
{
    /// <summary>y = x·σ(x).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double sigma = 1 / (1 + Math.Exp(-x[i]));
            y[i] = (float)(x[i] * sigma);
        }
    }

    /// <summary>dx += dy·σ(x)·(1 + x·(1 − σ(x))).</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double sigma = 1 / (1 + Math.Exp(-x[i]));
            dx[i] = (float)(dx[i] + dy[i] * sigma * (1 + x[i] * (1 - sigma)));
        }
    }
}
