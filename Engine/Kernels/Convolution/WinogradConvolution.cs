using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) forward convolution for 3×3 stride-1 pad-1 geometries on AVX-512 (read
/// <see cref="WinogradReference"/> first: same algorithm, in double). The output's 2×2 tiles are cut into chunks
/// (a run of tile rows of one image, or several whole images when an image has few tiles) sized so that one
/// chunk's transformed inputs V and products M stay in L2. Per chunk:
/// <code>
/// V[ξ]: [C, T tiles]   input tiles transformed, 16 tiles per vector (WinogradTransforms.Input)
/// M[ξ] = U[ξ]·V[ξ]     for each of the 16 cells ξ of the 4×4 domain: [O, C]·[C, T], the GEMM micro-kernel
/// y   = Aᵀ·M·A         2×2 outputs per tile (+ bias, + residual), 16 tiles per vector (WinogradTransforms.Output)
/// </code>
/// U (the filters in the Winograd domain) is computed once per call. V is laid out as the micro-kernel's B panels
/// ([32 tiles] per channel, one panel after another) and U[ξ] as rows [O rounded up to 8, C], so
/// <see cref="GemmMicroKernel512.RunRows"/> runs on them as they are, with no packing. Chunks are independent
/// outputs and the chunk grid depends only on the geometry, so results are bit-identical for any
/// <see cref="Parallelism.ThreadCount"/>.
/// </summary>
internal static unsafe class WinogradConvolution
{
    /// <summary>Cells of the 4×4 Winograd domain: one channel reduction (GEMM) each.</summary>
    internal const int Cells = 16;

    /// <summary>Tiles per B panel of the micro-kernel.</summary>
    private const int Panel = GemmMicroKernel512.Nr;

    /// <summary>Rows of U per micro-kernel call.</summary>
    private const int RowBlock = GemmMicroKernel512.Mr;

    /// <summary>
    /// Bytes of V plus M per chunk: both stay in the 2 MB L2 between the transform that writes them and the pass
    /// that reads them, with room left for the image planes and U.
    /// </summary>
    private const int ChunkBytes = 512 * 1024;

    /// <summary>
    /// Floats added between the cells of V and of M. The transforms touch all 16 cells of a tile at once; cells a
    /// multiple of 4 KB apart (as C·T tiles often is) would all fall into one L1 set and evict each other, so each
    /// cell starts one cache line further along.
    /// </summary>
    private const int CellSkew = 16;

    [ThreadStatic] private static WinogradJob? _job;

    [ThreadStatic] private static GemmScratch? _transformed; // per-thread V of one chunk
    [ThreadStatic] private static GemmScratch? _products; // per-thread M of one chunk
    [ThreadStatic] private static GemmScratch? _planes; // per-thread deinterleaved, zero-bordered input plane

    /// <summary>True when this machine runs the kernel (AVX-512: masked loads and stores, 2-source permutes).</summary>
    public static bool Available => Gemm.PackedKind == GemmKernelKind.Vector512 && Avx512F.IsSupported;

    /// <summary>True for the geometries it computes: 3×3 kernel, stride 1, padding 1.</summary>
    public static bool Applies(in ConvGeometry g) => WinogradReference.Applies(g);

    /// <summary>
    /// <see cref="Run"/> on spans, checked: y (+)= conv(x, w) (+ bias) (+ residual); bias and residual may be
    /// empty. For tests and benchmarks, which call this kernel directly whatever the dispatcher picks.
    /// </summary>
    /// <exception cref="ArgumentException">Not a 3×3 stride-1 pad-1 geometry, or a span too short.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine has no AVX-512.</exception>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, ReadOnlySpan<float> residual = default, bool accumulate = false)
    {
        CheckForward(g, "WinogradConvolution.Forward", x.Length, w.Length, bias.Length, y.Length, residual.Length);
        fixed (float* xp = x, wp = w, bp = bias, yp = y, rp = residual)
            Run(g, xp, wp, bias.IsEmpty ? null : bp, yp, accumulate, residual.IsEmpty ? null : rp);
    }

    /// <summary>
    /// The checks of a Winograd kernel's span entry point (<paramref name="entry"/>, "Kernel.Forward", names it in
    /// the messages): the spans' lengths against the geometry (residual 0 for none), a 3×3 stride-1 pad-1 geometry,
    /// AVX-512. Allocates nothing unless it throws.
    /// </summary>
    internal static void CheckForward(in ConvGeometry g, string entry, int x, int w, int bias, int y, int residual)
    {
        KernelArguments.CheckConvolution(g, entry, x, w, y, bias);
        if (residual != 0) KernelArguments.RequireLength(residual, g.OutputLength, entry, "residual");
        if (!Applies(g))
        {
            throw new ArgumentException(
                $"{entry[..entry.IndexOf('.')]} needs a 3×3 stride-1 pad-1 convolution, got {g}.");
        }
        if (!Available) throw new PlatformNotSupportedException($"{entry[..entry.IndexOf('.')]} needs AVX-512.");
    }

    /// <summary>
    /// y (+)= conv(x, w) (+ bias) (+ residual) for a 3×3 stride-1 pad-1 geometry. x: [N, C, H, W],
    /// w: [O, C, 3, 3], bias: [O] or null, y: [N, O, H, W], overwritten unless <paramref name="accumulate"/>;
    /// residual: y's shape or null. Needs <see cref="Available"/> and <see cref="Applies"/>.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
        float* residual = null)
    {
        var job = _job ??= new WinogradJob();
        job.Prepare(g, x, w, bias, y, accumulate, residual);
        int chunks = job.Chunks;
        if (chunks >= Parallelism.ThreadCount && Parallelism.ThreadCount > 1) Parallelism.For(chunks, job);
        else for (int i = 0; i < chunks; i++) job.Run(i);
        job.Clear();
    }

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class WinogradJob : ParallelJob
    {
        private readonly GemmScratch _filters = new(); // U: [16][O rounded up to 8][C]
        private WinogradTransforms.Shape _shape;
        private ConvGeometry _g;
        private float* _x, _bias, _y, _residual;
        private bool _accumulate;
        private WinogradChunks _chunks;
        private int _paddedOut;

        /// <summary>Parallel tiles: chunks of tile rows or of whole images.</summary>
        public int Chunks => _chunks.Count;

        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
            float* residual)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate; _residual = residual;
            _shape = new WinogradTransforms.Shape(g.Height, g.Width);
            _paddedOut = (g.OutChannels + RowBlock - 1) / RowBlock * RowBlock;
            int target = Math.Max(Panel, ChunkBytes / (sizeof(float) * Cells * (g.InChannels + _paddedOut)));
            _chunks = new WinogradChunks(_shape, g.Batch, target);
            float* u = _filters.Ensure(Cells * _paddedOut * g.InChannels);
            WinogradTransforms.Filters(w, u, g.OutChannels, _paddedOut, g.InChannels);
        }

        public void Clear() { _x = _bias = _y = _residual = null; }

        /// <summary>Chunk = images [n0, n1) × tile rows [ty0, ty1) of each: transform, 16 GEMMs, back.</summary>
        public override void Run(int index)
        {
            var g = _g;
            _chunks.Range(index, out int n0, out int n1, out int ty0, out int ty1);
            int inChannels = g.InChannels, outRows = _paddedOut;
            int tiles = (n1 - n0) * (ty1 - ty0) * _shape.TilesX;
            int paddedTiles = (tiles + Panel - 1) / Panel * Panel;
            // Slack of one vector: the output transform reads 16 tiles from the start of each tile row.
            nint vCell = (nint)inChannels * paddedTiles + CellSkew, mCell = (nint)outRows * paddedTiles + CellSkew;
            float* v = (_transformed ??= new GemmScratch()).Ensure((int)(Cells * vCell));
            float* m = (_products ??= new GemmScratch()).Ensure((int)(Cells * mCell) + 16);
            float* planes = (_planes ??= new GemmScratch()).Ensure(2 * _shape.PlaneLength);

            // The panel's lanes past the last tile are multiplied too: make them zeros, not stale NaNs.
            if (paddedTiles != tiles)
                for (int cell = 0; cell < Cells; cell++)
                    new Span<float>(v + cell * vCell + (nint)(paddedTiles - Panel) * inChannels,
                        Panel * inChannels).Clear();

            int planeLength = g.Height * g.Width;
            WinogradTransforms.ClearPlanes(_shape, planes);
            int t = 0;
            for (int n = n0; n < n1; n++, t += (ty1 - ty0) * _shape.TilesX)
                for (int c = 0; c < inChannels; c++)
                {
                    WinogradTransforms.Deinterleave(_shape, _x + ((long)n * inChannels + c) * planeLength, planes,
                        ty0, ty1);
                    WinogradTransforms.Input(_shape, planes, ty0, ty1, v + (nint)c * Panel, t, inChannels,
                        vCell);
                }

            for (int cell = 0; cell < Cells; cell++)
            {
                float* u = _filters.Pointer + (nint)cell * outRows * inChannels;
                float* cellV = v + cell * vCell;
                float* cellM = m + cell * mCell;
                for (int p = 0; p < paddedTiles; p += Panel)
                    for (int o = 0; o < outRows; o += RowBlock)
                        GemmMicroKernel512.RunRows(u + (nint)o * inChannels, inChannels, cellV + (nint)p * inChannels,
                            cellM + (nint)o * paddedTiles + p, paddedTiles, inChannels, accumulate: false);
            }

            t = 0;
            for (int n = n0; n < n1; n++, t += (ty1 - ty0) * _shape.TilesX)
                for (int o = 0; o < g.OutChannels; o++)
                {
                    long plane = ((long)n * g.OutChannels + o) * planeLength;
                    float* residual = _residual == null ? null : _residual + plane;
                    WinogradTransforms.Output(_shape, m + (nint)o * paddedTiles + t, mCell,
                        ty0, ty1, _y + plane, _bias == null ? 0 : _bias[o], residual, _accumulate);
                }
        }
    }
}
