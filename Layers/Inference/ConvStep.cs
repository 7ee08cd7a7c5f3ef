using RocketNet.Kernels;
using Kernel = RocketNet.Kernels.ConvolutionKernels.ForwardKernel;

namespace RocketNet.Layers;

/// <summary>
/// One convolution of a <see cref="ConvInferencePlan"/>: a snapshot of its weights (with a following batch norm
/// folded in, when there is one) and its geometry without the batch, which is filled in per call so that the kernel
/// is picked for the batch actually served (<see cref="KernelFor"/>).
/// </summary>
internal sealed class ConvStep
{
    /// <summary>
    /// Fewest 2×2 output tiles (batch·⌈OH/2⌉·⌈OW/2⌉) for which a serving batch takes Winograd F(2×2, 3×3) rather than
    /// implicit GEMM, both with their weights prepared once (<see cref="PreparedConvolution"/>). One call's tiles fill
    /// panels of 32, and a last panel at most half full runs on the half-width micro-kernel. Measured with
    /// <c>winograd-layers --threads 1 --batch B --prepared</c> (medians of 21), F(2×2, 3×3)'s speed-up over implicit
    /// GEMM: at 16 tiles (64→64 on 8×8, batch 1) 0.71× (loaded machine) when the panel ran full width, 1.29–1.38× since
    /// the half panel (quiet Zen 4 core, two rounds; 0.03 against 0.04 ms); 1.29× at 32 (the same at batch 2;
    /// 256→256 on 8×8 1.19×), 1.29× at 64 (32→32 on 16×16, batch 1), 1.31× at 256 (16→16 on 32×32, batch 1).
    /// Fewer tiles leave most of even a half panel empty.
    /// </summary>
    internal const int MinWinogradTiles = 16;

    /// <summary>
    /// Fewest input channels for which a serving batch takes Winograd F(2×2, 3×3): on the 3-channel stem (3→16 on
    /// 32×32, same benchmark) it measured 0.88× implicit GEMM at batch 1 and 0.98–0.99× at batches 2 and 4, the
    /// input transform costing as much as the multiplications it saves.
    /// </summary>
    internal const int MinWinogradInChannels = 16;

    private readonly ConvGeometry _geometry; // Batch = 1; the call's batch replaces it
    private readonly float[] _weight, _bias;  // [O, C, KH, KW], [O] or empty
    private readonly Kernel? _forced;
    private readonly PreparedConvolution?[] _prepared = new PreparedConvolution?[3]; // by kernel

    /// <summary>
    /// Prepares the weights (packed panels, Winograd filters) for every kernel <see cref="KernelFor"/> picks for
    /// batches 1 to <paramref name="maxBatchSize"/>, so that calls do not redo it.
    /// </summary>
    private ConvStep(ConvGeometry geometry, float[] weight, float[] bias, Kernel? forced, int maxBatchSize)
    {
        (_geometry, _weight, _bias, _forced) = (geometry, weight, bias, forced);
        for (int batch = 1; batch <= maxBatchSize; batch++)
        {
            var kernel = KernelFor(batch);
            _prepared[(int)kernel] ??= new PreparedConvolution(kernel, geometry, weight, bias);
        }
    }

    /// <summary>
    /// The step for <paramref name="conv"/> on [C, <paramref name="height"/>, <paramref name="width"/>] inputs,
    /// served in batches of at most <paramref name="maxBatchSize"/>, with
    /// <paramref name="after"/> (an eval batch norm on its output) folded into the weights, and the output's height
    /// and width; null when the kernel does not fit the padded input. <paramref name="forced"/> (for tests) replaces
    /// <see cref="KernelFor"/>'s rule with one kernel wherever it can run (implicit GEMM elsewhere).
    /// </summary>
    public static (ConvStep? Step, int Height, int Width) Create(Conv2d conv, ChannelScaleShift? after, int height,
        int width, int maxBatchSize, Kernel? forced = null)
    {
        int k = conv.KernelSize, stride = conv.Stride, pad = conv.Padding;
        if (height + 2 * pad < k || width + 2 * pad < k) return (null, 0, 0);
        var geometry = new ConvGeometry(1, conv.InChannels, height, width, conv.OutChannels, k, k, stride, stride, pad,
            pad);
        ReadOnlySpan<float> bias = conv.Bias is { } b ? b.Data : [];
        var (weight, foldedBias) = after is null
            ? (conv.Weight.Data.ToArray(), bias.ToArray())
            : after.FoldAfter(conv.Weight.Data, bias);
        var step = new ConvStep(geometry, weight, foldedBias, forced, maxBatchSize);
        return (step, geometry.OutHeight, geometry.OutWidth);
    }

    /// <summary>Values of the output for <paramref name="batch"/> images: batch·O·OH·OW.</summary>
    public int OutputLength(int batch) => (int)(_geometry with { Batch = batch }).OutputLength;

    /// <summary>
    /// The kernel that runs this convolution for <paramref name="batch"/> images. Batches of 16 or more, and those
    /// for which it picks F(4×4, 3×3), keep the dispatcher's choice
    /// (<see cref="ConvolutionKernels.DefaultForwardKernel"/>, tuned on training batches). Smaller ones take Winograd
    /// F(2×2, 3×3) when it applies, the call has at least <see cref="MinWinogradTiles"/> output tiles and the input
    /// at least <see cref="MinWinogradInChannels"/> channels, else implicit GEMM.
    /// </summary>
    public Kernel KernelFor(int batch)
    {
        var g = _geometry with { Batch = batch };
        if (_forced is { } forced)
            return ConvolutionKernels.CanRunForward(forced, g) ? forced : Kernel.ImplicitGemm;
        var dispatched = ConvolutionKernels.DefaultForwardKernel(g);
        if (batch >= 16 || dispatched == Kernel.WinogradF43) return dispatched;
        long tiles = (long)batch * ((g.OutHeight + 1) / 2) * ((g.OutWidth + 1) / 2);
        bool winograd = tiles >= MinWinogradTiles && g.InChannels >= MinWinogradInChannels
            && ConvolutionKernels.CanRunForward(Kernel.WinogradF23, g);
        return winograd ? Kernel.WinogradF23 : Kernel.ImplicitGemm;
    }

    /// <summary>
    /// y = conv(x) + bias (+ residual, added in the kernel's epilogue) on <see cref="KernelFor"/>'s kernel.
    /// x: [batch, C, H, W] (a prefix of the span), y: [batch, O, OH, OW] (a prefix; overwritten), residual: empty or
    /// y's shape. Below
    /// <see cref="Parallelism.MinParallelWork"/> multiply-adds the kernel runs on the caller's thread.
    /// </summary>
    public void Run(ReadOnlySpan<float> x, Span<float> y, int batch, ReadOnlySpan<float> residual = default)
    {
        var g = _geometry with { Batch = batch };
        long work = g.OutputLength * g.PatchLength;
        using var inline = Parallelism.InlineBelow(work);
        var kernel = KernelFor(batch);
        if (_prepared[(int)kernel] is { } prepared)
        {
            prepared.Forward(batch, x, y, residual);
            return;
        }
        // A kernel not prepared at creation (ConvolutionKernels.WinogradEnabled changed since): unprepared call.
        ConvolutionKernels.Forward(kernel, g, x[..(int)g.InputLength], _weight, _bias, y[..(int)g.OutputLength],
            residual);
    }
}
