using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The implicit-GEMM convolution's micro-kernel: a 16 × 16 tile of y (16 output channels × 16 consecutive
/// output positions) from a packed weight panel [k][16] and the image itself. Im2col row (c, tap) is input
/// plane c read at the tap's constant shift; <see cref="ImplicitTapLayout"/> fixes the k order, [channel
/// chunk][tap][channel], so the loop over taps sits outside the loop over channels.
/// <para>
/// Why this shape: each k step is one zmm load of 16 positions and 16 FMAs against embedded-broadcast
/// weights. The FMAs own both vector ports (0 and 5); a masked load also takes a slot there, and turning a
/// vector of lane masks into a mask register takes another, so the row-major kernel (both on every step)
/// ran at 16 / 18 of peak at best. Tap-major order lets each tap decide once, from its lane state for this
/// tile, how all its channels are read: every lane valid (the interior: a plain load, nothing extra), some
/// valid (padding or row wrap-around: masked loads, the mask register set up once) or none (a row above
/// or below the image: the tap is skipped). The 17 loads per 16 FMAs fit the three load ports.
/// </para>
/// <para>
/// The masked loop takes two channels per iteration only so that the mask register really is set up once:
/// with one, the JIT (with tiering off, as in the benchmarks) converted the lane-mask vector to a mask register
/// inside the loop, an extra vector-port instruction per 16 FMAs. A 16-position tile reads 3 of its 9 taps
/// masked on a 32 × 32 plane and 6–7 on smaller ones, so the masked loop matters (figures in docs/performance.md).
/// </para>
/// No im2col matrix and no packed B panel are ever written.
/// </summary>
internal static unsafe class ImplicitMicroKernel
{
    /// <summary>Output channels per tile (width of the packed weight panel).</summary>
    public const int Mr = 16;

    /// <summary>Output positions per tile: one zmm vector.</summary>
    public const int Nr = 16;

    /// <summary>Lane state of a tap over a tile: no lane reads inside the image.</summary>
    public const byte NoLanes = 0;

    /// <summary>Lane state of a tap over a tile: some lanes read inside the image, the rest are padding.</summary>
    public const byte SomeLanes = 1;

    /// <summary>Lane state of a tap over a tile: every lane reads inside the image.</summary>
    public const byte AllLanes = 2;

