namespace RocketNet.Kernels;

/// <summary>
/// The teaching versions of <see cref="PoolingKernels"/>: one plain loop nest per output cell. Tests
/// compare the optimised kernels against these.
/// </summary>
public static class PoolingReference
{
    /// <summary>
    /// y[n, c, oh, ow] = max of the window's real cells; indices gets the winner's flat index h·W + w within
    /// its input plane (first maximum in row-major order wins; NaN propagates like PyTorch).
    /// x: [N, C, H, W], y and indices: [N, C, OH, OW].
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void MaxPoolForward(PoolGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> indices)
    {
        g.Check("PoolingReference.MaxPoolForward", x.Length, y.Length, "x", "y");
        KernelArguments.RequireLength(indices.Length, g.OutputLength, "PoolingReference.MaxPoolForward", "indices");
        int oh = g.OutHeight, ow = g.OutWidth, plane = g.H * g.W;
        for (int p = 0; p < g.N * g.C; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float best = float.NegativeInfinity;
                    int bestIndex = -1;
                    for (int kh = 0; kh < g.KernelH; kh++)
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int h = i * g.StrideH - g.PadH + kh, w = j * g.StrideW - g.PadW + kw;
                            if ((uint)h >= (uint)g.H || (uint)w >= (uint)g.W) continue; // padding never wins
                            float value = x[p * plane + h * g.W + w];
                            if (bestIndex < 0 || value > best || float.IsNaN(value))
                            {
                                best = value;
                                bestIndex = h * g.W + w;
                            }
                        }
                    int o = (p * oh + i) * ow + j;
                    y[o] = best;
                    indices[o] = bestIndex;
                }
    }

    /// <summary>
    /// gradX[n, c, indices[o]] += gradY[o] for every output o of that plane.
    /// gradY and indices: [N, C, OH, OW], gradX: [N, C, H, W] (accumulated into).
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry, a span too short or an index outside its plane.</exception>
    public static void MaxPoolBackward(PoolGeometry g, ReadOnlySpan<float> gradY, ReadOnlySpan<int> indices,
        Span<float> gradX)
    {
        g.Check("PoolingReference.MaxPoolBackward", gradX.Length, gradY.Length, "gradX", "gradY");
        KernelArguments.RequireLength(indices.Length, g.OutputLength, "PoolingReference.MaxPoolBackward", "indices");
        int outPlane = g.OutHeight * g.OutWidth, plane = g.H * g.W;
        for (int o = 0; o < g.OutputLength; o++)
        {
            int index = indices[o];
            if ((uint)index >= (uint)plane)
                throw new ArgumentException(
                    $"MaxPoolBackward: index {index} at {o} is outside the {plane}-cell plane.");
            gradX[o / outPlane * plane + index] += gradY[o];
        }
    }

    /// <summary>
    /// y[n, c, oh, ow] = (Σ of the window's real cells) / (KernelH·KernelW): padded cells count as zeros.
    /// x: [N, C, H, W], y: [N, C, OH, OW].
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void AvgPoolForward(PoolGeometry g, ReadOnlySpan<float> x, Span<float> y)
    {
        g.Check("PoolingReference.AvgPoolForward", x.Length, y.Length, "x", "y");
        int oh = g.OutHeight, ow = g.OutWidth, plane = g.H * g.W;
        for (int p = 0; p < g.N * g.C; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    double sum = 0;
                    for (int kh = 0; kh < g.KernelH; kh++)
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int h = i * g.StrideH - g.PadH + kh, w = j * g.StrideW - g.PadW + kw;
                            if ((uint)h < (uint)g.H && (uint)w < (uint)g.W) sum += x[p * plane + h * g.W + w];
                        }
                    y[(p * oh + i) * ow + j] = (float)(sum / (g.KernelH * g.KernelW));
                }
    }

    /// <summary>
    /// gradX += ∂L/∂x for <see cref="AvgPoolForward"/>: each window's real cells get gradY / (KernelH·KernelW).
    /// gradY: [N, C, OH, OW], gradX: [N, C, H, W] (accumulated into).
    /// </summary>
    /// <exception cref="ArgumentException">Bad geometry or a span too short.</exception>
    public static void AvgPoolBackward(PoolGeometry g, ReadOnlySpan<float> gradY, Span<float> gradX)
    {
        g.Check("PoolingReference.AvgPoolBackward", gradX.Length, gradY.Length, "gradX", "gradY");
        int oh = g.OutHeight, ow = g.OutWidth, plane = g.H * g.W;
        float scale = 1f / (g.KernelH * g.KernelW);
        for (int p = 0; p < g.N * g.C; p++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++)
                {
                    float share = gradY[(p * oh + i) * ow + j] * scale;
                    for (int kh = 0; kh < g.KernelH; kh++)
                        for (int kw = 0; kw < g.KernelW; kw++)
                        {
                            int h = i * g.StrideH - g.PadH + kh, w = j * g.StrideW - g.PadW + kw;
                            if ((uint)h < (uint)g.H && (uint)w < (uint)g.W) gradX[p * plane + h * g.W + w] += share;
                        }
                }
    }

    /// <summary>y[n, c] = mean of x[n, c, :, :]. x: [N, C, H, W], y: [N, C].</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span too short.</exception>
    public static void GlobalAvgPoolForward(ReadOnlySpan<float> x, Span<float> y, int n, int c, int h, int w)
    {
        PoolingKernels.CheckGlobal("PoolingReference.GlobalAvgPoolForward", x.Length, y.Length, n, c, h, w, "x", "y");
        int plane = h * w;
        for (int p = 0; p < n * c; p++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += x[p * plane + i];
            y[p] = (float)(sum / plane);
        }
    }

    /// <summary>gradX[n, c, :, :] += gradY[n, c] / (H·W). gradY: [N, C], gradX: [N, C, H, W].</summary>
    /// <exception cref="ArgumentException">A size is not positive or a span too short.</exception>
    public static void GlobalAvgPoolBackward(ReadOnlySpan<float> gradY, Span<float> gradX, int n, int c, int h, int w)
    {
        PoolingKernels.CheckGlobal("PoolingReference.GlobalAvgPoolBackward", gradX.Length, gradY.Length, n, c, h, w,
            "gradX", "gradY");
        int plane = h * w;
        for (int p = 0; p < n * c; p++)
        {
            float share = gradY[p] / plane;
            for (int i = 0; i < plane; i++) gradX[p * plane + i] += share;
        }
    }
}
