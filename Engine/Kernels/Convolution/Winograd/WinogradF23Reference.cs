namespace RocketNet.Kernels;

/// <summary>
/// The teaching version of Winograd convolution F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional
/// Neural Networks", 2015) for 3×3 stride-1 pad-1 convolutions, in double. The output is cut into 2×2 tiles; the
/// 4×4 input tile d under each (tiles overlap by 2, cells from the padding or beyond the image read zero) and
/// each 3×3 filter g are carried into a 4×4 "Winograd domain" where the convolution becomes an elementwise
/// product:
/// <code>
/// U[o, c] = G·g[o, c]·Gᵀ                         filter transform (once per call)
/// V[c, tile] = Bᵀ·d[c, tile]·B                   input tile transform
/// M[o, tile] = Σ_c U[o, c] ⊙ V[c, tile]          16 independent channel reductions, one per cell ξ of the 4×4
/// y[o, tile] = Aᵀ·M[o, tile]·A                   output transform: the 2×2 outputs of the tile
/// </code>
/// Per tile and channel pair that is 16 multiplications instead of the 2·2·9 = 36 of direct convolution (2.25×
/// fewer); the transforms cost additions only. <see cref="WinogradF23Convolution"/> is the fast version.
/// </summary>
public static partial class WinogradF23Reference
{
    /// <summary>G, 4×3: U = G·g·Gᵀ.</summary>
    internal static readonly double[,] G = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };

    /// <summary>Bᵀ, 4×4: V = Bᵀ·d·B.</summary>
    internal static readonly double[,] BT = { { 1, 0, -1, 0 }, { 0, 1, 1, 0 }, { 0, -1, 1, 0 }, { 0, 1, 0, -1 } };

    /// <summary>Aᵀ, 2×4: y = Aᵀ·M·A.</summary>
    internal static readonly double[,] AT = { { 1, 1, 1, 0 }, { 0, 1, -1, -1 } };

    /// <summary>True for the geometries F(2×2, 3×3) computes here: 3×3 kernel, stride 1, padding 1.</summary>
    public static bool Applies(in ConvGeometry g) => Winograd.Applies(g);

    /// <summary>
    /// y[n, o] = bias[o] + conv(x[n], w[o]) for a 3×3 stride-1 pad-1 geometry, through the Winograd transforms.
    /// x: [N, C, H, W], w: [O, C, 3, 3], bias: [O] or empty, y: [N, O, H, W] is overwritten.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Not a 3×3 stride-1 pad-1 geometry, a bad geometry or a span too short.
    /// </exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y)
    {
        KernelArguments.CheckConvolution(g, "WinogradF23Reference.Forward", x.Length, w.Length, y.Length, bias.Length);
        if (!Applies(g))
        {
            throw new ArgumentException(
                $"WinogradF23Reference.Forward needs a 3×3 stride-1 pad-1 convolution, got {g}.");
        }
        int height = g.Height, width = g.Width, inChannels = g.InChannels, outChannels = g.OutChannels;
        int tilesY = (height + 1) / 2, tilesX = (width + 1) / 2; // a partial last tile computes outputs past the edge

        var u = new double[outChannels, inChannels, 4, 4];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < inChannels; c++)
            {
                var filter = new double[3, 3];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        filter[i, j] = w[((o * inChannels + c) * 3 + i) * 3 + j];
                var transformed = Multiply(Multiply(G, filter), Transpose(G));
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        u[o, c, i, j] = transformed[i, j];
            }

        var v = new double[inChannels, 4, 4];
        var tile = new double[4, 4];
        for (int n = 0; n < g.Batch; n++)
            for (int ty = 0; ty < tilesY; ty++)
                for (int tx = 0; tx < tilesX; tx++)
                {
                    // The 4×4 input tile whose valid 3×3 windows give outputs (2ty..2ty+1, 2tx..2tx+1) starts one
                    // row and one column before them (the padding).
                    for (int c = 0; c < inChannels; c++)
                    {
                        InputTile(g, x, n, c, ty, tx, tile);
                        var transformed = Multiply(Multiply(BT, tile), Transpose(BT));
                        for (int i = 0; i < 4; i++)
                            for (int j = 0; j < 4; j++)
                                v[c, i, j] = transformed[i, j];
                    }
                    for (int o = 0; o < outChannels; o++)
                    {
                        var m = new double[4, 4];
                        for (int c = 0; c < inChannels; c++)
                            for (int i = 0; i < 4; i++)
                                for (int j = 0; j < 4; j++)
                                    m[i, j] += u[o, c, i, j] * v[c, i, j];
                        var outputs = Multiply(Multiply(AT, m), Transpose(AT));
                        for (int i = 0; i < 2; i++)
                            for (int j = 0; j < 2; j++)
                            {
                                int row = 2 * ty + i, column = 2 * tx + j;
                                if (row >= height || column >= width) continue;
                                double sum = outputs[i, j] + (bias.IsEmpty ? 0 : bias[o]);
                                y[((n * outChannels + o) * height + row) * width + column] = (float)sum;
                            }
                    }
                }
    }

    /// <summary>
    /// The 4×4 input tile d of tile (ty, tx) of x[n, c]: rows 2ty − 1 .. 2ty + 2, columns 2tx − 1 .. 2tx + 2, cells
    /// outside the image zero (the padding, and beyond it for a partial last tile).
    /// </summary>
    private static void InputTile(in ConvGeometry g, ReadOnlySpan<float> x, int n, int c, int ty, int tx,
        double[,] tile)
    {
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                int row = 2 * ty - 1 + i, column = 2 * tx - 1 + j;
                bool inside = (uint)row < (uint)g.Height && (uint)column < (uint)g.Width;
                tile[i, j] = inside ? x[((n * g.InChannels + c) * g.Height + row) * g.Width + column] : 0;
            }
    }

    /// <summary>The matrix product a·b (the references' small transform matrices).</summary>
    internal static double[,] Multiply(double[,] a, double[,] b)
    {
        int rows = a.GetLength(0), inner = a.GetLength(1), columns = b.GetLength(1);
        var product = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                for (int k = 0; k < inner; k++)
                    product[i, j] += a[i, k] * b[k, j];
        return product;
    }

    /// <summary>The transpose of a.</summary>
    internal static double[,] Transpose(double[,] a)
    {
        var transposed = new double[a.GetLength(1), a.GetLength(0)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                transposed[j, i] = a[i, j];
        return transposed;
    }
}
