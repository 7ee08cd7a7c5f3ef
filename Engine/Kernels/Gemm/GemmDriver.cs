using System.Runtime.CompilerServices;

namespace RocketNet.Kernels;

/// <summary>
/// The blocked, packed GEMM (Goto/BLIS loop nest) and its parallel split.
/// <code>
/// for jc in n step NC                      B slab [kc x nc] packed once, shared by both threads (L3)
///   for pc in k step KC                    kc balanced so every slab has about the same depth
///     for ic in m step MBlock              A block [mc x kc] packed once, shared (or read in place, see below)
///       parallel over tiles (MTile x NTile) of the [mc x nc] block of C:
///         for jr in tile step NR           B micro-panel [kc x NR] stays in L1 across the ir loop
///           for ir in tile step MR         A micro-panels stream from L2
///             micro-kernel MR x NR
/// </code>
/// Threads split C into tiles along both M and N; the tile grid depends only on the shape, and every
/// element of C is summed over the same kc slabs in the same order, so results are bit-identical for
/// any <see cref="Parallelism.ThreadCount"/> (no split-K). Where A is stored [m, k] and the AVX-512 kernels run,
/// A is not packed at all: the kernels broadcast its values straight from its rows
/// (<see cref="GemmMicroKernel512.RunRows"/>).
/// </summary>
internal static unsafe partial class GemmDriver
{
    /// <summary>Deepest k slab. 256 x NR(32) x 4 B = 32 KB B micro-panel, inside the 48 KB L1d.</summary>
    internal const int KcMax = 256;

    /// <summary>Widest B slab: 256 x 4096 x 4 B = 4 MB, lives in the (huge) L3 and is read tile by tile.</summary>
    internal const int NcMax = 4096;

    /// <summary>Most rows of A packed at once: 1024 x 256 x 4 B = 1 MB.</summary>
    internal const int MBlock = 1024;

    /// <summary>Target tile height (rounded down to a multiple of MR): A part 128 x 256 x 4 B = 128 KB in L2.</summary>
    internal const int MTileTarget = 128;

    /// <summary>Tile width (a multiple of every NR): small enough to balance 2 threads on n ≈ 784.</summary>
    internal const int NTile = 128;

    /// <summary>
    /// Rows of A per packing task on the single-dispatch path (64 x 192 floats: enough to be worth a task).
    /// </summary>
    private const int PackRows = 64;

    /// <summary>Below this many multiply-adds per block a parallel dispatch costs more than it saves.</summary>
    internal const long ParallelMinWork = 1 << 19;

    /// <summary>Largest packed A (all k slabs at once) for the single-dispatch path: 4 MB.</summary>
    private const long FusedMaxPackedA = 1 << 20;

    [ThreadStatic] private static BlockedGemm? _blocked;
    [ThreadStatic] private static SingleDispatchGemm? _singleDispatch;
    [ThreadStatic] private static GemmScratch? _tileB; // per-thread B tile of the single-dispatch path

    /// <summary>
    /// Threads a call's tiles are shared by: one inside another job's index (nested dispatches run inline,
    /// e.g. a serving plan's row block per thread), where splitting for more would only repeat packing.
    /// </summary>
    internal static int Threads => WorkerPool.InsideParallelRegion ? 1 : Math.Max(1, Parallelism.ThreadCount);

    /// <summary>
    /// Runs C (+)= op(A)·op(B) with packed panels and the micro-kernel of <paramref name="kind"/>: on the
    /// single-dispatch path when the whole product fits at once (<see cref="SingleDispatchGemm"/>), else on the
    /// general blocked path (<see cref="BlockedGemm"/>). Each path's job is cached per calling thread, so a call
    /// allocates nothing; both share that thread's packed-A scratch.
    /// </summary>
    public static void Multiply(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB,
        bool accumulate, GemmKernelKind kind)
    {
        int mr = kind switch
        {
            GemmKernelKind.Vector512 => GemmMicroKernel512.Mr,
            GemmKernelKind.Vector256 => GemmMicroKernel256.Mr,
            GemmKernelKind.Vector128 => GemmMicroKernel128.Mr,
            _ => GemmMicroKernelScalar.Mr,
        };
        // With one thread and two M tiles there are no barriers to save and the per-slab path packs each
        // B panel once; with one M tile (m ≤ 256) packing B right before use is cheaper anyway.
        bool oneMTile = m <= 256;
        if ((Threads > 1 || oneMTile) && m <= MBlock && n <= NcMax && (long)RoundUp(m, mr) * k <= FusedMaxPackedA)
        {
            var job = _singleDispatch ??= new SingleDispatchGemm(_blocked?.PackedA ?? new GemmScratch());
            job.Run(a, b, c, m, n, k, transA, transB, accumulate, kind);
        }
        else
        {
            var job = _blocked ??= new BlockedGemm(_singleDispatch?.PackedA ?? new GemmScratch());
            job.Run(a, b, c, m, n, k, transA, transB, accumulate, kind);
        }
    }

