using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// One implicit-GEMM product prepared for <see cref="ImplicitMicroKernel"/>: y[m, plane] (+)= W[m, channels·taps]
/// · rows, where row (c, tap) is input plane c read at the tap's constant flat offset under the tap's lane
/// masks. Holds the weights packed in <see cref="ImplicitTapLayout"/>'s order, the tap table, the masks and
/// each 16-lane block's state. Filled once per call (<see cref="Prepare"/>, a <see cref="SetShiftedTap"/> or
/// <see cref="SetDenseTap"/> per tap, then <see cref="Pack"/>); parallel tiles then only read it
/// (<see cref="Multiply"/>). The taps are arbitrary shifts within an output-shaped plane, so the same
/// machinery serves the forward convolution (phase planes of x) and the phase-wise input gradient (gradY
/// read at negated shifts).
/// </summary>
/// <remarks>
/// The per-tap and per-block loops that fill it carry <see cref="MethodImplOptions.AggressiveOptimization"/>:
/// they run once per call, so the tiered JIT's unoptimised first code would serve many calls and is slow.
/// </remarks>
internal sealed unsafe class ImplicitTapSet
{
    private const int Mr = ImplicitMicroKernel.Mr, Nr = ImplicitMicroKernel.Nr;

    private readonly GemmScratch _packedA = new();   // [⌈m/16⌉][k in the layout's order][16]
    private readonly GemmScratch _rowOrderA = new(); // the same panels with k in row order, before reordering
    private readonly GemmScratch _masks = new();     // [taps][plane rounded up to 16]: all ones = lane valid
    private int[] _tapTable = [];                    // [2][taps]: source offset, then mask offset, of each tap
    private byte[] _laneStates = [];                 // [taps][plane / 16 rounded up]: each 16-lane block's state
    private ImplicitTapLayout _layout;
    private int _m, _plane, _planePadded;

    /// <summary>Rows of the weights (output channels of the product), set by <see cref="Pack"/>.</summary>
    public int M => _m;

    /// <summary>
    /// Sizes the tables for <paramref name="taps"/> taps over <paramref name="channels"/> input planes
    /// <paramref name="channelStride"/> floats apart, producing a <paramref name="plane"/>-position output.
    /// Every tap must then be set before <see cref="Pack"/>.
    /// </summary>
    public void Prepare(int taps, int channels, int channelStride, int plane)
    {
        _plane = plane;
        _planePadded = (plane + Nr - 1) / Nr * Nr;
        if (_tapTable.Length < 2 * taps) _tapTable = GC.AllocateUninitializedArray<int>(2 * taps, pinned: true);
        int* tapSource = (int*)Unsafe.AsPointer(ref _tapTable[0]); // pinned array
        _layout = new ImplicitTapLayout(tapSource, tapSource + taps, taps, channels, channelStride);
        _masks.Ensure(taps * _planePadded);
        int blocks = taps * _planePadded / Nr;
        if (_laneStates.Length < blocks) _laneStates = GC.AllocateUninitializedArray<byte>(blocks, pinned: true);
    }

    /// <summary>
    /// Tap <paramref name="tap"/> reads, for output position (i, j) of an <paramref name="outHeight"/> ×
    /// <paramref name="outWidth"/> plane, channel 0's float at <paramref name="source"/> + i·outWidth + j, which
    /// is the input plane's (i + di, j + dj): valid only where that stays inside the plane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SetShiftedTap(int tap, int source, int di, int dj, int outHeight, int outWidth)
    {
        uint* lanes = (uint*)_masks.Pointer + (nint)tap * _planePadded;
        _layout.TapSource[tap] = source;
        _layout.TapMask[tap] = tap * _planePadded;
        for (int i = 0; i < outHeight; i++, lanes += outWidth)
        {
            bool rowInside = (uint)(i + di) < (uint)outHeight;
            for (int j = 0; j < outWidth; j++)
                lanes[j] = rowInside && (uint)(j + dj) < (uint)outWidth ? uint.MaxValue : 0u;
        }
        for (int p = outHeight * outWidth; p < _planePadded; p++, lanes++) *lanes = 0u;
    }

    /// <summary>The single tap of a matrix read as is (an unfolded im2col matrix): every position valid.</summary>
    public void SetDenseTap()
    {
        uint* lanes = (uint*)_masks.Pointer;
        for (int p = 0; p < _planePadded; p++) lanes[p] = p < _plane ? uint.MaxValue : 0u;
        _layout.TapSource[0] = 0;
        _layout.TapMask[0] = 0;
    }

    /// <summary>
    /// Packs the weights w: [<paramref name="m"/>, channels·taps] row-major (column c·taps + tap) into the
    /// layout's panels and classifies every tap's 16-lane blocks. Call after every tap is set.
    /// </summary>
    public void Pack(float* w, int m)
    {
        _m = m;
        int k = _layout.Channels * _layout.Taps, packedLength = (m + Mr - 1) / Mr * Mr * k;
        _layout.PackWeights(w, m, _rowOrderA.Ensure(packedLength), _packedA.Ensure(packedLength));
        ClassifyLanes((uint*)_masks.Pointer, _layout.Taps * _planePadded / Nr, _laneStates);
    }

    /// <summary>states[b] = the <see cref="ImplicitMicroKernel"/> lane state of masks[16·b .. 16·b + 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClassifyLanes(uint* masks, int blocks, byte[] states)
    {
        for (int block = 0; block < blocks; block++)
        {
            var lanes = Vector512.Load(masks + (nint)block * Nr);
            states[block] = lanes == Vector512<uint>.AllBitsSet ? ImplicitMicroKernel.AllLanes
                : lanes == Vector512<uint>.Zero ? ImplicitMicroKernel.NoLanes : ImplicitMicroKernel.SomeLanes;
        }
    }

    /// <summary>
    /// y[r, p] (+)= product row r at output positions p in [<paramref name="j0"/>, + <paramref name="cols"/>),
    /// r &lt; <see cref="M"/>. <paramref name="image"/>: channel 0 of this image's input planes; y: row-major
    /// with row stride <paramref name="ldy"/>, position 0 at <paramref name="y"/>. Overwrites unless
    /// <paramref name="accumulate"/>; j0 must be a multiple of 16.
    /// </summary>
    [SkipLocalsInit]
    public void Multiply(float* image, float* y, nint ldy, int j0, int cols, bool accumulate)
    {
        float* edge = stackalloc float[Mr * Nr];
        int m = _m, k = _layout.Channels * _layout.Taps;
        float* masks = _masks.Pointer;
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
                float* yTile = y + ir * ldy + p0;
                if (height == Mr && width == Nr)
                {
                    ImplicitMicroKernel.Run(aPanel, image + p0, masks + p0, laneStates + p0 / Nr, _layout,
                        yTile, ldy, accumulate);
                    continue;
                }
                // Edge tile: full tile into scratch (padded weights and masked lanes are zero), then the valid part.
                ImplicitMicroKernel.Run(aPanel, image + p0, masks + p0, laneStates + p0 / Nr, _layout, edge, Nr, false);
                for (int r = 0; r < height; r++)
                {
                    float* yRow = yTile + r * ldy, eRow = edge + r * Nr;
                    if (accumulate)
                        for (int j = 0; j < width; j++) yRow[j] += eRow[j];
                    else
                        for (int j = 0; j < width; j++) yRow[j] = eRow[j];
                }
            }
        }
    }
}
