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
        if (IsSameSizeStrideOne(g))
        {
            UnfoldSameSize(g, image, col);
            return;
        }
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
    /// Scratch contract: entries of col that were read from padding are zeroed on the way.
    /// </summary>
    public static void FoldAdd(in ConvGeometry g, Span<float> col, Span<float> image)
    {
        if (IsSameSizeStrideOne(g))
        {
            FoldAddSameSize(g, col, image);
            return;
        }
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
    /// Stride 1 with OH = H and OW = W (e.g. 3×3 pad 1): then col[(c, kh, kw), p] = plane[p + shift] with
    /// one constant shift = (kh − ph)·W + (kw − pw) per row, so each row is a single long copy followed by
    /// zeroing the few cells that came from the padding (or wrapped around from a neighbouring row).
    /// </summary>
    private static bool IsSameSizeStrideOne(in ConvGeometry g) =>
        g.StrideH == 1 && g.StrideW == 1 && g.OutHeight == g.Height && g.OutWidth == g.Width;

    private static void UnfoldSameSize(in ConvGeometry g, ReadOnlySpan<float> image, Span<float> col)
    {
        int width = g.Width, planeLength = g.Height * width;
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            ReadOnlySpan<float> plane = image.Slice(c * planeLength, planeLength);
            for (int kh = 0; kh < g.KernelHeight; kh++)
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    Span<float> colRow = col.Slice(row * planeLength, planeLength); // [OH = H, OW = W]
                    SameSizeRun(g, kh, kw, out int shift, out int start, out int end, out int ohStart, out int ohEnd);
                    colRow[..start].Clear();
                    colRow[end..].Clear();
                    if (start < end) plane.Slice(start + shift, end - start).CopyTo(colRow[start..end]);
                    ClearPaddedColumns(g, kw, colRow, ohStart, ohEnd);
                }
        }
    }

    private static void FoldAddSameSize(in ConvGeometry g, Span<float> col, Span<float> image)
    {
        int width = g.Width, planeLength = g.Height * width;
        int row = 0;
        for (int c = 0; c < g.InChannels; c++)
        {
            Span<float> plane = image.Slice(c * planeLength, planeLength);
            for (int kh = 0; kh < g.KernelHeight; kh++)
                for (int kw = 0; kw < g.KernelWidth; kw++, row++)
                {
                    Span<float> colRow = col.Slice(row * planeLength, planeLength);
                    SameSizeRun(g, kh, kw, out int shift, out int start, out int end, out int ohStart, out int ohEnd);
                    if (start >= end) continue;
                    // Entries read from padding would otherwise land on a neighbouring row's edge.
                    ClearPaddedColumns(g, kw, colRow, ohStart, ohEnd);
                    Span<float> target = plane.Slice(start + shift, end - start);
                    TensorPrimitives.Add(target, colRow[start..end], target);
                }
        }
    }

    /// <summary>
    /// For tap (kh, kw) of a same-size stride-1 convolution: the output rows [ohStart, ohEnd) whose input
    /// row exists, and the flat output range [start, end) whose source plane[p + shift] lies in the plane.
    /// </summary>
    private static void SameSizeRun(in ConvGeometry g, int kh, int kw, out int shift, out int start, out int end,
        out int ohStart, out int ohEnd)
    {
        int width = g.Width, planeLength = g.Height * width;
        shift = (kh - g.PadH) * width + (kw - g.PadW);
        ohStart = Math.Max(0, g.PadH - kh);
        ohEnd = Math.Min(g.Height, g.Height + g.PadH - kh);
        start = Math.Max(ohStart * width, -shift);
        end = Math.Min(ohEnd * width, planeLength - shift);
        if (ohStart >= ohEnd || start > end) start = end = Math.Max(0, Math.Min(planeLength, ohStart * width));
    }

    /// <summary>Zeroes, in output rows [ohStart, ohEnd), the columns whose tap kw falls in the padding.</summary>
    private static void ClearPaddedColumns(in ConvGeometry g, int kw, Span<float> colRow, int ohStart, int ohEnd)
    {
        int width = g.Width;
        ValidColumns(g, kw, width, out int owStart, out int owEnd);
        if (owStart == 0 && owEnd == width) return;
        for (int oh = ohStart; oh < ohEnd; oh++)
        {
            Span<float> outRow = colRow.Slice(oh * width, width);
            outRow[..owStart].Clear();
            outRow[owEnd..].Clear();
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
