namespace RocketNet.Kernels;

/// <summary>
/// The teaching version of <see cref="ConvolutionKernels"/>: direct nested loops over every output, input
/// channel and kernel tap, accumulating in double. Slow but obviously right; tests compare against it.
/// </summary>
public static class ConvolutionReference
{
    /// <summary>
    /// y[n, o, oh, ow] = bias[o] + Σ_{c, kh, kw} x[n, c, oh·sh − ph + kh, ow·sw − pw + kw] · w[o, c, kh, kw]
    /// (taps outside the input read zero). x: [N, C, H, W], w: [O, C, KH, KW], bias: [O] or empty,
    /// y: [N, O, OH, OW] is overwritten.
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelArguments.CheckConvolution(g, "ConvolutionReference.Forward", x.Length, w.Length, y.Length, bias.Length);
        int oh = g.OutHeight, ow = g.OutWidth;
        for (int n = 0; n < g.Batch; n++)
            for (int o = 0; o < g.OutChannels; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bias.IsEmpty ? 0 : bias[o];
                        for (int c = 0; c < g.InChannels; c++)
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    int ih = i * g.StrideH - g.PadH + kh, iw = j * g.StrideW - g.PadW + kw;
                                    if ((uint)ih >= (uint)g.Height || (uint)iw >= (uint)g.Width) continue;
                                    sum += (double)x[InputIndex(g, n, c, ih, iw)] * w[WeightIndex(g, o, c, kh, kw)];
                                }
                        y[((n * g.OutChannels + o) * oh + i) * ow + j] = (float)sum;
                    }
    }

    /// <summary>
    /// gradX += ∂L/∂x given gradY = ∂L/∂y: every output gradient flows back to the input cells its window
    /// read, weighted by the matching tap. gradY: [N, O, OH, OW], w: [O, C, KH, KW], gradX: [N, C, H, W].
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void BackwardInput(ConvGeometry g, ReadOnlySpan<float> gradY, ReadOnlySpan<float> w,
        Span<float> gradX)
    {
        KernelArguments.CheckConvolution(g, "ConvolutionReference.BackwardInput", gradX.Length, w.Length,
            gradY.Length, 0);
        int oh = g.OutHeight, ow = g.OutWidth;
        // Gather form: for each input cell, sum the outputs whose window covers it (exact in double).
        for (int n = 0; n < g.Batch; n++)
            for (int c = 0; c < g.InChannels; c++)
                for (int ih = 0; ih < g.Height; ih++)
                    for (int iw = 0; iw < g.Width; iw++)
                    {
                        double sum = 0;
                        for (int o = 0; o < g.OutChannels; o++)
                            for (int kh = 0; kh < g.KernelHeight; kh++)
                                for (int kw = 0; kw < g.KernelWidth; kw++)
                                {
                                    // Output (i, j) reads this cell through tap (kh, kw) when i·sh − ph + kh = ih.
                                    int rowNumerator = ih + g.PadH - kh, colNumerator = iw + g.PadW - kw;
                                    if (rowNumerator < 0 || colNumerator < 0) continue;
                                    if (rowNumerator % g.StrideH != 0 || colNumerator % g.StrideW != 0) continue;
                                    int i = rowNumerator / g.StrideH, j = colNumerator / g.StrideW;
                                    if (i >= oh || j >= ow) continue;
                                    sum += (double)gradY[((n * g.OutChannels + o) * oh + i) * ow + j]
                                        * w[WeightIndex(g, o, c, kh, kw)];
                                }
                        gradX[InputIndex(g, n, c, ih, iw)] += (float)sum;
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
        KernelArguments.CheckConvolution(g, "ConvolutionReference.BackwardWeight", x.Length, gradW.Length,
            gradY.Length, gradBias.Length);
        int oh = g.OutHeight, ow = g.OutWidth;
        for (int o = 0; o < g.OutChannels; o++)
        {
            for (int c = 0; c < g.InChannels; c++)
                for (int kh = 0; kh < g.KernelHeight; kh++)
                    for (int kw = 0; kw < g.KernelWidth; kw++)
                    {
                        double sum = 0;
                        for (int n = 0; n < g.Batch; n++)
                            for (int i = 0; i < oh; i++)
                                for (int j = 0; j < ow; j++)
                                {
                                    int ih = i * g.StrideH - g.PadH + kh, iw = j * g.StrideW - g.PadW + kw;
                                    if ((uint)ih >= (uint)g.Height || (uint)iw >= (uint)g.Width) continue;
                                    sum += (double)x[InputIndex(g, n, c, ih, iw)]
                                        * gradY[((n * g.OutChannels + o) * oh + i) * ow + j];
                                }
                        gradW[WeightIndex(g, o, c, kh, kw)] += (float)sum;
                    }
            if (!gradBias.IsEmpty)
            {
                double sum = 0;
                for (int n = 0; n < g.Batch; n++)
                    for (int p = 0; p < oh * ow; p++)
                        sum += gradY[(n * g.OutChannels + o) * oh * ow + p];
                gradBias[o] += (float)sum;
            }
        }
    }

    private static int InputIndex(in ConvGeometry g, int n, int c, int h, int w) =>
        ((n * g.InChannels + c) * g.Height + h) * g.Width + w;

    private static int WeightIndex(in ConvGeometry g, int o, int c, int kh, int kw) =>
        ((o * g.InChannels + c) * g.KernelHeight + kh) * g.KernelWidth + kw;
}
