namespace RocketNet.Kernels;

/// <summary>
/// The weight gradient through the same transforms. Forward, one tile gives y = Aᵀ·(U ⊙ V)·A with U = G·g·Gᵀ;
/// differentiating that bilinear form gives, for each filter g[o, c],
/// <code>
/// Y'[o, tile] = A·dY[o, tile]·Aᵀ               the tile's 2×2 output gradient carried into the 4×4 domain
/// dU[o, c] = Σ_tiles Y'[o, tile] ⊙ V[c, tile]   16 independent reductions over every tile of the batch
/// dg[o, c] = Gᵀ·dU[o, c]·G                     back from the 4×4 domain to the 3×3 filter
/// </code>
/// In exact arithmetic this is the direct weight gradient: outputs of a partial tile that fall past the image have
/// no gradient (zero in dY), so the extra input cells they read contribute nothing.
/// </summary>
public static partial class WinogradF23Reference
{
    /// <summary>
    /// gradW[o, c] += Σ_n correlation of x[n, c] with gradY[n, o] for a 3×3 stride-1 pad-1 geometry, through the
    /// Winograd transforms, in double. x: [N, C, H, W], gradY: [N, O, H, W], gradW: [O, C, 3, 3] (added to).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Not a 3×3 stride-1 pad-1 geometry, a bad geometry or a span too short.
    /// </exception>
    public static void BackwardWeight(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gradY,
        Span<float> gradW)
    {
        KernelArguments.CheckConvolution(g, "WinogradF23Reference.BackwardWeight", x.Length, gradW.Length,
            gradY.Length, 0);
        if (!Applies(g))
            throw new ArgumentException(
                $"WinogradF23Reference.BackwardWeight needs a 3×3 stride-1 pad-1 convolution, got {g}.");
        int height = g.Height, width = g.Width, inChannels = g.InChannels, outChannels = g.OutChannels;
        int tilesY = (height + 1) / 2, tilesX = (width + 1) / 2;
        var sums = new double[outChannels, inChannels, 4, 4]; // dU
        var v = new double[inChannels][,];
        var tile = new double[4, 4];
        var gradient = new double[2, 2];
        for (int n = 0; n < g.Batch; n++)
            for (int ty = 0; ty < tilesY; ty++)
                for (int tx = 0; tx < tilesX; tx++)
                {
                    for (int c = 0; c < inChannels; c++)
                    {
                        InputTile(g, x, n, c, ty, tx, tile);
                        v[c] = Multiply(Multiply(BT, tile), Transpose(BT));
                    }
                    for (int o = 0; o < outChannels; o++)
                    {
                        for (int i = 0; i < 2; i++)
                            for (int j = 0; j < 2; j++)
                            {
                                int row = 2 * ty + i, column = 2 * tx + j;
                                bool inside = row < height && column < width; // outputs past the edge: no gradient
                                gradient[i, j] = inside ? gradY[((n * outChannels + o) * height + row) * width + column]
                                    : 0;
                            }
                        var transformed = Multiply(Multiply(Transpose(AT), gradient), AT); // A·dY·Aᵀ
                        for (int c = 0; c < inChannels; c++)
                            for (int i = 0; i < 4; i++)
                                for (int j = 0; j < 4; j++)
                                    sums[o, c, i, j] += transformed[i, j] * v[c][i, j];
                    }
                }

        var cell = new double[4, 4];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
            {
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        cell[i, j] = sums[o, c, i, j];
                var filter = Multiply(Multiply(Transpose(G), cell), G); // Gᵀ·dU·G
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        gradW[((o * inChannels + c) * 3 + i) * 3 + j] += (float)filter[i, j];
            }
    }
}
