using System.Numerics.Tensors;
using RocketNet.Memory;

namespace RocketNet.Kernels;

/// <summary>
/// Winograd F(2×2, 3×3) weight gradient for 3×3 stride-1 pad-1 geometries on AVX-512 or 128-bit vectors (read the
/// weight-gradient part of <see cref="WinogradF23Reference"/> first: the same algorithm in double). The output
/// gradient's 2×2 tiles are cut into the forward kernel's chunks (tile rows of one image, or whole images), each
/// small enough for its transforms to stay in L2. Per chunk:
/// <code>
/// V[ξ]: [T tiles][C]     input tiles transformed, 16 channels per vector (WinogradF23GradientTransforms.Input)
/// Y'[ξ]: [O][T tiles]    output-gradient tiles transformed, 16 tiles per vector
/// dU[ξ] += Y'[ξ]·V[ξ]    for each of the 16 cells ξ: [O, T]·[T, C], the GEMM micro-kernel, k = the chunk's tiles
/// </code>
/// and once per call dW += Gᵀ·dU·G. The reduction runs over tiles, so V is stored with channels in the lanes — the
/// micro-kernel's B panels of 32 channels — and Y' as row-major A rows, both with no packing. Chunks are summed
/// into a fixed number of groups (each group's chunks in order into its own dU, then the groups in order), chosen
/// from the geometry alone, so the result is bit-identical for any <see cref="Parallelism.ThreadCount"/>.
/// <para>
/// On 128-bit vectors (<see cref="Winograd.Available128"/>: ARM64 NEON, or x64 with the width capped) the transforms
/// are <see cref="WinogradF23GradientTransforms128"/>'s and the reductions <see cref="WinogradCellKernel128"/>'s
/// 8×12 tiles, V in panels of 12 channels. Chunks and groups are cut as on AVX-512 (sized by its 32-channel panels),
/// and every value is summed in the same order, so the two bodies give the same bits.
/// </para>
/// </summary>
internal static unsafe class WinogradF23WeightGradient
{
    private const int Cells = WinogradF23Convolution.Cells;

    /// <summary>Channels per B panel of the AVX-512 micro-kernel (and the padding the chunks are sized for).</summary>
    private const int Panel = Winograd.Panel;

    /// <summary>Rows of Y' per micro-kernel call.</summary>
    private const int RowBlock = Winograd.RowBlock;

    /// <summary>Most partial sums dU: enough to keep every thread busy, few enough to add up cheaply.</summary>
    internal const int MaxGroups = 16;

    /// <summary>
    /// Floats all partial sums together may take (64 MB): wide layers get fewer groups (640 channels each way: 2 of
    /// 6.5 M floats) instead of 16 × 26 MB.
    /// </summary>
    private const int SumBudgetFloats = 1 << 24;

    [ThreadStatic] private static WeightGradientJob? _job;
    [ThreadStatic] private static GemmScratch? _channelsLast; // per-thread channels-last input rows of one chunk
    [ThreadStatic] private static GemmScratch? _transformed; // per-thread V of one chunk
    [ThreadStatic] private static GemmScratch? _gradients; // per-thread Y' of one chunk

    /// <summary>
    /// True when this machine runs the kernel: AVX-512 (<see cref="Winograd.Available"/>) or the GEMM on 128-bit
    /// vectors (<see cref="Winograd.Available128"/>).
    /// </summary>
    public static bool Available => Winograd.Available || Winograd.Available128;

    /// <summary>True for the geometries it computes: 3×3 kernel, stride 1, padding 1.</summary>
    public static bool Applies(in ConvGeometry g) => Winograd.Applies(g);

    /// <summary>
    /// <see cref="Run"/> on spans, checked: gradW += ∂L/∂w. For tests and benchmarks, which call this kernel
    /// directly whatever the dispatcher picks.
    /// </summary>
    /// <exception cref="ArgumentException">Not a 3×3 stride-1 pad-1 geometry, or a span too short.</exception>
    /// <exception cref="PlatformNotSupportedException">The machine has neither AVX-512 nor 128-bit FMA.</exception>
    public static void BackwardWeight(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> gradY,
        Span<float> gradW)
    {
        KernelArguments.CheckConvolution(g, "WinogradF23WeightGradient.BackwardWeight", x.Length, gradW.Length,
            gradY.Length, 0);
        Winograd.CheckGeometry(g, "WinogradF23WeightGradient.BackwardWeight", Available,
            "AVX-512 or 128-bit vectors with FMA");
        fixed (float* xp = x, gp = gradY, wp = gradW)
            Run(g, xp, gp, wp);
    }

