using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Implicit-GEMM convolution for stride-1 "same size" geometries (OH = H, OW = W, e.g. 3×3 pad 1), the bulk
/// of a Wide-ResNet: y[n] (+)= W·im2col(x[n]) without ever writing im2col. The weights are packed into GEMM
/// A panels once per call; each parallel tile (an image × a run of output columns) packs its B micro-panels
/// [kc][32] straight from the image (<see cref="ImplicitPanelPacking"/>) and runs the AVX-512 micro-kernel.
/// One pass over the image data instead of im2col + GEMM packing, and no per-image GEMM dispatch.
/// The tile grid and every sum's order depend only on the geometry, so results are bit-identical for
/// any <see cref="Parallelism.ThreadCount"/>.
/// </summary>
internal static unsafe class ImplicitConvolution
{
    /// <summary>Output columns per parallel tile (a multiple of the micro-kernel width).</summary>
    private const int ColumnTile = 128;

    [ThreadStatic] private static ConvolutionJob? _job;
    [ThreadStatic] private static GemmScratch? _panelB; // per-thread B micro-panel [kc][Nr]

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
        private const int Mr = GemmMicroKernel512.Mr, Nr = GemmMicroKernel512.Nr;

        private readonly GemmScratch _packedA = new();
        private ConvGeometry _g;
        private float* _x, _bias, _y;
        private int _m, _k, _kcStep, _slabs, _outPlane, _mPadded;
        private bool _accumulate;

        /// <summary>Parallel tiles per image: ⌈OH·OW / ColumnTile⌉.</summary>
        public int TilesPerImage { get; private set; }

        public void Prepare(in ConvGeometry g, float* x, float* w, float* bias, float* y, bool accumulate)
        {
            _g = g; _x = x; _bias = bias; _y = y; _accumulate = accumulate;
            _m = g.OutChannels; _k = g.PatchLength; _outPlane = g.OutHeight * g.OutWidth;
            TilesPerImage = (_outPlane + ColumnTile - 1) / ColumnTile;
            // Balanced k slabs, as the GEMM driver does: k = 576 becomes 3 x 192.
            _slabs = (_k + GemmDriver.KcMax - 1) / GemmDriver.KcMax;
            _kcStep = (_k + _slabs - 1) / _slabs;
            _mPadded = (_m + Mr - 1) / Mr * Mr;
            // Packed A: slab s at mPadded·pc, row panel i at i·kc inside it (the driver's single-dispatch layout).
            float* packed = _packedA.Ensure(_mPadded * _k);
            for (int pc = 0; pc < _k; pc += _kcStep)
            {
                int kc = Math.Min(_kcStep, _k - pc);
                GemmPacking.PackA(w, _m, _k, false, 0, _m, pc, kc, Mr, packed + (nint)_mPadded * pc);
            }
        }

        public void Clear() { _x = _bias = _y = null; }

        /// <summary>Tile = image index / TilesPerImage, columns [tile·ColumnTile, +ColumnTile) of its output.</summary>
        [SkipLocalsInit]
        public override void Run(int index)
        {
            int image = index / TilesPerImage, j0 = index % TilesPerImage * ColumnTile;
            int cols = Math.Min(ColumnTile, _outPlane - j0), m = _m, outPlane = _outPlane;
            float* panel = (_panelB ??= new GemmScratch()).Ensure(GemmDriver.KcMax * Nr);
            float* edge = stackalloc float[Mr * Nr];
            float* imageX = _x + (long)image * _g.InChannels * _g.Height * _g.Width;
            float* imageY = _y + (long)image * m * outPlane;
            var packer = new ImplicitPanelPacking(_g);

            for (int jr = 0; jr < cols; jr += Nr)
            {
                int p0 = j0 + jr, width = Math.Min(Nr, cols - jr);
                packer.SetColumns(p0, width);
                for (int slab = 0; slab < _slabs; slab++)
                {
                    int pc = slab * _kcStep, kc = Math.Min(_kcStep, _k - pc);
                    bool accumulate = _accumulate || slab > 0;
                    packer.Pack(imageX, pc, kc, panel);
                    float* slabA = _packedA.Pointer + (nint)_mPadded * pc;
                    for (int ir = 0; ir < m; ir += Mr)
                    {
                        int height = Math.Min(Mr, m - ir);
                        float* cTile = imageY + (nint)ir * outPlane + p0;
                        if (height == Mr && width == Nr)
                        {
                            GemmMicroKernel512.Run(slabA + (nint)ir * kc, panel, cTile, outPlane, kc, accumulate);
                            continue;
                        }
                        // Edge tile: full tile into scratch (the panels are zero-padded), then the valid part.
                        GemmMicroKernel512.Run(slabA + (nint)ir * kc, panel, edge, Nr, kc, false);
                        for (int r = 0; r < height; r++)
                        {
                            float* cRow = cTile + (nint)r * outPlane, eRow = edge + r * Nr;
                            if (accumulate)
                                for (int j = 0; j < width; j++) cRow[j] += eRow[j];
                            else
                                for (int j = 0; j < width; j++) cRow[j] = eRow[j];
                        }
                    }
                }
            }
            if (_bias != null)
            {
                for (int o = 0; o < m; o++)
                {
                    float b = _bias[o];
                    float* row = imageY + (nint)o * outPlane + j0;
                    for (int j = 0; j < cols; j++) row[j] += b;
                }
            }
        }
    }
}
