using System.Numerics.Tensors;
using RocketNet.Memory;

namespace RocketNet.Kernels;

/// <summary>
/// 2-d convolution over NCHW tensors. On AVX-512 machines the forward pass (every geometry) and the input
/// gradient of stride-1 same-size geometries (a convolution of gradY with the flipped kernel) and of strided
/// phase geometries (one such convolution per phase, <see cref="PhaseInputGradient"/>) run as implicit GEMM
/// (<see cref="ImplicitConvolution"/>): no im2col matrix, no packed B panel; the weight gradient of geometries
/// whose im2col rows are shifted (phase) planes packs each phase plane once, with zero gaps, instead of im2col
/// (<see cref="PackedWeightGradient"/>). Of the implicit-GEMM cases, 3×3 stride-1 pad-1 convolutions with enough
/// channels run as Winograd F(4×4, 3×3) or F(2×2, 3×3) instead (<see cref="ChooseForward"/>,
/// <see cref="WinogradF43Convolution"/>, <see cref="WinogradF23Convolution"/>), forward and input gradient. Where
/// the GEMM runs 128-bit (ARM64 NEON, or x64 under <c>ROCKETNET_MAX_VECTOR_BITS=128</c>) the Winograd F(4×4, 3×3)
/// forward and input gradient and the F(2×2, 3×3) weight gradient run their 128-bit bodies. The rest, and every
/// other path on other machines, is im2col + <c>Gemm.Multiply</c>, one image per parallel tile (so the scratch
/// im2col matrix is one image's worth, not the batch's); 1×1 stride-1 unpadded convolutions skip im2col there: the
/// image itself is already the [C, H·W] matrix. Results do not depend on <see cref="Parallelism.ThreadCount"/>.
/// Same API as <see cref="ConvolutionReference"/>.
/// </summary>
public static unsafe partial class ConvolutionKernels
{
    /// <summary>Weight-gradient partial sums are reduced over at most this many fixed chunks of the batch.</summary>
    private const int MaxWeightChunks = 16;

    [ThreadStatic] private static ForwardJob? _forwardJob;
    [ThreadStatic] private static BackwardInputJob? _backwardInputJob;
    [ThreadStatic] private static BackwardWeightJob? _backwardWeightJob;

