namespace RocketNet.Kernels;

/// <summary>
/// Which AVX-512 (or, for Winograd F(4×4, 3×3), 128-bit) kernel computes a convolution: the rules
/// (<see cref="ChooseForward"/>, <see cref="UsesWinogradWeightGradient"/>) and the switch that turns Winograd off.
/// </summary>
public static unsafe partial class ConvolutionKernels
{
    /// <summary>
    /// The forward kernel <see cref="ChooseForward"/> picks, run on pointers. Implicit GEMM needs
    /// <see cref="ImplicitConvolution.Available"/>; callers without it come here only for Winograd F(4×4, 3×3).
    /// </summary>
    private static void RunForward(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
        float* residual = null)
    {
        switch (ChooseForward(g))
        {
            case ForwardKernel.WinogradF43: WinogradF43Convolution.Run(g, x, w, bias, y, accumulate, residual); break;
            case ForwardKernel.WinogradF23: WinogradF23Convolution.Run(g, x, w, bias, y, accumulate, residual); break;
            default: ImplicitConvolution.Run(g, x, w, bias, y, accumulate, residual); break;
        }
    }

    /// <summary>The kernels that compute a forward convolution (or an input gradient run as one).</summary>
    public enum ForwardKernel
    {
        /// <summary><see cref="ImplicitConvolution"/>: any geometry.</summary>
        ImplicitGemm,

        /// <summary><see cref="WinogradF23Convolution"/>: F(2×2, 3×3), 16 tiles of one image per vector.</summary>
        WinogradF23,

        /// <summary>
        /// <see cref="WinogradF43Convolution"/>: F(4×4, 3×3), one tile of 16 images (4 on 128-bit vectors) per vector.
        /// </summary>
        WinogradF43,
    }

    /// <summary>
    /// The kernel for a forward convolution (or an input gradient run as one). 3×3 stride-1 pad-1
    /// geometries with at least <see cref="WinogradF43MinChannels"/> input and output channels take Winograd
    /// F(4×4, 3×3) when the batch fills at least 7 of every 8 of its vector lanes (one image each, in groups of
    /// 16 on AVX-512: batches of 14–16, 28–32, .., 112–128, ..; of 4 on 128-bit vectors: 4, 7–8, 11–12, ..); else,
    /// on AVX-512, those with at least <see cref="WinogradMinChannels"/> channels each way take F(2×2, 3×3); the rest
    /// implicit GEMM (the im2col path where <see cref="ImplicitConvolution.Available"/> is false). Measured per WRN
    /// layer shape (docs/performance.md): at batch 128 F(4×4, 3×3) is the fastest of the three at 16, 32, 64, 128
    /// and 256 channels; below 16 (the stem) the transforms cost more than the multiplications saved; on a batch
    /// smaller than 16 (inference) most of its lanes would be idle padding.
    /// </summary>
    internal static ForwardKernel ChooseForward(in ConvGeometry g)
    {
        if (!WinogradEnabled || !Winograd.Applies(g)) return ForwardKernel.ImplicitGemm;
        int channels = Math.Min(g.InChannels, g.OutChannels);
        if (WinogradF43Convolution.Available && channels >= WinogradF43MinChannels)
        {
            int group = WinogradF43Convolution.ImageLanes;
            int lanes = (g.Batch + group - 1) / group * group;
            if (8 * g.Batch >= 7 * lanes) return ForwardKernel.WinogradF43;
        }
        return channels >= WinogradMinChannels && WinogradF23Convolution.Available
            ? ForwardKernel.WinogradF23 : ForwardKernel.ImplicitGemm;
    }

    /// <summary>True when <see cref="ChooseForward"/> picks either Winograd kernel.</summary>
    internal static bool UsesWinograd(in ConvGeometry g) => ChooseForward(g) != ForwardKernel.ImplicitGemm;

    /// <summary>
    /// True when a weight gradient takes Winograd F(2×2, 3×3) (<see cref="WinogradF23WeightGradient"/>) instead of the
    /// packed tiles: 3×3 stride-1 pad-1 with at least <see cref="WinogradMinChannels"/> input and output channels.
    /// At 16 channels its 32-channel panels would be half padding and it measured slower (docs/performance.md).
    /// </summary>
    internal static bool UsesWinogradWeightGradient(in ConvGeometry g)
    {
        int least = Winograd.Available ? WinogradMinChannels : WinogradWeightGradientMinChannels128;
        return WinogradEnabled && WinogradF23WeightGradient.Available && WinogradF23WeightGradient.Applies(g)
            && g.InChannels >= least && g.OutChannels >= least;
    }

    /// <summary>
    /// Fewest input and output channels for which the 128-bit F(2×2, 3×3) weight gradient replaces im2col + GEMM.
    /// </summary>
    internal const int WinogradWeightGradientMinChannels128 = 16;

    /// <summary>
    /// Whether eligible convolutions may run as Winograd, F(4×4, 3×3) or F(2×2, 3×3) (default true). Winograd
    /// rounds differently from direct convolution (within the bounds its tests state); false gives every
    /// convolution the direct kernels' bits, e.g. to compare a run with one made before Winograd existed. Set it
    /// between steps, not while a pass runs.
    /// </summary>
    public static bool WinogradEnabled { get; set; } = true;

    /// <summary>Fewest input and output channels for which F(2×2, 3×3) beats implicit GEMM (ChooseForward).</summary>
    internal const int WinogradMinChannels = 32;

    /// <summary>Fewest input and output channels for which F(4×4, 3×3) beats implicit GEMM (ChooseForward).</summary>
    internal const int WinogradF43MinChannels = 16;
}