    /// <summary>
    /// Whether 8 rows of A stored [m, k] can be read in place without crowding the L1 cache: rows whose stride
    /// is a multiple of 4 KB all land in the same L1 sets (64 sets of 64 B lines), so the 8 lines of one k step
    /// compete with the B panel for the 12 ways of one set. Allows at most 4 rows per set: k = 512 (two groups of sets,
    /// 4 rows in each, where reading in place beats packing) but not k = 1024, where it loses to packing.
    /// </summary>
    internal static bool RowsSpreadOverL1Sets(int k)
    {
        const int LinesPerWay = 64, FloatsPerLine = 16, Rows = GemmMicroKernel512.Mr;
        if (k % FloatsPerLine != 0) return true; // successive rows drift across the sets
        // Row r starts r·strideLines lines on, so the rows cover 64 / gcd(64, strideLines) distinct sets (64 is a
        // power of two: the gcd is strideLines' lowest set bit).
        int strideLines = k / FloatsPerLine % LinesPerWay;
        int distinctSets = strideLines == 0 ? 1 : LinesPerWay / (strideLines & -strideLines);
        return Rows / Math.Min(Rows, distinctSets) <= 4;
    }

    /// <summary>
    /// C[rows, cols] (+)= A[first.., pc..pc + kc]·B with A's rows read in place (A [m, k] at <paramref name="a"/>)
    /// by the AVX-512 kernels: <paramref name="packedB"/> holds the slab's panels of the C columns from the first
    /// (column j at j·kc), <paramref name="c"/> is C[first, that column] with row stride <paramref name="ldc"/>.
    /// A last group of fewer than 8 rows is packed into a zero-padded stack panel, so no kernel reads past A's end;
    /// columns short of a full or half panel go through a scratch tile. The driver's tiles and
    /// <see cref="GemmPrepacked"/> both run this, so they sum every element alike.
    /// </summary>
    [SkipLocalsInit]
    internal static void MultiplyRowsInPlace(float* a, int m, int k, int first, int rows, float* packedB, int cols,
        float* c, int ldc, int pc, int kc, bool accumulate)
    {
        const int mr = GemmMicroKernel512.Mr, nr = GemmMicroKernel512.Nr;
        float* edge = stackalloc float[mr * nr];
        float* edgeRows = stackalloc float[mr * KcMax];
        int fullRows = rows / mr * mr;
        if (fullRows < rows)
            GemmPacking.PackA(a, m, k, false, first + fullRows, rows - fullRows, pc, kc, mr, edgeRows);
        for (int jr = 0; jr < cols; jr += nr)
        {
            float* bPanel = packedB + (nint)jr * kc;
            int width = Math.Min(nr, cols - jr);
            bool half = width <= nr / 2;
            for (int ir = 0; ir < rows; ir += mr)
            {
                float* cTile = c + (nint)ir * ldc + jr;
                if (ir == fullRows)
                {
                    // The short last group, packed above: the packed kernels into scratch, then its valid part.
                    if (half) GemmMicroKernel512.RunHalf(edgeRows, bPanel, edge, nr, kc, false);
                    else GemmMicroKernel512.Run(edgeRows, bPanel, edge, nr, kc, false);
                    CopyEdge(edge, nr, cTile, ldc, rows - ir, width, accumulate);
                    continue;
                }
                float* aRows = a + (nint)(first + ir) * k + pc;
                if (width == nr) GemmMicroKernel512.RunRows(aRows, k, bPanel, cTile, ldc, kc, accumulate);
                else if (width == nr / 2)
                    GemmMicroKernel512.RunHalfRows(aRows, k, bPanel, cTile, ldc, kc, accumulate);
                else
                {
                    if (half) GemmMicroKernel512.RunHalfRows(aRows, k, bPanel, edge, nr, kc, false);
                    else GemmMicroKernel512.RunRows(aRows, k, bPanel, edge, nr, kc, false);
                    CopyEdge(edge, nr, cTile, ldc, mr, width, accumulate);
                }
            }
        }
    }

