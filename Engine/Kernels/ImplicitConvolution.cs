using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Implicit-GEMM convolution for stride-1 "same size" geometries (OH = H, OW = W, e.g. 3×3 pad 1), the bulk
/// of a Wide-ResNet: y[n] (+)= W·im2col(x[n]) without ever writing im2col or a packed B panel. The weights are
/// packed into [k][16] panels once per call; each parallel tile (an image × a run of output positions) runs
/// <see cref="ImplicitMicroKernel"/>, which reads the image through per-tap lane masks. Because the output
/// plane has the input's shape, im2col row r = (c, kh, kw) is plane c at the flat shift (kh − ph)·W + (kw − pw),
/// with the cells from the padding (or wrapped from a neighbouring row) masked off. The tile grid and every
/// sum's order depend only on the geometry, so results are bit-identical for any <see cref="Parallelism.ThreadCount"/>.
/// </summary>
internal static unsafe class ImplicitConvolution
{
    /// <summary>Output positions per parallel tile (a multiple of the micro-kernel width).</summary>
    private const int ColumnTile = 128;

    [ThreadStatic] private static ConvolutionJob? _job;

    /// <summary>True when this path handles <paramref name="g"/> on this machine (AVX-512, stride-1 same-size).</summary>
    public static bool Applies(in ConvGeometry g) =>
        Gemm.PackedKind == GemmKernelKind.Vector512 && Avx512F.IsSupported && g.StrideH == 1 && g.StrideW == 1
        && g.OutHeight == g.Height && g.OutWidth == g.Width;

    /// <summary>
    /// y (+)= conv(x, w) (+ bias). x: [N, C, H, W], w: [O, C·KH·KW] row-major, bias: [O] or null,
    /// y: [N, O, H, W]; overwritten unless <paramref name="accumulate"/>. Geometry must satisfy <see cref="Applies"/>.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
    {
        var job = _job ??= new ConvolutionJob();
        job.Prepare(g, x, w, bias, y, accumulate);
        int tiles = g.Batch * job.TilesPerImage;
        if (tiles >= Parallelism.ThreadCount && Parallelism.ThreadCount > 1) Parallelism.For(tiles, job);
        else for (int i = 0; i < tiles; i++) job.Run(i);
        job.Clear();
    }

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class ConvolutionJob : ParallelJob
    {
        private const int Mr = ImplicitMicroKernel.Mr, Nr = ImplicitMicroKernel.Nr;

        private readonly GemmScratch _packedA = new(); // [⌈O/16⌉][k][16]
        private readonly GemmScratch _masks = new();   // [taps][plane rounded up to 16]: all ones = lane valid
        private int[] _rowTable = [];                  // [2][k]: source offset, then mask offset, of each im2col row
        private ConvGeometry _g;
        private float* _x, _bias, _y;
        private int _m, _k, _plane;
        private bool _accumulate;

        /// <summary>Parallel tiles per image: ⌈H·W / ColumnTile⌉.</summary>
        public int TilesPerImage { get; private set; }

        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate;
            _m = g.OutChannels; _k = g.PatchLength; _plane = g.Height * g.Width;
            TilesPerImage = (_plane + ColumnTile - 1) / ColumnTile;
            int mPadded = (_m + Mr - 1) / Mr * Mr;
            GemmPacking.PackA(w, _m, _k, false, 0, _m, 0, _k, Mr, _packedA.Ensure(mPadded * _k));

            int taps = g.KernelHeight * g.KernelWidth, planePadded = (_plane + Nr - 1) / Nr * Nr;
            uint* masks = (uint*)_masks.Ensure(taps * planePadded);
            for (int tap = 0; tap < taps; tap++)
            {
                int dh = tap / g.KernelWidth - g.PadH, dw = tap % g.KernelWidth - g.PadW;
                uint* tapMask = masks + (nint)tap * planePadded;
                for (int p = 0; p < planePadded; p++)
                {
                    int ih = p / g.Width + dh, iw = p % g.Width + dw;
                    bool valid = p < _plane && (uint)ih < (uint)g.Height && (uint)iw < (uint)g.Width;
                    tapMask[p] = valid ? uint.MaxValue : 0u;
                }
            }
            if (_rowTable.Length < 2 * _k) _rowTable = GC.AllocateUninitializedArray<int>(2 * _k, pinned: true);
            for (int r = 0; r < _k; r++)
            {
                int c = r / taps, tap = r % taps;
                _rowTable[r] = c * _plane + (tap / g.KernelWidth - g.PadH) * g.Width + tap % g.KernelWidth - g.PadW;
                _rowTable[_k + r] = tap * planePadded;
            }
        }

        public void Clear() { _x = _bias = _y = null; }

        /// <summary>Tile = image index / TilesPerImage, positions [tile·ColumnTile, +ColumnTile) of its output.</summary>
        [SkipLocalsInit]
        public override void Run(int index)
        {
            int image = index / TilesPerImage, j0 = index % TilesPerImage * ColumnTile;
            int cols = Math.Min(ColumnTile, _plane - j0), m = _m, k = _k, plane = _plane;
            float* edge = stackalloc float[Mr * Nr];
            float* imageX = _x + (long)image * _g.InChannels * plane;
            float* imageY = _y + (long)image * m * plane;
            fixed (int* rows = _rowTable)
            {
                int* source = rows, maskOffset = rows + k;
                // Weight panel outermost: it (k × 16 floats) and the tile's input window stay in L1.
                for (int ir = 0; ir < m; ir += Mr)
                {
                    float* aPanel = _packedA.Pointer + (nint)ir * k;
                    int height = Math.Min(Mr, m - ir);
                    for (int jr = 0; jr < cols; jr += Nr)
                    {
                        int p0 = j0 + jr, width = Math.Min(Nr, cols - jr);
                        float* yTile = imageY + (nint)ir * plane + p0;
                        if (height == Mr && width == Nr)
                        {
                            ImplicitMicroKernel.Run(aPanel, imageX + p0, source, _masks.Pointer + p0, maskOffset, k,
                                yTile, plane, _accumulate);
                            continue;
                        }
                        // Edge tile: full tile into scratch (padded weights and masked lanes are zero), then the valid part.
                        ImplicitMicroKernel.Run(aPanel, imageX + p0, source, _masks.Pointer + p0, maskOffset, k,
                            edge, Nr, false);
                        for (int r = 0; r < height; r++)
                        {
                            float* yRow = yTile + (nint)r * plane, eRow = edge + r * Nr;
                            if (_accumulate)
                                for (int j = 0; j < width; j++) yRow[j] += eRow[j];
                            else
                                for (int j = 0; j < width; j++) yRow[j] = eRow[j];
                        }
                    }
                }
            }
            if (_bias != null)
            {
                for (int o = 0; o < m; o++)
                {
                    var row = new Span<float>(imageY + (nint)o * plane + j0, cols);
                    TensorPrimitives.Add(row, _bias[o], row);
                }
            }
        }
    }
}
