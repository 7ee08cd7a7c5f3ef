using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// The k order of the implicit-GEMM convolution. Im2col row (c, tap) is input plane c read at the tap's
/// shift under the tap's lane mask; <see cref="ImplicitMicroKernel"/> walks these rows as
/// [channel chunk][tap][channel within the chunk], so how a tap is read (plain, masked or skipped) is decided
/// once per chunk and the innermost step only moves on by <see cref="ChannelStride"/>. The weight panels
/// are packed in that order. Every sum's order follows from the geometry alone.
/// <para>
/// Why chunks: one tap reads the same spot of every plane in the chunk. With planes 4 KB apart (32 × 32
/// floats) those lines all fall in one L1 set, and more than the set's 12 ways of them evict each other
/// before the next tap reads them again; chunks of 8 such channels stay resident. Planes a fraction of
/// 4 KB apart spread over several sets and take proportionally larger chunks.
/// </para>
/// </summary>
internal readonly unsafe struct ImplicitTapLayout
{
    /// <summary>Lines of one L1 set a chunk may fill in a tap (of 12 ways: room left for the weights and y).</summary>
    private const int LinesPerSet = 8;

    /// <summary>Bytes after which L1 set indices repeat (64 sets of 64-byte lines).</summary>
    private const int SetSpan = 4096;

    /// <summary>[taps]: offset of each tap's read in channel 0, relative to the tile's first position.</summary>
    public readonly int* TapSource;

    /// <summary>[taps]: offset of each tap's lane masks in the mask table.</summary>
    public readonly int* TapMask;

    /// <summary>Number of taps (1 when the rows are an unfolded im2col matrix read as is).</summary>
    public readonly int Taps;

    /// <summary>Channels per tap (rows = Taps · Channels).</summary>
    public readonly int Channels;

    /// <summary>Channels per chunk (the last chunk may be shorter).</summary>
    public readonly int Chunk;

    /// <summary>Floats between one channel's plane and the next.</summary>
    public readonly nint ChannelStride;

    /// <summary>A layout over the given tap tables; the chunk is chosen from the channel stride.</summary>
    public ImplicitTapLayout(int* tapSource, int* tapMask, int taps, int channels, int channelStride)
    {
        TapSource = tapSource; TapMask = tapMask; Taps = taps; Channels = channels; ChannelStride = channelStride;
        // Planes whose starts step through the 4 KB set span spread over SetSpan / gcd(stride, SetSpan) groups.
        long strideBytes = (long)channelStride * sizeof(float);
        long groups = SetSpan / long.Min(strideBytes & -strideBytes, SetSpan);
        Chunk = (int)long.Min(channels, LinesPerSet * groups);
    }

    /// <summary>
    /// packed[panel][k position of (c, tap)][i] = w[panel·16 + i, c·Taps + tap] (zero past <paramref name="m"/>
    /// rows): the weights [m, Channels·Taps] row-major, in this layout's k order, as [⌈m/16⌉][k][16] panels.
    /// <paramref name="natural"/> (as large as <paramref name="packed"/>) receives the panels in row order first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per convolution call; tiered code is slow
    public void PackWeights(float* w, int m, float* natural, float* packed)
    {
        const int mr = ImplicitMicroKernel.Mr;
        int k = Channels * Taps, panels = (m + mr - 1) / mr;
        GemmPacking.PackA(w, m, k, false, 0, m, 0, k, mr, natural);
        // Each k step of a panel is one zmm (16 weights): move whole steps into the layout's order.
        for (int panel = 0; panel < panels; panel++)
        {
            float* source = natural + (nint)panel * k * mr, target = packed + (nint)panel * k * mr;
            for (int first = 0; first < Channels; first += Chunk)
            {
                int count = Math.Min(Chunk, Channels - first);
                for (int tap = 0; tap < Taps; tap++)
                    for (int c = first; c < first + count; c++, target += mr)
                        Vector512.Store(Vector512.Load(source + ((nint)c * Taps + tap) * mr), target);
            }
        }
    }
}