    /// <summary>
    /// gradW += ∂L/∂w for a 3×3 stride-1 pad-1 geometry. x: [N, C, H, W], gradY: [N, O, H, W],
    /// gradW: [O, C, 3, 3]. Needs <see cref="Available"/> and <see cref="Applies"/>.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* gradY, float* gradW)
    {
        var job = _job ??= new WeightGradientJob();
        job.Prepare(g, x, gradY);
        int groups = job.Groups, sumLength = job.SumLength;
        float[] sums = BufferPool.Rent(groups * sumLength, clear: false); // [groups][16][O'][C']
        try
        {
            fixed (float* s = sums)
            {
                job.Sums = s;
                if (groups > 1 && Parallelism.ThreadCount > 1) Parallelism.For(groups, job);
                else for (int i = 0; i < groups; i++) job.Run(i);
                var total = new Span<float>(s, sumLength);
                for (int i = 1; i < groups; i++)
                    TensorPrimitives.Add(total, new ReadOnlySpan<float>(s + (nint)i * sumLength, sumLength), total);
                WinogradF23GradientTransforms.Filters(s, gradW, g.OutChannels, job.PaddedOut, g.InChannels,
                    job.PaddedIn);
            }
        }
        finally
        {
            job.Clear();
            BufferPool.Return(sums);
        }
    }

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class WeightGradientJob : ParallelJob
    {
        private WinogradF23Transforms.Shape _shape;
        private ConvGeometry _g;
        private float* _x, _gradY;
        private WinogradF23Chunks _chunks;
        private bool _wide; // the AVX-512 body, else the 128-bit one

        /// <summary>Partial sums dU, one group after another, set by the caller before running.</summary>
        public float* Sums { get; set; }

        /// <summary>Groups of consecutive chunks: one partial dU each.</summary>
        public int Groups { get; private set; }

        /// <summary>Output channels rounded up to the micro-kernel's 8 rows.</summary>
        public int PaddedOut { get; private set; }

        /// <summary>Input channels rounded up to the micro-kernel's 32 columns (12 on 128-bit vectors).</summary>
        public int PaddedIn { get; private set; }

        /// <summary>Floats of one partial dU: [16][PaddedOut][PaddedIn].</summary>
        public int SumLength => Cells * PaddedOut * PaddedIn;

        public void Prepare(in ConvGeometry g, float* x, float* gradY)
        {
            _g = g; _x = x; _gradY = gradY;
            _shape = new WinogradF23Transforms.Shape(g.Height, g.Width);
            PaddedOut = Winograd.PaddedRows(g.OutChannels);
            _wide = Winograd.Available;
            int panel = _wide ? Panel : WinogradF23GradientTransforms128.Panel;
            PaddedIn = (g.InChannels + panel - 1) / panel * panel;
            // Per tile: 16 cells of V and Y', and about 4 channels-last input cells. Chunks and groups are sized
            // for the AVX-512 panels on either width, so that both sum in the same order.
            int widePaddedIn = (g.InChannels + Panel - 1) / Panel * Panel;
            int bytesPerTile = sizeof(float) * (Cells * (widePaddedIn + PaddedOut) + 4 * widePaddedIn);
            int target = Math.Max(Panel, Winograd.ChunkBytes / bytesPerTile);
            _chunks = new WinogradF23Chunks(_shape, g.Batch, target);
            int wideSumLength = Cells * PaddedOut * widePaddedIn;
            Groups = Math.Min(_chunks.Count, Math.Clamp(SumBudgetFloats / wideSumLength, 1, MaxGroups));
        }

        public void Clear() { _x = _gradY = null; Sums = null; }

        /// <summary>Group = chunks [first, end): their dU summed in chunk order into the group's partial.</summary>
        public override void Run(int index)
        {
            int chunks = _chunks.Count;
            int first = (int)((long)index * chunks / Groups), end = (int)((long)(index + 1) * chunks / Groups);
            float* sums = Sums + (nint)index * SumLength;
            for (int chunk = first; chunk < end; chunk++) Accumulate(chunk, sums, accumulate: chunk != first);
        }

        /// <summary>Chunk = images [n0, n1) × tile rows [ty0, ty1) of each: transforms, 16 GEMMs into dU.</summary>
        private void Accumulate(int chunk, float* sums, bool accumulate)
        {
            var g = _g;
            _chunks.Range(chunk, out int n0, out int n1, out int ty0, out int ty1);
            int tileRows = ty1 - ty0, perImage = tileRows * _shape.TilesX, tiles = (n1 - n0) * perImage;
            int paddedIn = PaddedIn, paddedOut = PaddedOut, planeLength = g.Height * g.Width;
            nint vCell = (nint)paddedIn * tiles + Winograd.CellSkew;
            nint yCell = (nint)paddedOut * tiles + Winograd.CellSkew;
            int blockRows = 2 * tileRows + 2;
            nint blockLength = (nint)blockRows * WinogradF23GradientTransforms.ColumnsLast(g.Width) * paddedIn;
            float* v = (_transformed ??= new GemmScratch()).Ensure((int)(Cells * vCell));
            float* y = (_gradients ??= new GemmScratch()).Ensure((int)(Cells * yCell));
            float* block = (_channelsLast ??= new GemmScratch()).Ensure((int)blockLength);

            for (int n = n0; n < n1; n++)
            {
                float* image = _x + (long)n * g.InChannels * planeLength;
                int t0 = (n - n0) * perImage;
                if (_wide)
                {
                    WinogradF23GradientTransforms.ChannelsLast(image, g.InChannels, paddedIn, g.Height, g.Width,
                        2 * ty0 - 1, blockRows, block);
                    WinogradF23GradientTransforms.Input(block, g.Width, paddedIn, tileRows, _shape.TilesX, v, t0,
                        tiles, vCell);
                }
                else
                {
                    WinogradF23GradientTransforms128.ChannelsLast(image, g.InChannels, paddedIn, g.Height, g.Width,
                        2 * ty0 - 1, blockRows, block);
                    WinogradF23GradientTransforms128.Input(block, g.Width, paddedIn, tileRows, _shape.TilesX, v, t0,
                        tiles, vCell);
                }
                for (int o = 0; o < g.OutChannels; o++)
                {
                    float* plane = _gradY + ((long)n * g.OutChannels + o) * planeLength;
                    float* rows = y + (nint)o * tiles + t0;
                    if (_wide) WinogradF23GradientTransforms.OutputGradient(_shape, plane, ty0, ty1, rows, yCell);
                    else WinogradF23GradientTransforms128.OutputGradient(_shape, plane, ty0, ty1, rows, yCell);
                }
            }
            // Rows of Y' past O are multiplied too (8 per call): zeros, not stale values.
            if (paddedOut != g.OutChannels)
                for (int cell = 0; cell < Cells; cell++)
                    new Span<float>(y + cell * yCell + (nint)g.OutChannels * tiles,
                        (paddedOut - g.OutChannels) * tiles).Clear();

            for (int cell = 0; cell < Cells; cell++)
            {
                float* cellY = y + cell * yCell, cellV = v + cell * vCell;
                float* cellSums = sums + (nint)cell * paddedOut * paddedIn;
                if (_wide)
                {
                    for (int o = 0; o < paddedOut; o += RowBlock)
                        for (int c = 0; c < paddedIn; c += Panel)
                            GemmMicroKernel512.RunRows(cellY + (nint)o * tiles, tiles, cellV + (nint)c * tiles,
                                cellSums + (nint)o * paddedIn + c, paddedIn, tiles, accumulate);
                    continue;
                }
                const int panel = WinogradF23GradientTransforms128.Panel;
                for (int o = 0; o < paddedOut; o += WinogradCellKernel128.Mr)
                    for (int c = 0; c < paddedIn; c += panel)
                        WinogradCellKernel128.Run(cellY + (nint)o * tiles, tiles, cellV + (nint)c * tiles,
                            cellSums + (nint)o * paddedIn + c, paddedIn, tiles, accumulate);
            }
        }
    }
}
