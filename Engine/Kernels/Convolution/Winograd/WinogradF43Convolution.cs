using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// Winograd F(4×4, 3×3) forward convolution for 3×3 stride-1 pad-1 geometries on AVX-512 or 128-bit vectors (read
/// <see cref="WinogradF43Reference"/> first: same algorithm, in double; <see cref="WinogradF23Convolution"/> is the
/// F(2×2, 3×3) kernel built the same way). The batch is cut into groups of 16 images, one per vector lane, and each
/// group's 4×4 output tiles into chunks of tile rows sized so that one chunk's V and M stay in L2. Per chunk:
/// <code>
/// s[rows, columns][16 images]    the chunk's input rows of one channel, transposed (WinogradF43Transforms.Gather)
/// V[ξ]: [C, T tiles]             input tiles transformed, 16 images per vector (WinogradF43Transforms.Input)
/// M[ξ] = U[ξ]·V[ξ]               for each of the 36 cells ξ of the 6×6 domain: [O, C]·[C, T], the GEMM micro-kernel
/// y = Aᵀ·M·A                     4×4 outputs per tile (+ bias, + residual), transposed back (Output, Scatter)
/// </code>
/// Against F(2×2, 3×3): 36 floats of V (and of M) per 16 outputs instead of 4·16 = 64, and 2.25·C multiplications
/// per output instead of 4·C. V is laid out as the micro-kernel's B panels ([32 tiles] per channel, chunk tile
/// 16k + i = tile k of image n0 + i), U[ξ] as rows [O rounded up to 8, C], so
/// <see cref="GemmMicroKernel512.RunRows"/> runs on them as they are. Chunks are independent outputs and the chunk
/// grid depends only on the geometry, so results are bit-identical for any <see cref="Parallelism.ThreadCount"/>.
/// <para>
/// On 128-bit vectors (ARM64 NEON, or x64 with the width capped, <see cref="Winograd.Available128"/>) the same body
/// runs on <see cref="Lanes128"/>: groups of 4 images, one per lane, a 4×4 transpose in and out, and V in panels of
/// 12 tiles for <see cref="WinogradCellKernel128"/>'s 8×12 tiles; U keeps its layout, so filters prepared once serve
/// either width. Its sums are the AVX-512 body's, lane for lane, except the channel reductions' FMA chains, which
/// are also in channel order; the two differ only in which tiles share a vector.
/// </para>
/// </summary>
internal static unsafe class WinogradF43Convolution
{
    /// <summary>Cells of the 6×6 Winograd domain: one channel reduction (GEMM) each.</summary>
    internal const int Cells = WinogradF43Transforms.Cells;


    [ThreadStatic] private static F43Job? _job;

    [ThreadStatic] private static GemmScratch? _inputs; // per-thread s: one channel's input rows, transposed
    [ThreadStatic] private static GemmScratch? _outputs; // per-thread t: one output channel's rows, transposed
    [ThreadStatic] private static GemmScratch? _staging; // per-thread rows of 16 images, before or after t and s

    /// <summary>
    /// True when this machine runs the kernel: AVX-512 (<see cref="Winograd.Available"/>) or the GEMM on 128-bit
    /// vectors (<see cref="Winograd.Available128"/>).
    /// </summary>
    public static bool Available => Winograd.Available || Winograd.Available128;

    /// <summary>Images per chunk (one per vector lane) on this machine under the current width cap: 16 or 4.</summary>
    public static int ImageLanes => Winograd.Available ? WinogradF43Transforms.Lanes : Vector128<float>.Count;

    /// <summary>True for the geometries it computes: 3×3 kernel, stride 1, padding 1.</summary>
    public static bool Applies(in ConvGeometry g) => Winograd.Applies(g);

    /// <summary>
    /// <see cref="Run(in ConvGeometry, float*, float*, float*, float*, bool, float*)"/> on spans, checked:
    /// y (+)= conv(x, w) (+ bias) (+ residual); bias and residual may be empty. For tests and benchmarks, which call
    /// this kernel directly whatever the dispatcher picks.
    /// </summary>
    /// <exception cref="ArgumentException">Not a 3×3 stride-1 pad-1 geometry, or a span too short.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine has neither AVX-512 nor 128-bit FMA.</exception>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default, bool accumulate = false)
    {
        Winograd.CheckForward(g, "WinogradF43Convolution.Forward", x.Length, w.Length, bias.Length, y.Length,
            residual.Length, Available, "AVX-512 or 128-bit vectors with FMA");
        fixed (float* xp = x, wp = w, bp = bias, yp = y, rp = residual)
            Run(g, xp, wp, bias.IsEmpty ? null : bp, yp, accumulate, residual.IsEmpty ? null : rp);
    }

