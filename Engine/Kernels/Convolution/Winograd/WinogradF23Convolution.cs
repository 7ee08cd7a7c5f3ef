namespace RocketNet.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) forward convolution for 3×3 stride-1 pad-1 geometries on AVX-512 (read
/// <see cref="WinogradF23Reference"/> first: same algorithm, in double). The output's 2×2 tiles are cut into chunks
/// (a run of tile rows of one image, or several whole images when an image has few tiles) sized so that one
/// chunk's transformed inputs V and products M stay in L2. Per chunk:
/// <code>
/// V[ξ]: [C, T tiles]   input tiles transformed, 16 tiles per vector (WinogradF23Transforms.Input)
/// M[ξ] = U[ξ]·V[ξ]     for each of the 16 cells ξ of the 4×4 domain: [O, C]·[C, T], the GEMM micro-kernel
/// y   = Aᵀ·M·A         2×2 outputs per tile (+ bias, + residual), 16 tiles per vector (WinogradF23Transforms.Output)
/// </code>
/// U (the filters in the Winograd domain) is computed once per call, or once for all by the caller
/// (<see cref="TransformFilters"/>). V is laid out as the micro-kernel's B panels ([32 tiles] per channel, one panel
/// after another) and U[ξ] as rows [O rounded up to 8, C], so <see cref="GemmMicroKernel512.RunRows"/> runs on them
/// as they are, with no packing. Chunks are independent
/// outputs and the chunk grid depends only on the geometry, so results are bit-identical for any
/// <see cref="Parallelism.ThreadCount"/>.
/// </summary>
internal static unsafe class WinogradF23Convolution
{
    /// <summary>Cells of the 4×4 Winograd domain: one channel reduction (GEMM) each.</summary>
    internal const int Cells = 16;

    [ThreadStatic] private static WinogradJob? _job;

    [ThreadStatic] private static GemmScratch? _planes; // per-thread deinterleaved, zero-bordered input plane

    /// <summary>True when this machine runs the kernel (<see cref="Winograd.Available"/>).</summary>
    public static bool Available => Winograd.Available;

    /// <summary>True for the geometries it computes: 3×3 kernel, stride 1, padding 1.</summary>
    public static bool Applies(in ConvGeometry g) => Winograd.Applies(g);

    /// <summary>
    /// <see cref="Run(in ConvGeometry, float*, float*, float*, float*, bool, float*)"/> on spans, checked:
    /// y (+)= conv(x, w) (+ bias) (+ residual); bias and residual may be empty. For tests and benchmarks, which call
    /// this kernel directly whatever the dispatcher picks.
    /// </summary>
    /// <exception cref="ArgumentException">Not a 3×3 stride-1 pad-1 geometry, or a span too short.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine has no AVX-512.</exception>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default, bool accumulate = false)
    {
        Winograd.CheckForward(g, "WinogradF23Convolution.Forward", x.Length, w.Length, bias.Length, y.Length,
            residual.Length, Available);
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
        var job = _job ??= new WinogradJob();
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
        WinogradF23Transforms.Filters(w, u, g.OutChannels, Winograd.PaddedRows(g.OutChannels), g.InChannels);

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class WinogradJob : ParallelJob
    {
        private readonly GemmScratch _filters = new(); // U: [16][O rounded up to 8][C]
        private WinogradF23Transforms.Shape _shape;
        private ConvGeometry _g;
        private float* _x, _bias, _y, _residual, _u; // _u: U, in _filters or prepared by the caller
        private bool _accumulate;
        private WinogradF23Chunks _chunks;
        private int _paddedOut;

        /// <summary>Parallel tiles: chunks of tile rows or of whole images.</summary>
        public int Chunks => _chunks.Count;

        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
            float* residual, float* preparedFilters)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate; _residual = residual;
            _shape = new WinogradF23Transforms.Shape(g.Height, g.Width);
            _paddedOut = Winograd.PaddedRows(g.OutChannels);
            int bytesPerTile = sizeof(float) * Cells * (g.InChannels + _paddedOut);
            int target = Math.Max(Winograd.Panel, Winograd.ChunkBytes / bytesPerTile);
            _chunks = new WinogradF23Chunks(_shape, g.Batch, target);
            if (preparedFilters != null)
            {
                _u = preparedFilters;
                return;
            }
            _u = _filters.Ensure(Cells * _paddedOut * g.InChannels);
            WinogradF23Transforms.Filters(w, _u, g.OutChannels, _paddedOut, g.InChannels);
        }

        public void Clear() { _x = _bias = _y = _residual = _u = null; }

        /// <summary>Chunk = images [n0, n1) × tile rows [ty0, ty1) of each: transform, 16 GEMMs, back.</summary>
        public override void Run(int index)
        {
            var g = _g;
            _chunks.Range(index, out int n0, out int n1, out int ty0, out int ty1);
            int inChannels = g.InChannels, outRows = _paddedOut;
            int tiles = (n1 - n0) * (ty1 - ty0) * _shape.TilesX;
            int paddedTiles = (tiles + Winograd.Panel - 1) / Winograd.Panel * Winograd.Panel;
            // Slack of one vector: the output transform reads 16 tiles from the start of each tile row.
            nint vCell = (nint)inChannels * paddedTiles + Winograd.CellSkew;
            nint mCell = (nint)outRows * paddedTiles + Winograd.CellSkew;
            float* v = Winograd.Transformed((int)(Cells * vCell));
            float* m = Winograd.Products((int)(Cells * mCell) + 16);
            float* planes = (_planes ??= new GemmScratch()).Ensure(2 * _shape.PlaneLength);

            Winograd.ClearPanelTail(v, Cells, vCell, tiles, paddedTiles, inChannels);

            int planeLength = g.Height * g.Width;
            WinogradF23Transforms.ClearPlanes(_shape, planes);
            int t = 0;
            for (int n = n0; n < n1; n++, t += (ty1 - ty0) * _shape.TilesX)
                for (int c = 0; c < inChannels; c++)
                {
                    WinogradF23Transforms.Deinterleave(_shape, _x + ((long)n * inChannels + c) * planeLength, planes,
                        ty0, ty1);
                    WinogradF23Transforms.Input(_shape, planes, ty0, ty1, v + (nint)c * Winograd.Panel, t,
                        inChannels, vCell);
                }

            Winograd.MultiplyCells(_u, (nint)outRows * inChannels, v, vCell, m, mCell, Cells, outRows,
                inChannels, paddedTiles, tiles);

            t = 0;
            for (int n = n0; n < n1; n++, t += (ty1 - ty0) * _shape.TilesX)
                for (int o = 0; o < g.OutChannels; o++)
                {
                    long plane = ((long)n * g.OutChannels + o) * planeLength;
                    float* residual = _residual == null ? null : _residual + plane;
                    WinogradF23Transforms.Output(_shape, m + (nint)o * paddedTiles + t, mCell,
                        ty0, ty1, _y + plane, _bias == null ? 0 : _bias[o], residual, _accumulate);
                }
        }
    }
}
