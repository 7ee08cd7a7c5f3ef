using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// What the Winograd kernels (<see cref="WinogradF23Convolution"/>, <see cref="WinogradF43Convolution"/>,
/// <see cref="WinogradF23WeightGradient"/>) share: the geometry they compute, the machine they need, the checks of
/// their span entry points, the chunk and cell-layout constants, the per-thread scratch of the forward kernels and
/// the channel reductions of each Winograd cell on the GEMM micro-kernel.
/// </summary>
internal static unsafe class Winograd
{
    /// <summary>Tiles (forward) or channels (weight gradient) per B panel of the micro-kernel.</summary>
    internal const int Panel = GemmMicroKernel512.Nr;

    /// <summary>Rows of U (forward) or of Y' (weight gradient) per micro-kernel call.</summary>
    internal const int RowBlock = GemmMicroKernel512.Mr;

    /// <summary>
    /// Bytes of one chunk's transformed operands aimed at: they stay in the 2 MB L2 between the transform that
    /// writes them and the pass that reads them, with room left for the image rows and U.
    /// </summary>
    internal const int ChunkBytes = 512 * 1024;

    /// <summary>
    /// Floats added between the cells of a transformed operand. The transforms touch all cells of a tile at once;
    /// cells a multiple of 4 KB apart (as C·T floats often is) would all fall into one L1 set and evict each other,
    /// so each cell starts one cache line further along.
    /// </summary>
    internal const int CellSkew = 16;

    [ThreadStatic] private static GemmScratch? _transformed; // per-thread V of one forward chunk
    [ThreadStatic] private static GemmScratch? _products; // per-thread M of one forward chunk

    /// <summary>True when this machine runs the kernels (AVX-512: masked loads and stores, 2-source permutes).
    /// </summary>
    public static bool Available => Gemm.PackedKind == GemmKernelKind.Vector512 && Avx512F.IsSupported;

    /// <summary>
    /// True when the GEMM runs on 128-bit vectors with FMA (ARM64 NEON, or x64 with the width capped at 128): the
    /// machines on which <see cref="WinogradF43Convolution"/> runs its 128-bit body, four images per vector.
    /// </summary>
    public static bool Available128 => Gemm.PackedKind == GemmKernelKind.Vector128 && (Sse.IsSupported
        || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported);

    /// <summary>True for the geometries they compute: 3×3 kernel, stride 1, padding 1.</summary>
    public static bool Applies(in ConvGeometry g) =>
        g.KernelHeight == 3 && g.KernelWidth == 3 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 1 && g.PadW == 1;

    /// <summary>
    /// The checks of a forward kernel's span entry point (<paramref name="entry"/>, "Kernel.Forward", names it in
    /// the messages): the spans' lengths against the geometry (residual 0 for none), then the geometry and the
    /// machine (<paramref name="available"/>: the kernel runs here; <paramref name="machine"/>: what it needs).
    /// Allocates nothing unless it throws.
    /// </summary>
    internal static void CheckForward(in ConvGeometry g, string entry, int x, int w, int bias, int y, int residual,
        bool available, string machine = "AVX-512")
    {
        KernelArguments.CheckConvolution(g, entry, x, w, y, bias);
        if (residual != 0) KernelArguments.RequireLength(residual, g.OutputLength, entry, "residual");
        CheckGeometry(g, entry, available, machine);
    }

    /// <summary>A 3×3 stride-1 pad-1 geometry on a machine with AVX-512, or an exception naming the kernel.</summary>
    /// <exception cref="ArgumentException">Not a 3×3 stride-1 pad-1 geometry.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine has no AVX-512.</exception>
    internal static void CheckGeometry(in ConvGeometry g, string entry) =>
        CheckGeometry(g, entry, Available, "AVX-512");

    /// <summary>
    /// A 3×3 stride-1 pad-1 geometry on a machine the kernel runs on (<paramref name="available"/>), or an exception
    /// naming the kernel and what it needs (<paramref name="machine"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Not a 3×3 stride-1 pad-1 geometry.</exception>
    /// <exception cref="PlatformNotSupportedException">The kernel does not run on this machine.</exception>
    internal static void CheckGeometry(in ConvGeometry g, string entry, bool available, string machine)
    {
        if (!Applies(g))
        {
            throw new ArgumentException(
                $"{entry[..entry.IndexOf('.')]} needs a 3×3 stride-1 pad-1 convolution, got {g}.");
        }
        if (!available) throw new PlatformNotSupportedException($"{entry[..entry.IndexOf('.')]} needs {machine}.");
    }

