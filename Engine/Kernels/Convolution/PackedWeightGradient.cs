using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Weight gradient of a convolution whose im2col rows are shifted (phase) planes (<see cref="StridePhases"/>: stride-1
/// same-size, or stride s with OH = H/s, OW = W/s) without im2col or GEMM:
/// gradW[o, c, kh, kw] = Σ_n Σ_p gradY[n, o, p] · x[n, c, phase(kh, kw), p + shift(kh, kw)] · valid(p, kh, kw),
/// a dot product along positions of a gradY row and a shifted x row. A group of 1024 lane-positions (one or more
/// images, a band of rows of a large one, or 64 positions of 16 images when vectors hold images) is packed once
/// (<see cref="WeightGradientPack"/>): x phase planes with zero gaps and zero rows, so every tap is a plain offset
/// and the multiply loop has no masks, and gradY 8 channels at a time, interleaved. A register tile of 8 output
/// channels × 3 patch rows (at 3×3: the three columns of one input channel's kernel row) runs 24 accumulators
/// along the group: per step 8 gradY loads and 3 x loads feed 24 FMAs, against 4 + 4 loads and a mask for 16 in a
/// 4 × 4 tile. The 8 gradY rows (32 KB) stay in L1 while the tile walks the patch; the x rows stream from L2. Lane
/// sums are folded once per tile and group (<see cref="LaneSums.Of8"/>) into a per-thread [patch, O] partial.
/// Chunks of consecutive images summed in a fixed group order keep the result independent of the thread count.
/// </summary>
internal static unsafe class PackedWeightGradient
{
    /// <summary>
    /// Lane-positions per group: 64 steps per fold of the 24 lane sums, and the tile's 8 gradY rows take 32 KB of
    /// the 48 KB L1. Measured on WRN-16-1 shapes: 512 and 2048 were slower.
    /// </summary>
    private const int GroupPositions = 1024;

    private const int Lanes = WeightGradientPack.Lanes;
    private const int Rows = WeightGradientPack.TileRows;

    [ThreadStatic] private static WeightGradientJob? _job;
    [ThreadStatic] private static GemmScratch? _gradientPack, _shiftedPack, _sums;

    /// <summary>True when this path handles <paramref name="g"/> on this machine.</summary>
    public static bool Applies(in ConvGeometry g) =>
        VectorWidth.Use512 && Avx512F.IsSupported && StridePhases.Applies(g);

    /// <summary>
    /// Images per chunk: at least <paramref name="chunkSize"/> (the caller's split of the batch) and at least one
    /// whole group (or the whole batch), so groups are not cut short by small chunks. Depends on the geometry alone,
    /// so the result stays independent of the thread count.
    /// </summary>
    public static int ChunkSize(in ConvGeometry g, int chunkSize) =>
        Math.Min(g.Batch, Math.Max(chunkSize, WeightGradientPack.ImagesPerGroup(g, GroupPositions)));

    /// <summary>
    /// partials[chunk] = Σ over images [chunk·chunkSize, +chunkSize) of that image's weight gradient (overwritten:
    /// the partials need not be cleared). x: [N, C, H, W], gradY: [N, O, OH, OW], partials: [chunkCount, O, C·KH·KW].
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
        private readonly WeightGradientPack _pack = new();
        private ConvGeometry _g;
        private float* _x, _gradY, _partials;
        private int _chunkSize, _groupImages;

        public void Prepare(in ConvGeometry g, float* x, float* gradY, float* partials, int chunkSize)
        {
            _g = g; _x = x; _gradY = gradY; _partials = partials; _chunkSize = chunkSize;
            _pack.Prepare(g, GroupPositions);
            _groupImages = _pack.GroupImages;
        }

        public void Clear() { _x = _gradY = _partials = null; }

        /// <summary>
        /// Chunk <paramref name="index"/>: its images in groups, every (8-channel block, patch triple) tile per group.
        /// </summary>
        public override void Run(int index)
        {
            var g = _g;
            var pack = _pack;
            int patch = g.PatchLength, outRows = pack.OutRows, triples = pack.Triples;
            int imageLength = g.InChannels * g.Height * g.Width, plane = g.OutHeight * g.OutWidth;
            int first = index * _chunkSize, end = Math.Min(g.Batch, first + _chunkSize);
            // [patch rows, OutRows]: patch rounded up to whole tiles and to 8 rows for the final transpose.
            int sumsLength = (triples * WeightGradientPack.TileColumns + 7) / 8 * 8 * outRows;
            float* sums = (_sums ??= new GemmScratch()).Ensure(sumsLength);
            new Span<float>(sums, sumsLength).Clear();
            for (int n0 = first; n0 < end; n0 += _groupImages)
            {
                int images = Math.Min(_groupImages, end - n0), units = pack.Units(images);
                // The next group's x and gradY, fetched into L2 a slice per tile while this group's tiles run.
                int nextImages = Math.Min(_groupImages, end - n0 - images), tileCount = outRows / Rows
                    * triples * pack.Bands;
                var nextX = new PrefetchRange(_x + (long)(n0 + images) * imageLength,
                    (long)nextImages * imageLength, tileCount);
                var nextGradient = new PrefetchRange(_gradY + (long)(n0 + images) * g.OutChannels * plane,
                    (long)nextImages * g.OutChannels * plane, tileCount);
                float* gradientPack = (_gradientPack ??= new GemmScratch()).Ensure(pack.GradientLength(images));
                float* shiftedPack = (_shiftedPack ??= new GemmScratch()).Ensure(pack.ShiftedLength(images));
                for (int band = 0; band < pack.Bands; band++)
                {
                    pack.PackShifted(_x, n0, images, band, shiftedPack);
                    for (int o0 = 0; o0 < outRows; o0 += Rows)
                    {
                        // The tile's 8 gradY rows, packed just before use into a buffer that stays in L1.
                        pack.PackGradient(_gradY, n0, images, band, o0, gradientPack);
                        for (int t = 0; t < triples; t++)
                        {
                            int r = t * WeightGradientPack.TileColumns;
                            nextX.Step(); nextGradient.Step();
                            Tile(gradientPack, pack.Row(shiftedPack, images, r), pack.Row(shiftedPack, images, r + 1),
                                pack.Row(shiftedPack, images, r + 2), units, pack,
                                    sums + (nint)r * outRows + o0, outRows);
                        }
                    }
                }
            }
            WritePartial(sums, outRows, _partials + (long)index * g.OutChannels * patch, g.OutChannels, patch);
        }

        /// <summary>
        /// partial[o, r] = sums[r, o] for o &lt; O, r &lt; patch, in 8×8 blocks (a scalar transpose was a visible
        /// share of the 64 → 64, 8×8 layer, whose chunks are single groups). sums: [patch rounded up to 8, outRows].
        /// </summary>
        [SkipLocalsInit]
        private static void WritePartial(float* sums, int outRows, float* partial, int outChannels, int patch)
        {
            var block = stackalloc Vector256<float>[8];
            for (int r0 = 0; r0 < patch; r0 += 8)
            {
                var valid = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(patch - r0)).AsSingle();
                for (int o0 = 0; o0 < outChannels; o0 += 8)
                {
                    for (int i = 0; i < 8; i++) block[i] = Vector256.Load(sums + (nint)(r0 + i) * outRows + o0);
                    Transpose8x8(block);
                    for (int j = 0; j < Math.Min(8, outChannels - o0); j++)
                        Avx.MaskStore(partial + (nint)(o0 + j) * patch + r0, valid, block[j]);
                }
            }
        }

        /// <summary>In-place 8×8 transpose of block[0..8): 24 shuffles.</summary>
        private static void Transpose8x8(Vector256<float>* block)
        {
            // u[e] (rows 0-3) and u[4 + e] (rows 4-7): column e in the low 128-bit half, column e + 4 in the high.
            Vector256<float> t0 = Avx.UnpackLow(block[0], block[1]), t1 = Avx.UnpackHigh(block[0], block[1]);
            Vector256<float> t2 = Avx.UnpackLow(block[2], block[3]), t3 = Avx.UnpackHigh(block[2], block[3]);
            Vector256<float> t4 = Avx.UnpackLow(block[4], block[5]), t5 = Avx.UnpackHigh(block[4], block[5]);
            Vector256<float> t6 = Avx.UnpackLow(block[6], block[7]), t7 = Avx.UnpackHigh(block[6], block[7]);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
            Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
            block[0] = Avx.Permute2x128(u0, u4, 0x20); block[4] = Avx.Permute2x128(u0, u4, 0x31);
            block[1] = Avx.Permute2x128(u1, u5, 0x20); block[5] = Avx.Permute2x128(u1, u5, 0x31);
            block[2] = Avx.Permute2x128(u2, u6, 0x20); block[6] = Avx.Permute2x128(u2, u6, 0x31);
            block[3] = Avx.Permute2x128(u3, u7, 0x20); block[7] = Avx.Permute2x128(u3, u7, 0x31);
        }

        /// <summary>
        /// target[j·stride + i] += Σ over the group of gy row i · x row j, for i &lt; 8, j &lt; 3. gy: 8 interleaved
        /// gradY rows [units · steps, 8, 16]; x0..x2: the three x rows' reads, walked as units × band rows × vectors
        /// with the pack's row and unit skips.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Tile(float* gy, float* x0, float* x1, float* x2, int units, WeightGradientPack pack,
            float* target, int stride)
        {
            int rows = pack.BandRows, vectors = pack.VectorsPerRow, rowSkip = pack.RowSkip, unitSkip = pack.UnitSkip;
            Vector512<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
            Vector512<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
            Vector512<float> a40 = default, a41 = default, a42 = default, a50 = default, a51 = default, a52 = default;
            Vector512<float> a60 = default, a61 = default, a62 = default, a70 = default, a71 = default, a72 = default;
            for (int u = 0; u < units; u++, x0 += unitSkip, x1 += unitSkip, x2 += unitSkip)
                for (int row = 0; row < rows; row++, x0 += rowSkip, x1 += rowSkip, x2 += rowSkip)
                    for (int step = 0; step < vectors; step++, gy += Rows * Lanes, x0 += Lanes,
                        x1 += Lanes, x2 += Lanes)
                    {
                        Vector512<float> v0 = Vector512.Load(x0), v1 = Vector512.Load(x1), v2 = Vector512.Load(x2);
                        Vector512<float> y = Vector512.Load(gy);
                        a00 = Fma(y, v0, a00); a01 = Fma(y, v1, a01); a02 = Fma(y, v2, a02);
                        y = Vector512.Load(gy + Lanes);
                        a10 = Fma(y, v0, a10); a11 = Fma(y, v1, a11); a12 = Fma(y, v2, a12);
                        y = Vector512.Load(gy + 2 * Lanes);
                        a20 = Fma(y, v0, a20); a21 = Fma(y, v1, a21); a22 = Fma(y, v2, a22);
                        y = Vector512.Load(gy + 3 * Lanes);
                        a30 = Fma(y, v0, a30); a31 = Fma(y, v1, a31); a32 = Fma(y, v2, a32);
                        y = Vector512.Load(gy + 4 * Lanes);
                        a40 = Fma(y, v0, a40); a41 = Fma(y, v1, a41); a42 = Fma(y, v2, a42);
                        y = Vector512.Load(gy + 5 * Lanes);
                        a50 = Fma(y, v0, a50); a51 = Fma(y, v1, a51); a52 = Fma(y, v2, a52);
                        y = Vector512.Load(gy + 6 * Lanes);
                        a60 = Fma(y, v0, a60); a61 = Fma(y, v1, a61); a62 = Fma(y, v2, a62);
                        y = Vector512.Load(gy + 7 * Lanes);
                        a70 = Fma(y, v0, a70); a71 = Fma(y, v1, a71); a72 = Fma(y, v2, a72);
                    }
            Add(target, LaneSums.Of8(a00, a10, a20, a30, a40, a50, a60, a70));
            Add(target + stride, LaneSums.Of8(a01, a11, a21, a31, a41, a51, a61, a71));
            Add(target + 2 * stride, LaneSums.Of8(a02, a12, a22, a32, a42, a52, a62, a72));
        }

        /// <summary>
        /// Fetches floats [start, start + length) into L2 in equal slices, one slice per <see cref="Step"/>.
        /// </summary>
        private struct PrefetchRange(float* start, long length, int slices)
        {
            private byte* _next = (byte*)start;
            private readonly byte* _end = (byte*)(start + Math.Max(0, length));
            private readonly long _slice =
                Math.Max(64, ((long)Math.Max(0, length) * sizeof(float) + slices - 1) / Math.Max(1, slices));

            public void Step()
            {
                byte* stop = _next + _slice < _end ? _next + _slice : _end;
                for (; _next < stop; _next += 64) Sse.Prefetch1(_next);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
            Vector512.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Add(float* target, Vector256<float> sums) => (Vector256.Load(target) + sums).Store(target);
    }
}
