using System.Numerics.Tensors;

namespace RocketNet.Kernels;

/// <summary>
/// Unfolds one image into the im2col matrix a convolution multiplies by its weights, and folds such a
/// matrix back (adding). Row r = (c·KH + kh)·KW + kw of the matrix holds, for every output position
/// (oh, ow), the input cell tap (kh, kw) of channel c reads there (zero where that falls in the padding).
/// </summary>
internal static class Im2Col
{
    /// <summary>
    /// col[(c, kh, kw), (oh, ow)] = x[c, oh·sh − ph + kh, ow·sw − pw + kw] (zero outside).
    /// image: [C, H, W] of one image, col: [C·KH·KW, OH·OW], fully overwritten.
    /// </summary>
    public static void Unfold(in ConvGeometry g, ReadOnlySpan<float> image, Span<float> col)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, outPlane = outHeight * outWidth;
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            ReadOnlySpan<float> plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            for (int kw = 0; kw < g.KernelWidth; kw++, row++)
            {
                Span<float> colRow = col.Slice(row * outPlane, outPlane);
                ValidColumns(g, kw, outWidth, out int owStart, out int owEnd);
                int iwStart = owStart * g.StrideW - g.PadW + kw;
                for (int oh = 0; oh < outHeight; oh++)
                {
                    Span<float> dst = colRow.Slice(oh * outWidth, outWidth);
                    int ih = oh * g.StrideH - g.PadH + kh;
                    if ((uint)ih >= (uint)g.Height || owStart >= owEnd)
                    {
                        dst.Clear();
                        continue;
                    }
                    dst[..owStart].Clear();
                    dst[owEnd..].Clear();
                    ReadOnlySpan<float> src = plane.Slice(ih * g.Width, g.Width);
                    if (g.StrideW == 1)
                    {
                        // Contiguous run: a vectorised copy.
                        src.Slice(iwStart, owEnd - owStart).CopyTo(dst[owStart..owEnd]);
                    }
                    else
                    {
                        int stride = g.StrideW;
                        for (int ow = owStart, iw = iwStart; ow < owEnd; ow++, iw += stride) dst[ow] = src[iw];
                    }
                }
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Unfold"/>: image[c, ih, iw] += every col entry that was read from it.
    /// col: [C·KH·KW, OH·OW], image: [C, H, W] of one image (accumulated into).
    /// </summary>
    public static void FoldAdd(in ConvGeometry g, ReadOnlySpan<float> col, Span<float> image)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, outPlane = outHeight * outWidth;
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            Span<float> plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
            for (int kh = 0; kh < g.KernelHeight; kh++)
            for (int kw = 0; kw < g.KernelWidth; kw++, row++)
            {
                ReadOnlySpan<float> colRow = col.Slice(row * outPlane, outPlane);
                ValidColumns(g, kw, outWidth, out int owStart, out int owEnd);
                if (owStart >= owEnd) continue;
                int iwStart = owStart * g.StrideW - g.PadW + kw;
                for (int oh = 0; oh < outHeight; oh++)
                {
                    int ih = oh * g.StrideH - g.PadH + kh;
                    if ((uint)ih >= (uint)g.Height) continue;
                    ReadOnlySpan<float> src = colRow.Slice(oh * outWidth, outWidth);
                    Span<float> dst = plane.Slice(ih * g.Width, g.Width);
                    if (g.StrideW == 1)
                    {
                        Span<float> run = dst.Slice(iwStart, owEnd - owStart);
                        TensorPrimitives.Add(run, src[owStart..owEnd], run);
                    }
                    else
                    {
                        int stride = g.StrideW;
                        for (int ow = owStart, iw = iwStart; ow < owEnd; ow++, iw += stride) dst[iw] += src[ow];
                    }
                }
            }
        }
    }

    /// <summary>
    /// The output columns [owStart, owEnd) whose tap kw lands inside the input row, i.e.
    /// 0 ≤ ow·sw − pw + kw &lt; W.
    /// </summary>
    private static void ValidColumns(in ConvGeometry g, int kw, int outWidth, out int owStart, out int owEnd)
    {
        int offset = kw - g.PadW; // iw = ow·sw + offset
        owStart = offset >= 0 ? 0 : (-offset + g.StrideW - 1) / g.StrideW;
        int lastInside = g.Width - 1 - offset; // need ow·sw ≤ lastInside
        owEnd = lastInside < 0 ? 0 : Math.Min(outWidth, lastInside / g.StrideW + 1);
        if (owStart > owEnd) owStart = owEnd;
    }
}
