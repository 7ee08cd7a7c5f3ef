using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Weight gradient of a convolution whose im2col rows are shifted (phase) planes (<see cref="StridePhases"/>:
/// stride-1 same-size, or stride 2 with OH = H/2, OW = W/2) without im2col or GEMM packing. At stride 1:
/// gradW[o, c, kh, kw] = Σ_n Σ_p gradY[n, o, p] · x[n, c, p + shift] · valid(p, kh, kw), with
/// shift = (kh − ph)·W + (kw − pw). Both factors are contiguous in p, so a register tile of 4 output × 4
/// input channels for one tap runs 16 zmm accumulators along p (16 positions per step), loading gradY rows
/// and shifted x rows directly; x is loaded under a per-tap lane mask (padding and row wrap-around),
/// precomputed once per call. The 16 lane sums are folded into the partial only after a group of images
/// covering about 1024 positions, so small 8×8 planes are not dominated by horizontal sums.
/// At stride s the same runs over each group's images split into s×s phase planes, reading phase
/// ((kh − ph) mod s, (kw − pw) mod s) at its shift. Needs OH·OW to be a multiple of 16 (whole vectors per
/// plane) and at least <see cref="MinPlane"/>.
/// </summary>
internal static unsafe class ImplicitWeightGradient
{
    private const int Lanes = 16;
    private const int Block = 4; // output channels and input channels per register tile

    /// <summary>
    /// Smallest plane this path takes: on 8×8 planes the short position loops and the horizontal sums cost
    /// more than the im2col + GEMM path's packing (measured 57 vs 68 GFLOP/s for 64 → 64 channels); 8×8 planes go to
    /// <see cref="SmallPlaneWeightGradient"/>, which packs a group of images into one long position axis instead.
    /// </summary>
    private const int MinPlane = 256;

    /// <summary>Positions summed in registers before the horizontal reduction.</summary>
    private const int PositionsPerReduction = 1024;

    [ThreadStatic] private static WeightGradientJob? _job;
    [ThreadStatic] private static GemmScratch? _phases; // per-thread phase split of a group of images

    /// <summary>True when this path handles <paramref name="g"/> on this machine.</summary>
    public static bool Applies(in ConvGeometry g) =>
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated && StridePhases.Applies(g)
        && g.OutHeight * g.OutWidth % Lanes == 0 && g.OutHeight * g.OutWidth >= MinPlane;

    /// <summary>
    /// partials[chunk] += Σ over images [chunk·chunkSize, +chunkSize) of that image's weight gradient.
    /// x: [N, C, H, W], gradY: [N, O, H, W], partials: [chunkCount, O, C·KH·KW].
    /// </summary>
    public static void Run(in ConvGeometry g, float* x, float* gradY, float* partials, int chunkSize, int chunkCount)
    {
        var job = _job ??= new WeightGradientJob();
        job.Prepare(g, x, gradY, partials, chunkSize);
        if (chunkCount >= Parallelism.ThreadCount && Parallelism.ThreadCount > 1) Parallelism.For(chunkCount, job);
        else for (int i = 0; i < chunkCount; i++) job.Run(i);
        job.Clear();
    }

    private sealed class WeightGradientJob : ParallelJob
    {
        private readonly GemmScratch _masks = new(); // [taps][plane / 16] lane masks (all ones = valid)
        private ConvGeometry _g;
        private float* _x, _gradY, _partials;
        private int _chunkSize, _plane, _groupSize;

        public void Prepare(in ConvGeometry g, float* x, float* gradY, float* partials, int chunkSize)
        {
            _g = g; _x = x; _gradY = gradY; _partials = partials; _chunkSize = chunkSize;
            _plane = g.OutHeight * g.OutWidth;
            _groupSize = Math.Clamp(PositionsPerReduction / _plane, 1, chunkSize);
            int taps = g.KernelHeight * g.KernelWidth;
            uint* masks = (uint*)_masks.Ensure(taps * _plane);
            for (int tap = 0; tap < taps; tap++)
            {
                StridePhases.Shift(g, tap, out _, out int di, out int dj);
                uint* tapMask = masks + (nint)tap * _plane;
                for (int p = 0; p < _plane; p++)
                {
                    int i = p / g.OutWidth + di, j = p % g.OutWidth + dj;
                    tapMask[p] = (uint)i < (uint)g.OutHeight && (uint)j < (uint)g.OutWidth ? uint.MaxValue : 0u;
                }
            }
        }

        public void Clear() { _x = _gradY = _partials = null; }

        /// <summary>Chunk <paramref name="index"/>: images in groups of _groupSize, every (o-block, c-block, tap) tile per group.</summary>
        public override void Run(int index)
        {
            var g = _g;
            int taps = g.KernelHeight * g.KernelWidth, patch = g.PatchLength;
            int first = index * _chunkSize, end = Math.Min(g.Batch, first + _chunkSize);
            float* partial = _partials + (long)index * g.OutChannels * patch;
            int imageLength = g.InChannels * g.Height * g.Width;
            for (int n0 = first; n0 < end; n0 += _groupSize)
            {
                int images = Math.Min(_groupSize, end - n0);
                // The group's images as [images, C, s, s, OH, OW] phase planes (at stride 1, x itself).
                float* xGroup = _x + (long)n0 * imageLength;
                if (g.StrideH > 1)
                {
                    float* split = (_phases ??= new GemmScratch()).Ensure(images * imageLength);
                    for (int i = 0; i < images; i++)
                        StridePhases.Split(g, xGroup + (long)i * imageLength, split + (long)i * imageLength);
                    xGroup = split;
                }
                // Taps innermost: the 4 gradY and 4 x planes of the group's images (32 KB) stay in L1 across
                // the taps that reuse them.
                for (int o0 = 0; o0 < g.OutChannels; o0 += Block)
                    for (int c0 = 0; c0 < g.InChannels; c0 += Block)
                        for (int tap = 0; tap < taps; tap++)
                        {
                            StridePhases.Shift(g, tap, out int phase, out int di, out int dj);
                            float* xs = xGroup + (nint)phase * _plane + di * g.OutWidth + dj;
                            Tile(n0, images, xs, o0, c0, _masks.Pointer + (nint)tap * _plane, partial + tap, patch, taps);
                        }
            }
        }

        /// <summary>
        /// partial[o0+i, c0+j, tap] += Σ over the group's images and positions (xGroup: the tap's shifted phase plane
        /// of channel 0, image n0), for i, j &lt; 4 (rows past
        /// O or C are computed on a clamped duplicate row and dropped). tapPartial points at partial[0, 0, tap].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Tile(int n0, int images, float* xGroup, int o0, int c0, float* mask, float* tapPartial, int patch,
            int taps)
        {
            int plane = _plane, outChannels = _g.OutChannels, inChannels = _g.InChannels;
            int stride = _g.StrideH, channelStride = stride * stride * plane, imageStride = inChannels * channelStride;
            nint o1 = Math.Min(o0 + 1, outChannels - 1) - o0, o2 = Math.Min(o0 + 2, outChannels - 1) - o0;
            nint o3 = Math.Min(o0 + 3, outChannels - 1) - o0;
            nint c1 = Math.Min(c0 + 1, inChannels - 1) - c0, c2 = Math.Min(c0 + 2, inChannels - 1) - c0;
            nint c3 = Math.Min(c0 + 3, inChannels - 1) - c0;
            o1 *= plane; o2 *= plane; o3 *= plane; c1 *= channelStride; c2 *= channelStride; c3 *= channelStride;
            Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
            Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
            Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
            for (int n = n0; n < n0 + images; n++)
            {
                float* gy = _gradY + ((long)n * outChannels + o0) * plane;
                float* xs = xGroup + (long)(n - n0) * imageStride + (nint)c0 * channelStride;
                for (int p = 0; p < plane; p += Lanes)
                {
                    // Masked loads: lanes from the padding read as zero and never touch memory, so the
                    // shifted rows of the first and last image may start before or end after x.
                    Vector512<float> m = Vector512.Load(mask + p), zero = Vector512<float>.Zero;
                    Vector512<float> x0 = Avx512F.MaskLoad(xs + p, m, zero);
                    Vector512<float> x1 = Avx512F.MaskLoad(xs + c1 + p, m, zero);
                    Vector512<float> x2 = Avx512F.MaskLoad(xs + c2 + p, m, zero);
                    Vector512<float> x3 = Avx512F.MaskLoad(xs + c3 + p, m, zero);
                    Vector512<float> y = Vector512.Load(gy + p);
                    a00 = Vector512.FusedMultiplyAdd(y, x0, a00); a01 = Vector512.FusedMultiplyAdd(y, x1, a01);
                    a02 = Vector512.FusedMultiplyAdd(y, x2, a02); a03 = Vector512.FusedMultiplyAdd(y, x3, a03);
                    y = Vector512.Load(gy + o1 + p);
                    a10 = Vector512.FusedMultiplyAdd(y, x0, a10); a11 = Vector512.FusedMultiplyAdd(y, x1, a11);
                    a12 = Vector512.FusedMultiplyAdd(y, x2, a12); a13 = Vector512.FusedMultiplyAdd(y, x3, a13);
                    y = Vector512.Load(gy + o2 + p);
                    a20 = Vector512.FusedMultiplyAdd(y, x0, a20); a21 = Vector512.FusedMultiplyAdd(y, x1, a21);
                    a22 = Vector512.FusedMultiplyAdd(y, x2, a22); a23 = Vector512.FusedMultiplyAdd(y, x3, a23);
                    y = Vector512.Load(gy + o3 + p);
                    a30 = Vector512.FusedMultiplyAdd(y, x0, a30); a31 = Vector512.FusedMultiplyAdd(y, x1, a31);
                    a32 = Vector512.FusedMultiplyAdd(y, x2, a32); a33 = Vector512.FusedMultiplyAdd(y, x3, a33);
                }
            }
            int rows = Math.Min(Block, outChannels - o0), cols = Math.Min(Block, inChannels - c0);
            float* target = tapPartial + (nint)o0 * patch + (nint)c0 * taps;
            TileRowSums.Add(target, rows, cols, 0, a00, a01, a02, a03, patch, taps);
            TileRowSums.Add(target, rows, cols, 1, a10, a11, a12, a13, patch, taps);
            TileRowSums.Add(target, rows, cols, 2, a20, a21, a22, a23, patch, taps);
            TileRowSums.Add(target, rows, cols, 3, a30, a31, a32, a33, patch, taps);
        }
    }
}