    /// <summary>
    /// y = conv(x, w) + bias (+ residual: a residual connection summed while each output tile is in cache instead
    /// of by a separate pass; bit-identical to adding afterwards). x: [N, C, H, W], w: [O, C, KH, KW],
    /// bias: [O] or empty, residual: empty or y's shape [N, O, OH, OW], y: [N, O, OH, OW] (overwritten).
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default)
    {
        KernelArguments.CheckConvolution(g, "ConvolutionKernels.Forward", x.Length, w.Length, y.Length, bias.Length);
        if (!residual.IsEmpty) KernelArguments.RequireLength(residual.Length, g.OutputLength,
            "ConvolutionKernels.Forward", "residual");
        // The fast kernels: implicit GEMM and Winograd on AVX-512, Winograd F(4×4, 3×3) on 128-bit vectors.
        if (!ImplicitConvolution.Available && !UsesWinograd(g))
        {
            ForwardIm2Col(g, x, w, bias, y, residual);
            return;
        }
        fixed (float* xp = x, wp = w, bp = bias, yp = y, rp = residual)
            RunForward(g, xp, wp, bias.IsEmpty ? null : bp, yp, accumulate: false, residual.IsEmpty ? null : rp);
    }

    /// <summary>
    /// <see cref="Forward(ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float},
    /// ReadOnlySpan{float})"/> on im2col + GEMM whatever the dispatcher would pick, spans already checked: the
    /// direct path of machines without AVX-512.
    /// </summary>
    internal static void ForwardIm2Col(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual)
    {
        fixed (float* xp = x, wp = w, bp = bias, yp = y)
        {
            var job = _forwardJob ??= new ForwardJob();
            job.Set(g, xp, wp, bp, bias.Length, yp);
            RunPerImage(g.Batch, job);
            job.Clear();
        }
        if (residual.IsEmpty) return;
        // The im2col path has no per-tile hook: convolve, then add.
        int length = (int)g.OutputLength;
        ElementwiseKernels.Add(y[..length], residual[..length], y[..length]);
    }

    /// <summary>
    /// gradX += ∂L/∂x for y = conv(x, w), or gradX = ∂L/∂x when <paramref name="accumulate"/> is false.
    /// gradY: [N, O, OH, OW], w: [O, C, KH, KW], gradX: [N, C, H, W].
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void BackwardInput(ConvGeometry g, ReadOnlySpan<float> gradY, ReadOnlySpan<float> w,
        Span<float> gradX, bool accumulate = true)
    {
        KernelArguments.CheckConvolution(g, "ConvolutionKernels.BackwardInput", gradX.Length, w.Length,
            gradY.Length, 0);
        // The transposed geometry (channels swapped) has the same Winograd choice: the rule takes the smaller count.
        if (ImplicitConvolution.IsSameSize(g) && (ImplicitConvolution.Available || UsesWinograd(g)))
        {
            BackwardInputAsConvolution(g, gradY, w, gradX, accumulate);
            return;
        }
        if (PhaseInputGradient.Applies(g))
        {
            fixed (float* gyp = gradY, wp = w, gxp = gradX)
                PhaseInputGradient.Run(g, gyp, wp, gxp, accumulate);
            return;
        }
        // The folding path scatters-adds patches: it starts from zero when overwriting.
        if (!accumulate) ElementwiseKernels.Clear(gradX[..(int)g.InputLength]);
        var job = _backwardInputJob ??= new BackwardInputJob();
        fixed (float* gyp = gradY, wp = w, gxp = gradX)
        {
            job.Set(g, gyp, wp, gxp);
            RunPerImage(g.Batch, job);
            job.Clear();
        }
    }

    /// <summary>
    /// gradW += ∂L/∂w and gradBias += ∂L/∂bias (skipped when empty), summed over the batch.
    /// x: [N, C, H, W], gradY: [N, O, OH, OW], gradW: [O, C, KH, KW], gradBias: [O] or empty.
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void BackwardWeight(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gradY,
        Span<float> gradW, Span<float> gradBias)
    {
        KernelArguments.CheckConvolution(g, "ConvolutionKernels.BackwardWeight", x.Length, gradW.Length,
            gradY.Length, gradBias.Length);
        if (UsesWinogradWeightGradient(g))
        {
            fixed (float* xp = x, gyp = gradY, gwp = gradW) WinogradF23WeightGradient.Run(g, xp, gyp, gwp);
        }
        else
        {
            BackwardWeightDirect(g, x, gradY, gradW);
        }

        if (!gradBias.IsEmpty)
        {
            // Σ over images and positions of gradY[n, o, :], images in order: deterministic.
            int outPlane = g.OutHeight * g.OutWidth;
            for (int o = 0; o < g.OutChannels; o++)
            {
                double sum = 0;
                for (int n = 0; n < g.Batch; n++)
                    sum += TensorPrimitives.Sum(gradY.Slice((n * g.OutChannels + o) * outPlane, outPlane));
                gradBias[o] += (float)sum;
            }
        }
    }

    /// <summary>gradW += ∂L/∂w by the direct kernels: packed tiles, or im2col GEMMs where those do not apply.</summary>
    internal static void BackwardWeightDirect(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gradY,
        Span<float> gradW)
    {
        int weightLength = (int)g.WeightLength;
        // Fixed chunks of consecutive images, chosen from the batch size (and for small planes the packed group
        // size) alone: each chunk sums its images' contributions in order into its own partial, then the
        // partials are added in chunk order. That makes the result independent of the thread count.
        int chunkSize = (g.Batch + MaxWeightChunks - 1) / MaxWeightChunks;
        bool packed = PackedWeightGradient.Applies(g);
        if (packed) chunkSize = PackedWeightGradient.ChunkSize(g, chunkSize);
        int chunkCount = (g.Batch + chunkSize - 1) / chunkSize;
        // [chunks, O, C·KH·KW]; the packed path overwrites its partials, the GEMM path accumulates into them.
        float[] partials = BufferPool.Rent(chunkCount * weightLength, clear: !packed);
        try
        {
            var job = _backwardWeightJob ??= new BackwardWeightJob();
            fixed (float* xp = x, gyp = gradY, pp = partials)
            {
                if (packed)
                {
                    PackedWeightGradient.Run(g, xp, gyp, pp, chunkSize, chunkCount);
                }
                else
                {
                    job.Set(g, xp, gyp, pp, chunkSize);
                    if (chunkCount >= Parallelism.ThreadCount) Parallelism.For(chunkCount, job);
                    else for (int i = 0; i < chunkCount; i++) job.Run(i); // let the GEMM use the threads
                    job.Clear();
                }
            }
            Span<float> target = gradW[..weightLength];
            for (int chunk = 0; chunk < chunkCount; chunk++)
                TensorPrimitives.Add(target, partials.AsSpan(chunk * weightLength, weightLength), target);
        }
        finally
        {
            BufferPool.Return(partials);
        }
    }

    /// <summary>
    /// Stride-1 same-size geometries (KH = 2·PadH + 1, KW = 2·PadW + 1): ∂L/∂x is itself such a
    /// convolution of gradY, with the kernel flipped in space and its channel axes swapped:
    /// gradX[c, i, j] += Σ_(o, kh, kw) gradY[o, i + kh − ph, j + kw − pw] · w[o, c, KH−1−kh, KW−1−kw].
    /// </summary>
    private static void BackwardInputAsConvolution(in ConvGeometry g, ReadOnlySpan<float> gradY,
        ReadOnlySpan<float> w, Span<float> gradX, bool accumulate)
    {
        int taps = g.KernelHeight * g.KernelWidth, inChannels = g.InChannels, outChannels = g.OutChannels;
        float[] flipped = BufferPool.Rent((int)g.WeightLength, clear: false); // [C, O, KH, KW]
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
            {
                ReadOnlySpan<float> source = w.Slice((o * inChannels + c) * taps, taps);
                Span<float> target = flipped.AsSpan((c * outChannels + o) * taps, taps);
                for (int t = 0; t < taps; t++) target[t] = source[taps - 1 - t];
            }
        var transposed = g with { InChannels = outChannels, OutChannels = inChannels };
        fixed (float* gyp = gradY, fp = flipped, gxp = gradX)
        {
            // A 3×3 pad-1 kernel flipped is again one: the forward rule applies to the transposed geometry.
            RunForward(transposed, gyp, fp, null, gxp, accumulate);
        }
        BufferPool.Return(flipped);
    }

    /// <summary>True when the image is already the GEMM operand: 1×1 kernel, stride 1, no padding.</summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    /// <summary>
    /// One tile per image. With fewer images than threads the images run in turn on this thread and each
    /// GEMM spreads over the threads instead (every output element is computed the same way either way).
    /// </summary>
    private static void RunPerImage(int images, ParallelJob job)
    {
        if (images >= Parallelism.ThreadCount) Parallelism.For(images, job);
        else for (int i = 0; i < images; i++) job.Run(i);
    }

    /// <summary>Tile = one image: y[n] = W·im2col(x[n]) + bias.</summary>
    private sealed class ForwardJob : ParallelJob
    {
        private ConvGeometry _g;
        private float* _x, _w, _bias, _y;
        private int _biasLength;

        public void Set(in ConvGeometry g, float* x, float* w, float* bias, int biasLength, float* y)
        {
            _g = g; _x = x; _w = w; _bias = bias; _biasLength = biasLength; _y = y;
        }

        public void Clear() { _x = _w = _bias = _y = null; }

        public override void Run(int index)
        {
            var g = _g;
            int imageLength = g.InChannels * g.Height * g.Width;
            int outPlane = g.OutHeight * g.OutWidth, patch = g.PatchLength;
            var image = new ReadOnlySpan<float>(_x + (long)index * imageLength, imageLength);
            var weights = new ReadOnlySpan<float>(_w, g.OutChannels * patch);
            var output = new Span<float>(_y + (long)index * g.OutChannels * outPlane, g.OutChannels * outPlane);
            if (IsPointwise(g))
            {
                // y[n]: [O, H·W] = w: [O, C] · x[n]: [C, H·W]
                Gemm.Multiply(weights, image, output, g.OutChannels, outPlane, patch);
            }
            else
            {
                float[] col = BufferPool.Rent(patch * outPlane, clear: false); // [C·KH·KW, OH·OW]
                Im2Col.Unfold(g, image, col);
                Gemm.Multiply(weights, col, output, g.OutChannels, outPlane, patch);
                BufferPool.Return(col);
            }
            if (_biasLength != 0)
            {
                for (int o = 0; o < g.OutChannels; o++)
                {
                    Span<float> plane = output.Slice(o * outPlane, outPlane);
                    TensorPrimitives.Add(plane, _bias[o], plane);
                }
            }
        }
    }

    /// <summary>Tile = one image: gradX[n] += col2im(Wᵀ·gradY[n]).</summary>
    private sealed class BackwardInputJob : ParallelJob
    {
        private ConvGeometry _g;
        private float* _gradY, _w, _gradX;

        public void Set(in ConvGeometry g, float* gradY, float* w, float* gradX)
        {
            _g = g; _gradY = gradY; _w = w; _gradX = gradX;
        }

        public void Clear() { _gradY = _w = _gradX = null; }

        public override void Run(int index)
        {
            var g = _g;
            int imageLength = g.InChannels * g.Height * g.Width;
            int outPlane = g.OutHeight * g.OutWidth, patch = g.PatchLength;
            var gradImage = new Span<float>(_gradX + (long)index * imageLength, imageLength);
            var weights = new ReadOnlySpan<float>(_w, g.OutChannels * patch);
            var gradOutput = new ReadOnlySpan<float>(_gradY + (long)index * g.OutChannels * outPlane,
                g.OutChannels * outPlane);
            if (IsPointwise(g))
            {
                // gradX[n]: [C, H·W] += wᵀ: [C, O] · gradY[n]: [O, H·W]
                Gemm.Multiply(weights, gradOutput, gradImage, patch, outPlane, g.OutChannels,
                    transA: true, accumulate: true);
                return;
            }
            float[] col = BufferPool.Rent(patch * outPlane, clear: false); // [C·KH·KW, OH·OW]
            Gemm.Multiply(weights, gradOutput, col, patch, outPlane, g.OutChannels, transA: true);
            Im2Col.FoldAdd(g, col, gradImage);
            BufferPool.Return(col);
        }
    }

    /// <summary>Tile = a fixed chunk of images: partial[chunk] = Σ_n gradY[n]·im2col(x[n])ᵀ, n in order.</summary>
    private sealed class BackwardWeightJob : ParallelJob
    {
        private ConvGeometry _g;
        private float* _x, _gradY, _partials;
        private int _chunkSize;

        public void Set(in ConvGeometry g, float* x, float* gradY, float* partials, int chunkSize)
        {
            _g = g; _x = x; _gradY = gradY; _partials = partials; _chunkSize = chunkSize;
        }

        public void Clear() { _x = _gradY = _partials = null; }

        public override void Run(int index)
        {
            var g = _g;
            int imageLength = g.InChannels * g.Height * g.Width;
            int outPlane = g.OutHeight * g.OutWidth, patch = g.PatchLength;
            int weightLength = g.OutChannels * patch;
            var partial = new Span<float>(_partials + (long)index * weightLength, weightLength);
            int first = index * _chunkSize, end = Math.Min(g.Batch, first + _chunkSize);
            bool pointwise = IsPointwise(g);
            float[] col = pointwise ? [] : BufferPool.Rent(patch * outPlane, clear: false); // [C·KH·KW, OH·OW]
            for (int n = first; n < end; n++)
            {
                var image = new ReadOnlySpan<float>(_x + (long)n * imageLength, imageLength);
                var gradOutput = new ReadOnlySpan<float>(_gradY + (long)n * g.OutChannels * outPlane,
                    g.OutChannels * outPlane);
                ReadOnlySpan<float> patches = image;
                if (!pointwise)
                {
                    Im2Col.Unfold(g, image, col);
                    patches = col;
                }
                // partial: [O, C·KH·KW] += gradY[n]: [O, OH·OW] · patchesᵀ: [OH·OW, C·KH·KW]
                Gemm.Multiply(gradOutput, patches, partial, g.OutChannels, patch, outPlane,
                    transB: true, accumulate: true);
            }
            if (!pointwise) BufferPool.Return(col);
        }
    }
}
