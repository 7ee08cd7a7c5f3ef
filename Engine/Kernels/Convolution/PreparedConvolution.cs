namespace RocketNet.Kernels;

/// <summary>
/// A forward convolution whose weights are prepared once for one kernel, for inference plans that run the same
/// weights many times: implicit GEMM's packed weight panels, tap table and lane masks
/// (<see cref="ImplicitConvolution.PrepareTaps"/>), or Winograd's filters in the transformed domain
/// (<see cref="WinogradF23Convolution.TransformFilters"/>, <see cref="WinogradF43Convolution.TransformFilters"/>),
/// which <see cref="ConvolutionKernels.Forward(ConvolutionKernels.ForwardKernel, ConvGeometry, ReadOnlySpan{float},
/// ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/> recomputes on every call. Results
/// are bit-identical to that call on the same kernel, for any batch and <see cref="Parallelism.ThreadCount"/>.
/// Calls only read the prepared state, so any number of threads may run one instance at once.
/// </summary>
public sealed unsafe class PreparedConvolution
{
    private readonly float[] _weight, _bias;  // snapshot: [O, C, KH, KW], [O] or empty
    private readonly ImplicitTapSet? _taps;   // implicit GEMM on AVX-512
    private readonly GemmScratch? _filters;   // Winograd U: [cells][O rounded up to 8][C]

    /// <summary>
    /// Snapshots <paramref name="weight"/> and <paramref name="bias"/> and prepares them for
    /// <paramref name="kernel"/> on <paramref name="geometry"/> (its batch is ignored: each call gives its own).
    /// </summary>
    /// <param name="kernel">A kernel for which <see cref="ConvolutionKernels.CanRunForward"/> is true.</param>
    /// <param name="geometry">The convolution; any batch.</param>
    /// <param name="weight">[O, C, KH, KW].</param>
    /// <param name="bias">[O], or empty for none.</param>
    /// <exception cref="ArgumentException">The kernel cannot run the geometry here, or a span's length is not the
    /// geometry's.</exception>
    public PreparedConvolution(ConvolutionKernels.ForwardKernel kernel, ConvGeometry geometry,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias)
    {
        var g = geometry with { Batch = 1 };
        KernelArguments.CheckConvolution(g, "PreparedConvolution", (int)g.InputLength, weight.Length,
            (int)g.OutputLength, bias.Length);
        if (weight.Length != g.WeightLength || (!bias.IsEmpty && bias.Length != g.OutChannels))
        {
            throw new ArgumentException(
                $"PreparedConvolution: {g} needs {g.WeightLength} weights and {g.OutChannels} or no biases, got " +
                $"{weight.Length} and {bias.Length}.", nameof(weight));
        }
        if (!ConvolutionKernels.CanRunForward(kernel, g))
        {
            throw new ArgumentException(
                $"PreparedConvolution: kernel {kernel} cannot run {g} here; expected one for which " +
                "ConvolutionKernels.CanRunForward is true.", nameof(kernel));
        }
        (Kernel, Geometry, _weight, _bias) = (kernel, g, weight.ToArray(), bias.ToArray());
        fixed (float* w = _weight)
        {
            switch (kernel)
            {
                case ConvolutionKernels.ForwardKernel.WinogradF23:
                    _filters = new GemmScratch();
                    WinogradF23Convolution.TransformFilters(g, w,
                        _filters.Ensure(WinogradF23Convolution.FilterLength(g)));
                    break;
                case ConvolutionKernels.ForwardKernel.WinogradF43:
                    _filters = new GemmScratch();
                    WinogradF43Convolution.TransformFilters(g, w,
                        _filters.Ensure(WinogradF43Convolution.FilterLength(g)));
                    break;
                default:
                    // Without AVX-512 the im2col path has nothing to prepare: Forward runs it on the snapshot.
                    if (ImplicitConvolution.Available) _taps = ImplicitConvolution.PrepareTaps(g, w);
                    break;
            }
        }
    }

    /// <summary>The kernel every call runs.</summary>
    public ConvolutionKernels.ForwardKernel Kernel { get; }

    /// <summary>The convolution, with a batch of 1.</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>
    /// y = conv(x, w) + bias (+ residual, added in the kernel's epilogue) for <paramref name="batch"/> images.
    /// x: [batch, C, H, W], y: [batch, O, OH, OW] (overwritten), residual: empty or y's shape; longer spans are
    /// read and written only in that prefix.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is not positive or a span is too short for it.</exception>
    public void Forward(int batch, ReadOnlySpan<float> x, Span<float> y, ReadOnlySpan<float> residual = default)
    {
        if (batch < 1)
            throw new ArgumentException($"PreparedConvolution.Forward: batch must be positive, got {batch}.",
                nameof(batch));
        var g = Geometry with { Batch = batch };
        KernelArguments.CheckConvolution(g, "PreparedConvolution.Forward", x.Length, _weight.Length, y.Length,
            _bias.Length);
        if (!residual.IsEmpty)
            KernelArguments.RequireLength(residual.Length, g.OutputLength, "PreparedConvolution.Forward", "residual");
        if (_taps is null && _filters is null)
        {
            ConvolutionKernels.Forward(Kernel, g, x, _weight, _bias, y, residual); // im2col: no taps without AVX-512
            return;
        }
        fixed (float* xp = x, wp = _weight, bp = _bias, yp = y, rp = residual)
        {
            float* bias = _bias.Length == 0 ? null : bp, res = residual.IsEmpty ? null : rp;
            switch (Kernel)
            {
                case ConvolutionKernels.ForwardKernel.WinogradF23:
                    WinogradF23Convolution.Run(g, xp, wp, bias, yp, false, res, _filters!.Pointer);
                    break;
                case ConvolutionKernels.ForwardKernel.WinogradF43:
                    WinogradF43Convolution.Run(g, xp, wp, bias, yp, false, res, _filters!.Pointer);
                    break;
                default:
                    ImplicitConvolution.Run(g, xp, wp, bias, yp, false, res, _taps);
                    break;
            }
        }
    }
}