    /// <summary>
    /// y (+)= conv(x, w) (+ bias) (+ residual) for a 3×3 stride-1 pad-1 geometry. x: [N, C, H, W],
    /// w: [O, C, 3, 3], bias: [O] or null, y: [N, O, H, W], overwritten unless <paramref name="accumulate"/>;
    /// residual: y's shape or null. Needs <see cref="Available"/> and <see cref="Applies"/>.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
        float* residual = null) => Run(g, x, w, bias, y, accumulate, residual, preparedFilters: null);

    /// <summary>
    /// <see cref="Run(in ConvGeometry, float*, float*, float*, float*, bool, float*)"/> with the filters already in
    /// the Winograd domain: <paramref name="preparedFilters"/> holds <see cref="FilterLength"/> floats written by
    /// <see cref="TransformFilters"/> (w is then not read); null transforms w now.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
        float* residual, float* preparedFilters)
    {
        var job = _job ??= new F43Job();
        job.Prepare(g, x, w, bias, y, accumulate, residual, preparedFilters);
        Winograd.RunChunks(job, job.Chunks);
        job.Clear();
    }

    /// <summary>Floats of <paramref name="g"/>'s filters in the Winograd domain, U: [cells][O rounded up to 8][C].
    /// </summary>
    public static int FilterLength(in ConvGeometry g) => Cells * Winograd.PaddedRows(g.OutChannels) * g.InChannels;

    /// <summary>
    /// U = the filters w: [O, C, 3, 3] in the Winograd domain, <see cref="FilterLength"/> floats: what every call
    /// computes first, done once for weights that do not change between calls.
    /// </summary>
    public static void TransformFilters(in ConvGeometry g, float* w, float* u) =>
        WinogradF43Transforms.Filters(w, u, g.OutChannels, Winograd.PaddedRows(g.OutChannels), g.InChannels);

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class F43Job : ParallelJob
    {
        private readonly GemmScratch _filters = new(); // U: [36][O rounded up to 8][C]
        private ConvGeometry _g;
        private float* _x, _bias, _y, _residual, _u; // _u: U, in _filters or prepared by the caller
        private bool _accumulate, _wide; // _wide: the AVX-512 body, else the 128-bit one
        private int _tilesY, _tilesX, _rows, _chunksPerGroup, _paddedOut, _lanes;

        /// <summary>Parallel tiles: groups of 16 (or 4) images × runs of tile rows.</summary>
        public int Chunks { get; private set; }

        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
            float* residual, float* preparedFilters)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate; _residual = residual;
            _tilesY = (g.Height + 3) / 4;
            _tilesX = (g.Width + 3) / 4;
            _paddedOut = Winograd.PaddedRows(g.OutChannels);
            _wide = Winograd.Available;
            _lanes = ImageLanes;
            long tileRowBytes = (long)sizeof(float) * Cells * (g.InChannels + _paddedOut) * _lanes * _tilesX;
            _rows = (int)Math.Clamp(Winograd.ChunkBytes / tileRowBytes, 1, _tilesY);
            _chunksPerGroup = (_tilesY + _rows - 1) / _rows;
            Chunks = (g.Batch + _lanes - 1) / _lanes * _chunksPerGroup;
            if (preparedFilters != null)
            {
                _u = preparedFilters;
                return;
            }
            _u = _filters.Ensure(Cells * _paddedOut * g.InChannels);
            WinogradF43Transforms.Filters(w, _u, g.OutChannels, _paddedOut, g.InChannels);
        }

        public void Clear() { _x = _bias = _y = _residual = _u = null; }

        /// <summary>Chunk = images [n0, n0 + L) × tile rows [ty0, ty1): gather, transform, 36 GEMMs, back.</summary>
        public override void Run(int index)
        {
            if (_wide) RunChunk<Vector512<float>, Lanes512>(index);
            else RunChunk<Vector128<float>, Lanes128>(index);
        }

        /// <summary><see cref="Run"/> on L = TLanes.Count images per vector.</summary>
        private void RunChunk<TVector, TLanes>(int index)
            where TVector : unmanaged where TLanes : struct, IFloatLanes<TVector>
        {
            var g = _g;
            int lanes = TLanes.Count;
            int n0 = index / _chunksPerGroup * lanes, images = Math.Min(lanes, g.Batch - n0);
            int ty0 = index % _chunksPerGroup * _rows, ty1 = Math.Min(_tilesY, ty0 + _rows), tileRows = ty1 - ty0;
            int inChannels = g.InChannels, outRows = _paddedOut, width = g.Width;
            // Two tile vectors of 16 (AVX-512) or three of 4 (128-bit).
            int panel = WinogradF43Transforms.PanelVectors<TVector, TLanes>() * lanes;
            int tiles = lanes * tileRows * _tilesX, paddedTiles = (tiles + panel - 1) / panel * panel;
            nint vCell = (nint)inChannels * paddedTiles + Winograd.CellSkew;
            nint mCell = (nint)outRows * paddedTiles + Winograd.CellSkew;
            float* v = Winograd.Transformed((int)(Cells * vCell));
            float* m = Winograd.Products((int)(Cells * mCell));
            // s holds input rows 4ty0 − 1 .. 4ty1 and columns −1 .. 4·TilesX (zero outside the image);
            // t the output rows 4ty0 .. min(H, 4ty1) − 1, plus the 16 vectors Scatter may read past them.
            int sStride = 4 * _tilesX + 2, sLength = (4 * tileRows + 2) * sStride * lanes;
            int outputRows = Math.Min(g.Height, 4 * ty1) - 4 * ty0, outputLength = outputRows * width;
            float* s = (_inputs ??= new GemmScratch()).Ensure(sLength);
            float* t = (_outputs ??= new GemmScratch()).Ensure((outputLength + lanes) * lanes);
            int stagingLength = lanes * WinogradF43Transforms.StagingStride(Math.Max(outputLength,
                (Math.Min(g.Height, 4 * ty1 + 1) - Math.Max(0, 4 * ty0 - 1)) * width), lanes);
            float* staging = (_staging ??= new GemmScratch()).Ensure(stagingLength);
            new Span<float>(s, sLength).Clear();

            // An odd number of tile vectors leaves half of the last panel unwritten.
            Winograd.ClearPanelTail(v, Cells, vCell, tiles, paddedTiles, inChannels, panel);

            int planeLength = g.Height * width, firstRow = 4 * ty0 - 1;
            int rowStart = Math.Max(0, firstRow), rowEnd = Math.Min(g.Height, 4 * ty1 + 1);
            nint inputImage = (nint)inChannels * planeLength, outputImage = (nint)g.OutChannels * planeLength;
            for (int c = 0; c < inChannels; c++)
            {
                WinogradF43Transforms.Gather<TVector, TLanes>(_x + n0 * inputImage + (nint)c * planeLength,
                    inputImage, images, width, rowStart, rowEnd, firstRow, sStride, s, staging,
                    c + 1 < inChannels ? planeLength : 0);
                WinogradF43Transforms.Input<TVector, TLanes>(s, sStride, tileRows, _tilesX, v + (nint)c * panel,
                    (nint)panel * inChannels, vCell);
            }

            if (_wide)
                Winograd.MultiplyCells(_u, (nint)outRows * inChannels, v, vCell, m, mCell, Cells, outRows,
                    inChannels, paddedTiles);
            else
                Winograd.MultiplyCells128(_u, (nint)outRows * inChannels, v, vCell, m, mCell, Cells, outRows,
                    inChannels, paddedTiles);

            nint first = (nint)4 * ty0 * width; // the chunk's first output in its plane
            for (int o = 0; o < g.OutChannels; o++)
            {
                WinogradF43Transforms.Output<TVector, TLanes>(m + (nint)o * paddedTiles, mCell, tileRows, _tilesX,
                    outputRows, width, t);
                nint plane = n0 * outputImage + (nint)o * planeLength + first;
                WinogradF43Transforms.Scatter<TVector, TLanes>(t, outputLength, _y + plane,
                    _residual == null ? null : _residual + plane, outputImage, images, _bias == null ? 0 : _bias[o],
                    _accumulate, staging);
            }
        }
    }
}
