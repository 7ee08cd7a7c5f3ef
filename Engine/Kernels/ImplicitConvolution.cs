using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Implicit-GEMM convolution for stride-1 "same size" geometries (OH = H, OW = W, e.g. 3×3 pad 1), the bulk
/// of a Wide-ResNet: y[n] (+)= W·im2col(x[n]) without ever writing im2col or a packed B panel. The weights are
/// packed into [k][16] panels (k in <see cref="ImplicitTapLayout"/>'s order) once per call; each parallel tile
/// (an image × a run of output positions) runs <see cref="ImplicitMicroKernel"/>, which reads the image
/// through per-tap lane masks. Because the output
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
    /// y (+)= conv(x, w) (+ bias). x: [N, C, H, W], w: [O, C·KH·KW] row-major, bias: [O] or null,
    /// y: [N, O, OH, OW]; overwritten unless <paramref name="accumulate"/>. Needs <see cref="Available"/>.
    /// Same-size and pointwise geometries read x directly; strided ones whose rows are phase planes
    /// (<see cref="StridePhases"/>) split one image at a time into per-thread scratch; any other geometry unfolds
    /// one image at a time (one tile per image) and runs the same kernel over it with all lanes valid.
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

        private readonly GemmScratch _packedA = new(); // [⌈O/16⌉][k in the layout's order][16]
        private readonly GemmScratch _rowOrderA = new(); // the same panels with k in row order, before reordering
        private readonly GemmScratch _masks = new();   // [taps][plane rounded up to 16]: all ones = lane valid
        private int[] _tapTable = [];                  // [2][taps]: source offset, then mask offset, of each tap
        private byte[] _laneStates = [];               // [taps][plane / 16 rounded up]: each 16-lane block's state
        private ConvGeometry _g;
        private float* _x, _bias, _y;
        private ImplicitTapLayout _layout;
        private int _m, _k, _plane, _columnTile;
        private bool _accumulate, _unfold, _split;

        /// <summary>Parallel tiles per image: ⌈OH·OW / column tile⌉.</summary>
        public int TilesPerImage { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the mask loop runs once per call; tiered code is slow
        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate;
            _m = g.OutChannels; _k = g.PatchLength; _plane = g.OutHeight * g.OutWidth;
            bool phases = StridePhases.Applies(g);
            _split = phases && g.StrideH > 1;
            _unfold = !phases && !IsPointwise(g);
            // An unfolded or split image is used by one tile, so that tile covers the whole output plane.
            _columnTile = _unfold || _split ? _plane : ColumnTile;
            TilesPerImage = (_plane + _columnTile - 1) / _columnTile;

            // Phases: row (c, tap) reads (phase) plane c at the tap's shift under the tap's mask. Otherwise the
            // (given or unfolded) im2col matrix is read as is: k "channels" of one tap, valid up to the plane's end.
            int planePadded = (_plane + Nr - 1) / Nr * Nr;
            int taps = phases ? g.KernelHeight * g.KernelWidth : 1;
            if (_tapTable.Length < 2 * taps) _tapTable = GC.AllocateUninitializedArray<int>(2 * taps, pinned: true);
            int* tapSource = (int*)Unsafe.AsPointer(ref _tapTable[0]), tapMask = tapSource + taps; // pinned array
            _layout = new ImplicitTapLayout(tapSource, tapMask, taps, _k / taps,
                phases ? StridePhases.ChannelStride(g) : _plane);
            int packedLength = (_m + Mr - 1) / Mr * Mr * _k;
            _layout.PackWeights(w, _m, _rowOrderA.Ensure(packedLength), _packedA.Ensure(packedLength));
            uint* masks = (uint*)_masks.Ensure(taps * planePadded);
            if (phases)
            {
                StridePhases.BuildTaps(g, tapSource, tapMask, masks, planePadded);
            }
            else
            {
                for (int p = 0; p < planePadded; p++) masks[p] = p < _plane ? uint.MaxValue : 0u;
                tapSource[0] = 0; tapMask[0] = 0;
            }
            int blocks = taps * planePadded / Nr;
            if (_laneStates.Length < blocks) _laneStates = GC.AllocateUninitializedArray<byte>(blocks, pinned: true);
            ClassifyLanes(masks, blocks, _laneStates);
        }

        /// <summary>states[b] = the <see cref="ImplicitMicroKernel"/> lane state of masks[16·b .. 16·b + 16).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per call; tiered code is slow
        private static void ClassifyLanes(uint* masks, int blocks, byte[] states)
        {
            for (int block = 0; block < blocks; block++)
            {
                var lanes = Vector512.Load(masks + (nint)block * Nr);
                states[block] = lanes == Vector512<uint>.AllBitsSet ? ImplicitMicroKernel.AllLanes
                    : lanes == Vector512<uint>.Zero ? ImplicitMicroKernel.NoLanes : ImplicitMicroKernel.SomeLanes;
            }
        }

        public void Clear() { _x = _bias = _y = null; }

        /// <summary>Tile = image index / TilesPerImage, positions [tile·columnTile, +columnTile) of its output.</summary>
        [SkipLocalsInit]
        public override void Run(int index)
        {
            int image = index / TilesPerImage, j0 = index % TilesPerImage * _columnTile;
            int cols = Math.Min(_columnTile, _plane - j0), m = _m, k = _k, plane = _plane;
            float* edge = stackalloc float[Mr * Nr];
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
                StridePhases.Split(g, imageX, phases); // [C, s, s, OH, OW]
                imageX = phases;
            }
            float* imageY = _y + (long)image * m * plane;
            byte* laneStates = (byte*)Unsafe.AsPointer(ref _laneStates[0]); // pinned array
            // Weight panel outermost: the tile's input window stays in L1 and the panel (k × 16 floats) is read in
            // order, from L1 or, past 48 KB of panel and window, through the prefetchers from L2.
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
                        ImplicitMicroKernel.Run(aPanel, imageX + p0, _masks.Pointer + p0, laneStates + p0 / Nr, _layout,
                            yTile, plane, _accumulate);
                        continue;
                    }
                    // Edge tile: full tile into scratch (padded weights and masked lanes are zero), then the valid part.
                    ImplicitMicroKernel.Run(aPanel, imageX + p0, _masks.Pointer + p0, laneStates + p0 / Nr, _layout,
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
