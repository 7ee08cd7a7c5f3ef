using System.Numerics.Tensors;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Implicit-GEMM convolution for stride-1 "same size" geometries (OH = H, OW = W, e.g. 3×3 pad 1), the bulk
/// of a Wide-ResNet: y[n] (+)= W·im2col(x[n]) without ever writing im2col or a packed B panel. The weights are
/// packed into [k][16] panels (k in <see cref="ImplicitTapLayout"/>'s order) once per call
/// (<see cref="ImplicitTapSet"/>); each parallel tile (an image × a run of output positions) runs
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

    [ThreadStatic] private static GemmScratch? _unfolded; // per-thread im2col or phase split of one image

    /// <summary>True when this machine runs the implicit kernels (AVX-512 with masked loads).</summary>
    public static bool Available => Gemm.PackedKind == GemmKernelKind.Vector512 && Avx512F.IsSupported;

    /// <summary>True for stride-1 same-size geometries, whose im2col rows are shifted input planes.</summary>
    public static bool IsSameSize(in ConvGeometry g) =>
        g.StrideH == 1 && g.StrideW == 1 && g.OutHeight == g.Height && g.OutWidth == g.Width;

    /// <summary>True for 1×1 stride-1 unpadded geometries, whose input image already is the im2col matrix.</summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelHeight == 1 && g.KernelWidth == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    /// <summary>
    /// y (+)= conv(x, w) (+ bias) (+ residual). x: [N, C, H, W], w: [O, C·KH·KW] row-major, bias: [O] or null,
    /// y: [N, O, OH, OW]; overwritten unless <paramref name="accumulate"/>; residual: y's shape or null, added to
    /// each finished tile while it is in cache (conv + residual, the same sum as a separate add afterwards).
    /// Needs <see cref="Available"/>.
    /// Same-size and pointwise geometries read x directly; strided ones whose rows are phase planes
    /// (<see cref="StridePhases"/>) split one image at a time into per-thread scratch (for 1×1 kernels just
    /// phase (0, 0), channels back to back); any other geometry unfolds one image at a time (one tile per
    /// image) and runs the same kernel over it with all lanes valid.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
        float* residual = null) => Run(g, x, w, bias, y, accumulate, residual, prepared: null);

    /// <summary>
    /// <see cref="Run(in ConvGeometry, float*, float*, float*, float*, bool, float*)"/> with the weights already
    /// packed: <paramref name="prepared"/> from <see cref="PrepareTaps"/> for this geometry (any batch), which w is
    /// then not read for; null packs w now.
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate,
        float* residual, ImplicitTapSet? prepared)
    {
        var job = _job ??= new ConvolutionJob();
        job.Prepare(g, x, w, bias, y, accumulate, residual, prepared);
        int tiles = g.Batch * job.TilesPerImage;
        if (tiles >= Parallelism.ThreadCount && Parallelism.ThreadCount > 1) Parallelism.For(tiles, job);
        else for (int i = 0; i < tiles; i++) job.Run(i);
        job.Clear();
    }

    /// <summary>
    /// The tap set of <paramref name="g"/> (its batch is ignored) with w: [O, C·KH·KW] packed, built once so that
    /// calls on the same weights skip the packing (<see cref="Run(in ConvGeometry, float*, float*, float*, float*,
    /// bool, float*, ImplicitTapSet?)"/>); calls only read it, so any number may share it.
    /// </summary>
    public static ImplicitTapSet PrepareTaps(in ConvGeometry g, float* w)
    {
        var taps = new ImplicitTapSet();
        FillTaps(g, w, taps);
        return taps;
    }

    /// <summary>
    /// Sets every tap of <paramref name="g"/> in <paramref name="taps"/> and packs w. Phases: row (c, tap) reads
    /// (phase) plane c at the tap's shift under the tap's mask. Otherwise the (given or unfolded) im2col matrix is
    /// read as is: k "channels" of one tap, valid up to the plane's end.
    /// </summary>
    private static void FillTaps(in ConvGeometry g, float* w, ImplicitTapSet taps)
    {
        bool phases = StridePhases.Applies(g);
        int plane = g.OutHeight * g.OutWidth, count = phases ? g.KernelHeight * g.KernelWidth : 1;
        taps.Prepare(count, g.PatchLength / count, phases ? StridePhases.CompactChannelStride(g) : plane, plane);
        if (phases)
        {
            for (int tap = 0; tap < count; tap++)
            {
                StridePhases.Shift(g, tap, out int phase, out int di, out int dj);
                taps.SetShiftedTap(tap, phase * plane + di * g.OutWidth + dj, di, dj, g.OutHeight, g.OutWidth);
            }
        }
        else
        {
            taps.SetDenseTap();
        }
        taps.Pack(w, g.OutChannels);
    }

    /// <summary>One call's state, cached per calling thread so steady-state calls allocate nothing.</summary>
    private sealed class ConvolutionJob : ParallelJob
    {
        private readonly ImplicitTapSet _ownTaps = new(); // weights packed in tap order, tap shifts and lane masks
        private ImplicitTapSet _taps = null!; // _ownTaps or a prepared set
        private ConvGeometry _g;
        private float* _x, _bias, _y, _residual;
        private int _k, _plane, _columnTile;
        private bool _accumulate, _unfold, _split;

        /// <summary>Parallel tiles per image: ⌈OH·OW / column tile⌉.</summary>
        public int TilesPerImage { get; private set; }

        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y,
            bool accumulate, float* residual, ImplicitTapSet? prepared)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate; _residual = residual;
            _k = g.PatchLength; _plane = g.OutHeight * g.OutWidth;
            bool phases = StridePhases.Applies(g);
            _split = phases && g.StrideH > 1;
            _unfold = !phases && !IsPointwise(g);
            // An unfolded or split image is used by one tile, so that tile covers the whole output plane.
            _columnTile = _unfold || _split ? _plane : ColumnTile;
            TilesPerImage = (_plane + _columnTile - 1) / _columnTile;
            _taps = prepared ?? _ownTaps;
            if (prepared is null) FillTaps(g, w, _ownTaps);
        }

        public void Clear() { _x = _bias = _y = _residual = null; _taps = _ownTaps; }

        /// <summary>
        /// Tile = image index / TilesPerImage, positions [tile·columnTile, +columnTile) of its output.
        /// </summary>
        public override void Run(int index)
        {
            int image = index / TilesPerImage, j0 = index % TilesPerImage * _columnTile;
            int cols = Math.Min(_columnTile, _plane - j0), m = _taps.M, k = _k, plane = _plane;
            var g = _g;
            float* imageX = _x + (long)image * g.InChannels * g.Height * g.Width;
            if (_unfold)
            {
                float* col = (_unfolded ??= new GemmScratch()).Ensure(k * plane); // [C·KH·KW, OH·OW]
                Im2Col.Unfold(g, new ReadOnlySpan<float>(imageX, g.InChannels * g.Height * g.Width),
                    new Span<float>(col, k * plane));
                imageX = col;
            }
            else if (_split)
            {
                float* phases = (_unfolded ??= new GemmScratch()).Ensure(g.InChannels * g.Height * g.Width);
                // [C, s, s, OH, OW] or [C, OH, OW]
                StridePhases.Split(g, imageX, phases, StridePhases.CompactChannelStride(g));
                imageX = phases;
            }
            float* imageY = _y + (long)image * m * plane;
            _taps.Multiply(imageX, imageY, plane, j0, cols, _accumulate);
            if (_bias != null)
            {
                for (int o = 0; o < m; o++)
                {
                    var row = new Span<float>(imageY + (nint)o * plane + j0, cols);
                    TensorPrimitives.Add(row, _bias[o], row);
                }
            }
            if (_residual != null)
            {
                float* imageResidual = _residual + (long)image * m * plane;
                for (int o = 0; o < m; o++)
                {
                    var row = new Span<float>(imageY + (nint)o * plane + j0, cols);
                    TensorPrimitives.Add(row, new ReadOnlySpan<float>(imageResidual + (nint)o * plane + j0, cols), row);
                }
            }
        }
    }
}