    /// <summary>
    /// y[0..16, 0..16] (+)= Σ_(c, tap) a[k(c, tap)][i] · masked(image + c·ChannelStride + TapSource[tap])[j], k in
    /// the <paramref name="layout"/>'s order. <paramref name="image"/> points at this image's (split or unfolded)
    /// planes plus the tile's first position; <paramref name="mask"/> + TapMask[tap] are the tap's 16 lane
    /// masks (all ones = valid, already offset to the tile) and <paramref name="laneState"/>[TapMask[tap] / 16]
    /// its <see cref="NoLanes"/> / <see cref="SomeLanes"/> / <see cref="AllLanes"/> state for the tile.
    /// <paramref name="a"/>: one packed panel [k][16]. y is row-major with row stride <paramref name="ldy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* a, float* image, float* mask, byte* laneState, in ImplicitTapLayout layout,
        float* y, nint ldy, bool accumulate)
    {
        int* tapSource = layout.TapSource, tapMask = layout.TapMask;
        int taps = layout.Taps, channels = layout.Channels, chunk = layout.Chunk;
        nint channelStride = layout.ChannelStride;
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default,
            c6 = default, c7 = default;
        Vector512<float> c8 = default, c9 = default, c10 = default, c11 = default, c12 = default, c13 = default,
            c14 = default, c15 = default;

        for (int first = 0; first < channels; first += chunk)
        {
            int count = Math.Min(chunk, channels - first);
            float* chunkImage = image + first * channelStride;
            for (int tap = 0; tap < taps; tap++)
            {
                int lanes = tapMask[tap];
                byte state = laneState[lanes / Nr];
                float* source = chunkImage + tapSource[tap];
                if (state == AllLanes)
                {
                    for (int c = 0; c < count; c++, source += channelStride, a += Mr)
                        Step(a, Vector512.Load(source),
                            ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7,
                            ref c8, ref c9, ref c10, ref c11, ref c12, ref c13, ref c14, ref c15);
                }
                else if (state == SomeLanes)
                {
                    // Two channels per iteration keep the conversion of `valid` to a mask register out of the loop.
                    Vector512<float> valid = Vector512.Load(mask + lanes);
                    int c = 0;
                    for (; c + 2 <= count; c += 2, source += 2 * channelStride, a += 2 * Mr)
                    {
                        Vector512<float> b0 = Avx512F.MaskLoad(source, valid, Vector512<float>.Zero);
                        Vector512<float> b1 = Avx512F.MaskLoad(source + channelStride, valid, Vector512<float>.Zero);
                        Step(a, b0,
                            ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7,
                            ref c8, ref c9, ref c10, ref c11, ref c12, ref c13, ref c14, ref c15);
                        Step(a + Mr, b1,
                            ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7,
                            ref c8, ref c9, ref c10, ref c11, ref c12, ref c13, ref c14, ref c15);
                    }
                    if (c < count)
                    {
                        Step(a, Avx512F.MaskLoad(source, valid, Vector512<float>.Zero),
                            ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7,
                            ref c8, ref c9, ref c10, ref c11, ref c12, ref c13, ref c14, ref c15);
                        a += Mr;
                    }
                }
                else
                {
                    a += count * Mr; // every lane is padding: these rows add nothing to the tile
                }
            }
        }

        Store(y, c0, accumulate);
        Store(y + 1 * ldy, c1, accumulate);
        Store(y + 2 * ldy, c2, accumulate);
        Store(y + 3 * ldy, c3, accumulate);
        Store(y + 4 * ldy, c4, accumulate);
        Store(y + 5 * ldy, c5, accumulate);
        Store(y + 6 * ldy, c6, accumulate);
        Store(y + 7 * ldy, c7, accumulate);
        Store(y + 8 * ldy, c8, accumulate);
        Store(y + 9 * ldy, c9, accumulate);
        Store(y + 10 * ldy, c10, accumulate);
        Store(y + 11 * ldy, c11, accumulate);
        Store(y + 12 * ldy, c12, accumulate);
        Store(y + 13 * ldy, c13, accumulate);
        Store(y + 14 * ldy, c14, accumulate);
        Store(y + 15 * ldy, c15, accumulate);
    }

    /// <summary>
    /// One k step: c_i += a[i]·b for the tile's 16 output channels. Inlined, the refs are the caller's
    /// registers: the body is written once for the plain loop, the masked pair loop and its tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(float* a, Vector512<float> b,
        ref Vector512<float> c0, ref Vector512<float> c1, ref Vector512<float> c2, ref Vector512<float> c3,
        ref Vector512<float> c4, ref Vector512<float> c5, ref Vector512<float> c6, ref Vector512<float> c7,
        ref Vector512<float> c8, ref Vector512<float> c9, ref Vector512<float> c10, ref Vector512<float> c11,
        ref Vector512<float> c12, ref Vector512<float> c13, ref Vector512<float> c14, ref Vector512<float> c15)
    {
        c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b, c0);
        c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b, c1);
        c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b, c2);
        c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b, c3);
        c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b, c4);
        c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b, c5);
        c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b, c6);
        c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b, c7);
        c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b, c8);
        c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b, c9);
        c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b, c10);
        c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b, c11);
        c12 = Vector512.FusedMultiplyAdd(Vector512.Create(a[12]), b, c12);
        c13 = Vector512.FusedMultiplyAdd(Vector512.Create(a[13]), b, c13);
        c14 = Vector512.FusedMultiplyAdd(Vector512.Create(a[14]), b, c14);
        c15 = Vector512.FusedMultiplyAdd(Vector512.Create(a[15]), b, c15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* row, Vector512<float> value, bool accumulate)
    {
        if (accumulate) value += Vector512.Load(row);
        value.Store(row);
    }
}