    /// <summary>Runs a job's chunks, in parallel when there are enough to keep every thread busy.</summary>
    internal static void RunChunks(ParallelJob job, int chunks)
    {
        if (chunks >= Parallelism.ThreadCount && Parallelism.ThreadCount > 1) Parallelism.For(chunks, job);
        else for (int i = 0; i < chunks; i++) job.Run(i);
    }

    /// <summary><paramref name="count"/> rounded up to the micro-kernel's <see cref="RowBlock"/> rows.</summary>
    internal static int PaddedRows(int count) => (count + RowBlock - 1) / RowBlock * RowBlock;

    /// <summary>This thread's V of one forward chunk, at least <paramref name="length"/> floats.</summary>
    internal static float* Transformed(int length) => (_transformed ??= new GemmScratch()).Ensure(length);

    /// <summary>This thread's M of one forward chunk, at least <paramref name="length"/> floats.</summary>
    internal static float* Products(int length) => (_products ??= new GemmScratch()).Ensure(length);

    /// <summary>
    /// Zeros the last B panel (<paramref name="panel"/> tiles wide) of every cell of V from tile
    /// <paramref name="tiles"/> on: the micro-kernel multiplies the panel's lanes past the last tile too, and they
    /// must be zeros, not stale NaNs.
    /// </summary>
    internal static void ClearPanelTail(float* v, int cells, nint vCell, int tiles, int paddedTiles, int inChannels,
        int panel = Panel)
    {
        if (paddedTiles == tiles) return;
        for (int cell = 0; cell < cells; cell++)
            new Span<float>(v + cell * vCell + (nint)(paddedTiles - panel) * inChannels, panel * inChannels).Clear();
    }

    /// <summary>
    /// M[ξ] = U[ξ]·V[ξ] for each of the <paramref name="cells"/> cells ξ: U[ξ] rows [outRows, C] (outRows a multiple
    /// of <see cref="RowBlock"/>), V[ξ] the micro-kernel's B panels of <see cref="Panel"/> tiles per channel, M[ξ]
    /// rows [outRows, paddedTiles]; cells <paramref name="uCell"/>, <paramref name="vCell"/>,
    /// <paramref name="mCell"/> floats apart. When at most half of the last panel holds tiles
    /// (<paramref name="tiles"/>, all of them by default), that panel runs on the half-width micro-kernel and M's
    /// columns past its first half are left unwritten: one image of 8×8 has 16 tiles, and a full panel there doubles
    /// the multiplications. The half kernel runs the full one's FMAs on the columns it covers, so M's bits are the
    /// same.
    /// </summary>
    internal static void MultiplyCells(float* u, nint uCell, float* v, nint vCell, float* m, nint mCell, int cells,
        int outRows, int inChannels, int paddedTiles, int tiles = int.MaxValue)
    {
        int lastPanel = paddedTiles - Panel;
        bool halfLast = tiles - lastPanel <= Panel / 2;
        for (int cell = 0; cell < cells; cell++)
        {
            float* cellU = u + cell * uCell, cellV = v + cell * vCell, cellM = m + cell * mCell;
            for (int p = 0; p < paddedTiles; p += Panel)
                for (int o = 0; o < outRows; o += RowBlock)
                {
                    float* a = cellU + (nint)o * inChannels, b = cellV + (nint)p * inChannels;
                    float* c = cellM + (nint)o * paddedTiles + p;
                    if (halfLast && p == lastPanel)
                        GemmMicroKernel512.RunHalfRows(a, inChannels, b, c, paddedTiles, inChannels, accumulate: false);
                    else GemmMicroKernel512.RunRows(a, inChannels, b, c, paddedTiles, inChannels, accumulate: false);
                }
        }
    }

    /// <summary>
    /// <see cref="MultiplyCells"/> on 128-bit vectors (<see cref="Available128"/>): V[ξ] in panels of
    /// <see cref="WinogradCellKernel128.Nr"/> tiles per channel, outRows a multiple of 8 as there.
    /// </summary>
    internal static void MultiplyCells128(float* u, nint uCell, float* v, nint vCell, float* m, nint mCell,
        int cells, int outRows, int inChannels, int paddedTiles)
    {
        const int panel = WinogradCellKernel128.Nr, rows = WinogradCellKernel128.Mr;
        for (int cell = 0; cell < cells; cell++)
        {
            float* cellU = u + cell * uCell, cellV = v + cell * vCell, cellM = m + cell * mCell;
            for (int p = 0; p < paddedTiles; p += panel)
                for (int o = 0; o < outRows; o += rows)
                    WinogradCellKernel128.Run(cellU + (nint)o * inChannels, inChannels, cellV + (nint)p * inChannels,
                        cellM + (nint)o * paddedTiles + p, paddedTiles, inChannels, accumulate: false);
        }
    }
}
