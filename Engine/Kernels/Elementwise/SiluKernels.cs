using System.Numerics.Tensors;
using RocketNet.Memory;

namespace RocketNet.Kernels;

/// <summary>
/// SiLU, y = x·σ(x), and its backward, vectorised by composing <see cref="TensorPrimitives"/> passes (which pick
/// the widest vectors the hardware has, exponential included). An activation is memory-bound, so a few passes
/// over data that fits the cache cost little; a fused one-pass loop would save bandwidth on large activations.
/// Reference: <see cref="SiluReference"/>.
/// </summary>
public static class SiluKernels
{
    /// <summary>y = x·σ(x). <paramref name="y"/> may be <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"SiLU: x holds {x.Length} values, y {y.Length}.", nameof(y));
        if (x.Overlaps(y))
        {
            float[] sigma = BufferPool.Rent(x.Length, clear: false);
            TensorPrimitives.Sigmoid(x, sigma.AsSpan(0, x.Length));
            TensorPrimitives.Multiply(x, sigma.AsSpan(0, x.Length), y);
            BufferPool.Return(sigma);
            return;
        }
        TensorPrimitives.Sigmoid(x, y);         // y = σ(x)
        TensorPrimitives.Multiply(x, y, y);     // y = x·σ(x)
    }

    /// <summary>dx += dy·σ(x)·(1 + x·(1 − σ(x))).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (x.Length != dy.Length || x.Length != dx.Length)
            throw new ArgumentException($"SiLU backward: x holds {x.Length} values, dy {dy.Length}, dx {dx.Length}.",
                nameof(dx));
        float[] rented = BufferPool.Rent(x.Length, clear: false);
        var t = rented.AsSpan(0, x.Length);
        float[] sigmaArray = BufferPool.Rent(x.Length, clear: false);
        var sigma = sigmaArray.AsSpan(0, x.Length);
        TensorPrimitives.Sigmoid(x, sigma);                 // σ
        TensorPrimitives.Subtract(1f, sigma, t);            // 1 − σ
        TensorPrimitives.MultiplyAdd(x, t, 1f, t);          // 1 + x·(1 − σ)
        TensorPrimitives.Multiply(t, sigma, t);             // σ·(1 + x·(1 − σ))
        TensorPrimitives.MultiplyAdd(dy, t, dx, dx);        // dx += dy·…
        BufferPool.Return(sigmaArray);
        BufferPool.Return(rented);
    }
}
