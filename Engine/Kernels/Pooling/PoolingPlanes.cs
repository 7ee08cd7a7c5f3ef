namespace RocketNet.Kernels;

/// <summary>
/// Per-plane loops of <see cref="PoolingKernels"/>: one (n, c) plane of H·W inputs and OH·OW outputs.
/// Window bounds are clipped once per output row and column instead of testing every tap.
/// </summary>
internal static unsafe class PoolingPlanes
{
    /// <summary>x: [H, W] → y, indices: [OH, OW].</summary>
    public static void MaxForward(in PoolGeometry g, float* x, float* y, int* indices)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        for (int oh = 0; oh < outHeight; oh++)
        {
            int hStart = oh * g.StrideH - g.PadH;
            int h0 = Math.Max(hStart, 0), h1 = Math.Min(hStart + g.KernelH, g.H);
            for (int ow = 0; ow < outWidth; ow++)
            {
                int wStart = ow * g.StrideW - g.PadW;
                int w0 = Math.Max(wStart, 0), w1 = Math.Min(wStart + g.KernelW, width);
                // Padding is at most half the window, so the window always holds a real cell.
                int bestIndex = h0 * width + w0;
                float best = x[bestIndex];
                for (int h = h0; h < h1; h++)
                {
                    float* row = x + h * width;
                    for (int w = w0; w < w1; w++)
                    {
                        float value = row[w];
                        if (value > best || float.IsNaN(value))
                        {
                            best = value;
                            bestIndex = h * width + w;
                        }
                    }
                }
                y[oh * outWidth + ow] = best;
                indices[oh * outWidth + ow] = bestIndex;
            }
        }
    }

    /// <summary>x: [H, W] → y: [OH, OW]; divisor KernelH·KernelW (count_include_pad).</summary>
    public static void AvgForward(in PoolGeometry g, float* x, float* y)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        float scale = 1f / (g.KernelH * g.KernelW);
        for (int oh = 0; oh < outHeight; oh++)
        {
            int hStart = oh * g.StrideH - g.PadH;
            int h0 = Math.Max(hStart, 0), h1 = Math.Min(hStart + g.KernelH, g.H);
            for (int ow = 0; ow < outWidth; ow++)
            {
                int wStart = ow * g.StrideW - g.PadW;
                int w0 = Math.Max(wStart, 0), w1 = Math.Min(wStart + g.KernelW, width);
                float sum = 0;
                for (int h = h0; h < h1; h++)
                {
                    float* row = x + h * width;
                    for (int w = w0; w < w1; w++) sum += row[w];
                }
                y[oh * outWidth + ow] = sum * scale;
            }
        }
    }

    /// <summary>gradY: [OH, OW] → gradX: [H, W] (accumulated into).</summary>
    public static void AvgBackward(in PoolGeometry g, float* gradY, float* gradX)
    {
        int outHeight = g.OutHeight, outWidth = g.OutWidth, width = g.W;
        float scale = 1f / (g.KernelH * g.KernelW);
        for (int oh = 0; oh < outHeight; oh++)
        {
            int hStart = oh * g.StrideH - g.PadH;
            int h0 = Math.Max(hStart, 0), h1 = Math.Min(hStart + g.KernelH, g.H);
            for (int ow = 0; ow < outWidth; ow++)
            {
                int wStart = ow * g.StrideW - g.PadW;
                int w0 = Math.Max(wStart, 0), w1 = Math.Min(wStart + g.KernelW, width);
                float share = gradY[oh * outWidth + ow] * scale;
                for (int h = h0; h < h1; h++)
                {
                    float* row = gradX + h * width;
                    for (int w = w0; w < w1; w++) row[w] += share;
                }
            }
        }
    }
}
