using RocketNet.Kernels;
using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// What <see cref="WinogradForwardTests{TVariant}"/> needs to know of one forward Winograd kernel F(m×m, 3×3):
/// its reference, its fast kernel, its transform matrices, how many roundings its bound counts beyond the channel
/// sum, and the shapes worth testing it on. Static members, so that xunit finds the shapes on the closed test
/// class and a variant is a type argument, like the engine's lane structs.
/// </summary>
public interface IWinogradForwardVariant
{
    /// <summary>Whether the fast kernel runs on this machine (it needs AVX-512).</summary>
    static abstract bool Available { get; }

    /// <summary>Shapes (N, C, H, W, O) for the reference and fast-kernel theories.</summary>
    static abstract TheoryData<int, int, int, int, int> Shapes { get; }

    /// <summary>Shapes whose fast forward must give the same bits on one thread and on two.</summary>
    static abstract ConvGeometry[] ThreadCountShapes { get; }

    /// <summary>The largest batch of the random shapes (large enough to reach the kernel's image groups).</summary>
    static abstract int MaxRandomBatch { get; }

    /// <summary>
    /// n − C: the roundings an output passes through besides the C of the channel sum; the bound is
    /// (C + this)·u·S.
    /// </summary>
    static abstract int RoundingsBeyondChannels { get; }

    /// <summary>How far (relative to S) the double-precision reference may be from direct convolution.</summary>
    static abstract double ReferenceTolerance { get; }

    /// <summary>G [α, 3], Bᵀ [α, α] and Aᵀ [m, α]: the transforms, for S.</summary>
    static abstract (double[,] G, double[,] BT, double[,] AT) Transforms { get; }

    /// <summary>The double-precision Winograd reference: y = conv(x, w) + bias, rounded once to float.</summary>
    static abstract void Reference(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y);

    /// <summary>What the fast kernel's output is held to: the Winograd reference or direct convolution.</summary>
    static abstract void FastKernelWant(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y);

    /// <summary>The fast kernel: y (+)= conv(x, w) (+ bias) (+ residual).</summary>
    static abstract void Fast(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default, bool accumulate = false);
}
