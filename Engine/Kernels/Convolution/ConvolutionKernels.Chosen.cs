namespace RocketNet.Kernels;

/// <summary>
/// Forward convolution on a kernel the caller names instead of the one <see cref="ChooseForward"/> picks: for
/// compiled inference plans, which choose per layer for the batch they serve (the dispatcher's rule is tuned for
/// training batches). Every kernel computes the same convolution; they differ in rounding within the bounds their
/// tests state, and each is bit-identical for any <see cref="Parallelism.ThreadCount"/>.
/// </summary>
public static unsafe partial class ConvolutionKernels
{
    /// <summary>
    /// True when <paramref name="kernel"/> can compute <paramref name="g"/> on this machine: implicit GEMM always (on
    /// machines without AVX-512 it is the im2col path), Winograd for 3×3 stride-1 pad-1 geometries while
    /// <see cref="WinogradEnabled"/>: F(2×2, 3×3) on AVX-512, F(4×4, 3×3) there and on 128-bit vectors.
    /// </summary>
    public static bool CanRunForward(ForwardKernel kernel, in ConvGeometry g) => kernel switch
    {
        ForwardKernel.ImplicitGemm => true,
        ForwardKernel.WinogradF23 => WinogradEnabled && Winograd.Available && Winograd.Applies(g),
        ForwardKernel.WinogradF43 => WinogradEnabled && WinogradF43Convolution.Available && Winograd.Applies(g),
        _ => false,
    };

    /// <summary>The kernel <see cref="Forward(ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float},
    /// ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/> runs for <paramref name="g"/>.</summary>
    public static ForwardKernel DefaultForwardKernel(in ConvGeometry g) => ChooseForward(g);

    /// <summary>
    /// y = conv(x, w) + bias (+ residual) on <paramref name="kernel"/>. Shapes as in <see cref="Forward(ConvGeometry,
    /// ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry, a span too short, or a kernel that cannot run
    /// <paramref name="g"/> here (<see cref="CanRunForward"/>).</exception>
    public static void Forward(ForwardKernel kernel, ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default)
    {
        if (!CanRunForward(kernel, g))
        {
            throw new ArgumentException(
                $"ConvolutionKernels.Forward: kernel {kernel} cannot run {g} here; expected a kernel for which " +
                "CanRunForward is true (Winograd needs a 3×3 stride-1 pad-1 geometry, WinogradEnabled and AVX-512, " +
                "or for F(4×4, 3×3) 128-bit vectors with FMA).",
                nameof(kernel));
        }
        switch (kernel)
        {
            case ForwardKernel.WinogradF23: WinogradF23Convolution.Forward(g, x, w, bias, y, residual); return;
            case ForwardKernel.WinogradF43: WinogradF43Convolution.Forward(g, x, w, bias, y, residual); return;
        }
        KernelArguments.CheckConvolution(g, "ConvolutionKernels.Forward", x.Length, w.Length, y.Length, bias.Length);
        if (!residual.IsEmpty) KernelArguments.RequireLength(residual.Length, g.OutputLength,
            "ConvolutionKernels.Forward", "residual");
        if (!ImplicitConvolution.Available)
        {
            ForwardIm2Col(g, x, w, bias, y, residual); // the direct path without AVX-512
            return;
        }
        fixed (float* xp = x, wp = w, bp = bias, yp = y, rp = residual)
        {
            ImplicitConvolution.Run(g, xp, wp, bias.IsEmpty ? null : bp, yp, accumulate: false,
                residual.IsEmpty ? null : rp);
        }
    }
}
