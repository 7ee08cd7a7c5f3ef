using static RocketNet.Kernels.WinogradF23Reference;

namespace RocketNet.Kernels;

/// <summary>
/// The teaching version of Winograd convolution F(4×4, 3×3) (Lavin and Gray 2015, interpolation points 0, ±1,
/// ±2 and ∞) for 3×3 stride-1 pad-1 convolutions, in double: <see cref="WinogradF23Reference"/> with bigger tiles.
/// The output is cut into 4×4 tiles; the 6×6 input tile d under each (tiles overlap by 2, cells from the padding or
/// beyond the image read zero) and each 3×3 filter g are carried into a 6×6 domain where the convolution is an
/// elementwise product:
/// <code>
/// U[o, c] = G·g[o, c]·Gᵀ                         G: 6×3, filter transform (once per call)
/// V[c, tile] = Bᵀ·d[c, tile]·B                   Bᵀ: 6×6, input tile transform
/// M[o, tile] = Σ_c U[o, c] ⊙ V[c, tile]          36 independent channel reductions, one per cell ξ of the 6×6
/// y[o, tile] = Aᵀ·M[o, tile]·A                   Aᵀ: 4×6, the 4×4 outputs of the tile
/// </code>
/// Per tile and channel pair that is 36 multiplications instead of the 4·4·9 = 144 of direct convolution (4×
/// fewer; F(2×2, 3×3) saves 2.25×). The price is larger transform constants (up to 5 in Bᵀ, 8 in Aᵀ, 1/24 in G),
/// hence more rounding error in float. <see cref="WinogradF43Convolution"/> is the fast version.
/// </summary>
public static class WinogradF43Reference
{
    /// <summary>G, 6×3: U = G·g·Gᵀ.</summary>
    internal static readonly double[,] G =
    {
        { 1.0 / 4, 0, 0 },
        { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
        { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
        { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
        { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
        { 0, 0, 1 },
    };

    /// <summary>Bᵀ, 6×6: V = Bᵀ·d·B.</summary>
    internal static readonly double[,] BT =
    {
        { 4, 0, -5, 0, 1, 0 },
        { 0, -4, -4, 1, 1, 0 },
        { 0, 4, -4, -1, 1, 0 },
        { 0, -2, -1, 2, 1, 0 },
        { 0, 2, -1, -2, 1, 0 },
        { 0, 4, 0, -5, 0, 1 },
    };

    /// <summary>Aᵀ, 4×6: y = Aᵀ·M·A.</summary>
    internal static readonly double[,] AT =
    {
        { 1, 1, 1, 1, 1, 0 },
        { 0, 1, -1, 2, -2, 0 },
        { 0, 1, 1, 4, 4, 0 },
        { 0, 1, -1, 8, -8, 1 },
    };

    /// <summary>
    /// y[n, o] = bias[o] + conv(x[n], w[o]) for a 3×3 stride-1 pad-1 geometry, through the F(4×4, 3×3)
    /// transforms. x: [N, C, H, W], w: [O, C, 3, 3], bias: [O] or empty, y: [N, O, H, W] is overwritten.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Not a 3×3 stride-1 pad-1 geometry, a bad geometry or a span too short.
    /// </exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelArguments.CheckConvolution(g, "WinogradF43Reference.Forward", x.Length, w.Length, y.Length,
            bias.Length);
        if (!Winograd.Applies(g))
            throw new ArgumentException(
                $"WinogradF43Reference.Forward needs a 3×3 stride-1 pad-1 convolution, got {g}.");
        int height = g.Height, width = g.Width, inChannels = g.InChannels, outChannels = g.OutChannels;
        int tilesY = (height + 3) / 4, tilesX = (width + 3) / 4; // partial last tiles compute outputs past the edge

        var u = new double[outChannels, inChannels, 6, 6];
        var filter = new double[3, 3];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
            {
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        filter[i, j] = w[((o * inChannels + c) * 3 + i) * 3 + j];
                var transformed = Multiply(Multiply(G, filter), Transpose(G));
                for (int i = 0; i < 6; i++)
                    for (int j = 0; j < 6; j++)
                        u[o, c, i, j] = transformed[i, j];
            }

        var v = new double[inChannels, 6, 6];
        var tile = new double[6, 6];
        var m = new double[6, 6];
        for (int n = 0; n < g.Batch; n++)
            for (int ty = 0; ty < tilesY; ty++)
                for (int tx = 0; tx < tilesX; tx++)
                {
                    // The 6×6 input tile whose valid 3×3 windows give outputs (4ty..4ty+3, 4tx..4tx+3) starts one
                    // row and one column before them (the padding).
                    for (int c = 0; c < inChannels; c++)
                    {
                        for (int i = 0; i < 6; i++)
                            for (int j = 0; j < 6; j++)
                            {
                                int row = 4 * ty - 1 + i, column = 4 * tx - 1 + j;
                                bool inside = (uint)row < (uint)height && (uint)column < (uint)width;
                                tile[i, j] = inside ? x[((n * inChannels + c) * height + row) * width + column] : 0;
                            }
                        var transformed = Multiply(Multiply(BT, tile), Transpose(BT));
                        for (int i = 0; i < 6; i++)
                            for (int j = 0; j < 6; j++)
                                v[c, i, j] = transformed[i, j];
                    }
                    for (int o = 0; o < outChannels; o++)
                    {
                        Array.Clear(m);
                        for (int c = 0; c < inChannels; c++)
                            for (int i = 0; i < 6; i++)
                                for (int j = 0; j < 6; j++)
                                    m[i, j] += u[o, c, i, j] * v[c, i, j];
                        var outputs = Multiply(Multiply(AT, m), Transpose(AT));
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++)
                            {
                                int row = 4 * ty + i, column = 4 * tx + j;
                                if (row >= height || column >= width) continue;
                                double sum = outputs[i, j] + (bias.IsEmpty ? 0 : bias[o]);
                                y[((n * outChannels + o) * height + row) * width + column] = (float)sum;
                            }
                    }
                }
    }
}