    /// <summary>Moves the valid height x width part of an edge tile (row stride edgeStride) into C.</summary>
    private static void CopyEdge(float* edge, int edgeStride, float* cTile, int ldc, int height, int width,
        bool accumulate)
    {
        for (int r = 0; r < height; r++)
        {
            float* cRow = cTile + (nint)r * ldc, eRow = edge + r * edgeStride;
            if (accumulate)
                for (int j = 0; j < width; j++) cRow[j] += eRow[j];
            else
                for (int j = 0; j < width; j++) cRow[j] = eRow[j];
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>
    /// What both paths share: the call (pointers, sizes, kernel, k slabs), the geometry of the C block being
    /// worked on and its tiles, and the loops that run the micro-kernel over one tile. Workers read the raw
    /// pointers while the caller blocks in <see cref="Parallelism.For"/>, so the caller's pins hold.
    /// </summary>
    private abstract class GemmJob : ParallelJob
    {
        protected GemmJob(GemmScratch packedA) => PackedA = packedA;

        /// <summary>Packed panels of A (unused when the kernels read A's rows in place).</summary>
        public GemmScratch PackedA { get; }

        protected float* _a, _b, _c;
        protected int _m, _n, _k;
        protected bool _transA, _transB;
        protected GemmKernelKind _kind;
        protected int _mr, _nr, _mTile;
        // The kernels read A's rows in place (A stored [m, k], AVX-512): nothing of A is packed.
        protected bool _directA;
        protected int _kcStep;

        // The current block: C[ic.., jc..] of size mc x nc; its tiles are mTile x nTile, tilesN of them across.
        protected int _jc, _nc, _ic, _mc;
        protected int _tilesM, _tilesN;
        protected int _nTile = NTile; // tile width: NTile, narrower on the single-dispatch path when n is small

        /// <summary>Records the call and derives the kernel's tile, the A layout and the k slab depth.</summary>
        protected void SetCall(float* a, float* b, float* c, int m, int n, int k, bool transA, bool transB,
            GemmKernelKind kind)
        {
            _a = a; _b = b; _c = c; _m = m; _n = n; _k = k; _transA = transA; _transB = transB; _kind = kind;
            (_mr, _nr) = kind switch
            {
                GemmKernelKind.Vector512 => (GemmMicroKernel512.Mr, GemmMicroKernel512.Nr),
                GemmKernelKind.Vector256 => (GemmMicroKernel256.Mr, GemmMicroKernel256.Nr),
                GemmKernelKind.Vector128 => (GemmMicroKernel128.Mr, GemmMicroKernel128.Nr),
                _ => (GemmMicroKernelScalar.Mr, GemmMicroKernelScalar.Nr),
            };
            _mTile = MTileTarget / _mr * _mr;
            _directA = !transA && kind == GemmKernelKind.Vector512 && RowsSpreadOverL1Sets(k);

            // Balanced slabs: k = 784 becomes 4 x 196 rather than 3 x 256 + 16.
            int slabs = (k + KcMax - 1) / KcMax;
            _kcStep = (k + slabs - 1) / slabs;
        }

        protected void Dispatch(int count, bool parallel)
        {
            if (parallel)
            {
                Parallelism.For(count, this);
                return;
            }
            for (int i = 0; i < count; i++) Run(i);
        }

        /// <summary>
        /// Runs the micro-kernel over one MTile x NTile tile of the current C block, k slab [pc, pc + kc).
        /// <paramref name="packedA"/> holds the block's A panels (row i at (i)·kc; unused when A is read in place) and
        /// <paramref name="packedB"/> its B panels (column j at j·kc).
        /// </summary>
        [SkipLocalsInit]
        protected void ComputeTile(int tileRow, int tileColumn, float* packedA, float* packedB, int pc,
            int kc, bool accumulate)
        {
            int mr = _mr, nr = _nr, n = _n;
            int i0 = tileRow * _mTile, rows = Math.Min(_mTile, _mc - i0);
            int j0 = tileColumn * _nTile, cols = Math.Min(_nTile, _nc - j0);
            float* edge = stackalloc float[GemmMicroKernel512.Mr * GemmMicroKernel512.Nr];
            if (_directA)
            {
                MultiplyRowsInPlace(_a, _m, _k, _ic + i0, rows, packedB + (nint)j0 * kc, cols,
                    _c + (nint)(_ic + i0) * n + _jc + j0, n, pc, kc, accumulate);
                return;
            }

            for (int jr = 0; jr < cols; jr += nr)
            {
                float* bPanel = packedB + (nint)(j0 + jr) * kc;
                int width = Math.Min(nr, cols - jr);
                for (int ir = 0; ir < rows; ir += mr)
                {
                    int height = Math.Min(mr, rows - ir);
                    float* cTile = _c + (nint)(_ic + i0 + ir) * n + _jc + j0 + jr;
                    float* aPanel = packedA + (nint)(i0 + ir) * kc;
                    if (height == mr && width == nr)
                    {
                        MicroKernel(aPanel, bPanel, cTile, n, kc, accumulate);
                        continue;
                    }
                    bool half = _kind == GemmKernelKind.Vector512 && width <= GemmMicroKernel512.Nr / 2;
                    if (half && height == mr && width == GemmMicroKernel512.Nr / 2)
                    {
                        GemmMicroKernel512.RunHalf(aPanel, bPanel, cTile, n, kc, accumulate);
                        continue;
                    }
                    // Edge tile: full (or half) tile into scratch (the panels are zero-padded), then the valid part.
                    if (half) GemmMicroKernel512.RunHalf(aPanel, bPanel, edge, nr, kc, false);
                    else MicroKernel(aPanel, bPanel, edge, nr, kc, false);
                    CopyEdge(edge, nr, cTile, n, height, width, accumulate);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void MicroKernel(float* a, float* b, float* c, nint ldc, int kc, bool accumulate)
        {
            switch (_kind)
            {
                case GemmKernelKind.Vector512: GemmMicroKernel512.Run(a, b, c, ldc, kc, accumulate); break;
                case GemmKernelKind.Vector256: GemmMicroKernel256.Run(a, b, c, ldc, kc, accumulate); break;
                case GemmKernelKind.Vector128: GemmMicroKernel128.Run(a, b, c, ldc, kc, accumulate); break;
                default: GemmMicroKernelScalar.Run(a, b, c, ldc, kc, accumulate); break;
            }
        }
    }
}
