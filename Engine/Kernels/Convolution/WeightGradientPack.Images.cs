using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Packing with one position of 16 images per vector (OW not a multiple of 16, or stride above 2): 16 images' runs of
/// 16 positions are loaded as the rows of a 16×16 block and transposed. Images past the group's end are zero lanes.
/// </summary>
internal sealed unsafe partial class WeightGradientPack
{
    /// <summary>
    /// gradY [N, O, OH·OW] channels [o0, o0 + 8) of band <paramref name="band"/> of images [n0, n0 + images) →
    /// [positions, 8, 16 images].
    /// </summary>
    [SkipLocalsInit]
    private void PackGradientImages(float* gradY, int n0, int images, int band, int o0, float* packed)
    {
        int outChannels = _g.OutChannels, outWidth = _g.OutWidth, steps = UnitSteps;
        ReadRows(band, out int first, out int rows, out _, out _);
        int length = rows * outWidth; // the band's positions; the last band's missing rows are zeros
        var block = stackalloc Vector512<float>[Lanes];
        long imageStride = (long)outChannels * _plane;
        for (int o = o0; o < o0 + TileRows; o++)
        {
            float* target = packed + (o - o0) * Lanes;
            int p = 0;
            if (o < outChannels)
            {
                float* source = gradY + ((long)n0 * outChannels + o) * _plane + first * outWidth;
                for (; p < length; p += Lanes)
                {
                    LoadBlock(source + p, imageStride, images, length - p, block);
                    Transpose(block);
                    int count = Math.Min(Lanes, length - p);
                    for (int e = 0; e < count; e++) block[e].Store(target + (nint)(p + e) * TileRows * Lanes);
                }
                p = length;
            }
            for (; p < steps; p++) Vector512<float>.Zero.Store(target + (nint)p * TileRows * Lanes);
        }
    }

    /// <summary>x [N, C, H, W] band of images [n0, n0 + images) → x planes [C·s·s, Slab] of 16-image vectors.</summary>
    [SkipLocalsInit]
    private void PackShiftedImages(float* x, int n0, int images, int band, float* packed)
    {
        var g = _g;
        int s = g.StrideH, phases = s * s, inChannels = g.InChannels, outWidth = g.OutWidth;
        ReadRows(band, out int first, out _, out int low, out int high);
        long imageStride = (long)inChannels * g.Height * g.Width;
        int used = UsedPhases();
        var block = stackalloc Vector512<float>[Lanes];
        // Phase-plane positions [begin, end) are read: the band's rows and the rows around it that taps reach.
        int begin = (first + low) * outWidth, end = (first + high) * outWidth;
        for (int c = 0; c < inChannels; c++)
            for (int phase = 0; phase < phases; phase++)
            {
                if ((used >> phase & 1) == 0) continue; // e.g. phases (0, 1), (1, 0), (1, 1) of a 1×1 kernel
                float* slab = packed + (nint)(c * phases + phase) * Slab;
                // Zeros around the rows the transposed blocks fill: above them, in each row's gap, below them.
                float* rows = slab + _top + (nint)low * RowFloats;
                new Span<float>(slab, (int)(rows - slab)).Clear();
                for (int i = low; i < high; i++)
                    new Span<float>(rows + (nint)(i - low) * RowFloats + outWidth * Lanes,
                        RowFloats - outWidth * Lanes).Clear();
                float* after = rows + (nint)(high - low) * RowFloats;
                new Span<float>(after, (int)(slab + Slab - after)).Clear();
                float* channel = x + (long)n0 * imageStride + (long)c * g.Height * g.Width;
                for (int q = begin; q < end; q += Lanes)
                {
                    if (s == 1) LoadBlock(channel + q, imageStride, images, end - q, block);
                    else if (s == 2 && outWidth == 8) PairBlock(channel, imageStride, images, q, end - q, phase, block);
                    else GatherBlock(channel, imageStride, images, q, end - q, phase, block);
                    Transpose(block);
                    int count = Math.Min(Lanes, end - q);
                    int i = q / outWidth - first, j = q % outWidth; // band-relative row and column of position q
                    for (int e = 0; e < count; e++)
                    {
                        block[e].Store(slab + _top + (nint)i * RowFloats + j * Lanes);
                        if (++j == outWidth) { j = 0; i++; }
                    }
                }
            }
    }

    /// <summary>
    /// block[t] = source[t·stride + 0..16) for images t &lt; <paramref name="images"/> (zeros after), lanes past
    /// <paramref name="count"/> zero and never read.
    /// </summary>
    private static void LoadBlock(float* source, long stride, int images, int count, Vector512<float>* block)
    {
        var valid = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        for (int t = 0; t < Lanes; t++)
            block[t] = t < images
                ? Avx512F.MaskLoad(source + t * stride, valid, Vector512<float>.Zero) : Vector512<float>.Zero;
    }

    /// <summary>
    /// <see cref="GatherBlock"/> for stride 2 and OW = 8 (the common 16×16 → 8×8 downsampling): phase positions
    /// q..q+16 are phase rows q/8 and q/8 + 1, every other column of x rows 2·(q/8) + a and 2·(q/8) + 2 + a, each one
    /// 16-float vector: two loads and one permute per image (one load when only <paramref name="count"/> ≤ 8
    /// positions are left, so nothing past the plane is read).
    /// </summary>
    private static void PairBlock(float* channel, long stride, int images, int q, int count, int phase,
        Vector512<float>* block)
    {
        int a = phase / 2, b = phase % 2;
        var pick = Vector512<int>.Indices * 2 + Vector512.Create(b);
        float* rows = channel + (q / 8 * 2 + a) * 16;
        for (int t = 0; t < Lanes; t++)
        {
            float* image = rows + t * stride;
            block[t] = t >= images ? Vector512<float>.Zero
                : Avx512F.PermuteVar16x32x2(Vector512.Load(image), pick,
                    count > 8 ? Vector512.Load(image + 32) : Vector512<float>.Zero);
        }
    }

    /// <summary>
    /// As <see cref="LoadBlock"/> for phase positions q..q+16 of phase (a, b) of a channel at stride s: position
    /// (i, j) of the phase plane is x[s·i + a, s·j + b] of the channel plane at <paramref name="channel"/>.
    /// </summary>
    [SkipLocalsInit]
    private void GatherBlock(float* channel, long stride, int images, int q, int count, int phase,
        Vector512<float>* block)
    {
        int s = _g.StrideH, outWidth = _g.OutWidth, width = _g.Width, a = phase / s, b = phase % s;
        var offsets = stackalloc int[Lanes];
        for (int l = 0; l < Lanes; l++)
        {
            int i = (q + l) / outWidth, j = (q + l) % outWidth;
            offsets[l] = (s * i + a) * width + s * j + b;
        }
        Vector256<int> low = Vector256.Load(offsets), high = Vector256.Load(offsets + Lanes / 2);
        var valid = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();
        Vector256<float> validLow = valid.GetLower(), validHigh = valid.GetUpper(), zero = Vector256<float>.Zero;
        for (int t = 0; t < Lanes; t++)
        {
            float* image = channel + t * stride;
            block[t] = t < images
                ? Vector512.Create(Avx2.GatherMaskVector256(zero, image, low, validLow, 4),
                    Avx2.GatherMaskVector256(zero, image, high, validHigh, 4))
                : Vector512<float>.Zero;
        }
    }

    /// <summary>
    /// In-place 16×16 transpose of block[0..16): 64 shuffles in four rounds of 2×2 interleaves, two rounds per pass
    /// over the block with the values in registers in between.
    /// </summary>
    internal static void Transpose(Vector512<float>* block)
    {
        // Rows 4q..4q+3 → u[4q + m]: 128-bit lane L holds column 4L + m of those four rows.
        for (int q = 0; q < Lanes; q += 4)
        {
            Vector512<float> r0 = block[q], r1 = block[q + 1], r2 = block[q + 2], r3 = block[q + 3];
            Vector512<double> t0 = Avx512F.UnpackLow(r0, r1).AsDouble(), t1 = Avx512F.UnpackHigh(r0, r1).AsDouble();
            Vector512<double> t2 = Avx512F.UnpackLow(r2, r3).AsDouble(), t3 = Avx512F.UnpackHigh(r2, r3).AsDouble();
            block[q] = Avx512F.UnpackLow(t0, t2).AsSingle();
            block[q + 1] = Avx512F.UnpackHigh(t0, t2).AsSingle();
            block[q + 2] = Avx512F.UnpackLow(t1, t3).AsSingle();
            block[q + 3] = Avx512F.UnpackHigh(t1, t3).AsSingle();
        }
        // Column 4L + m = lane L of u[m], u[4 + m], u[8 + m], u[12 + m]: read and written in the same four slots.
        for (int m = 0; m < 4; m++)
        {
            Vector512<float> w0 = Avx512F.Shuffle4x128(block[m], block[4 + m], 0x88);
            Vector512<float> w1 = Avx512F.Shuffle4x128(block[m], block[4 + m], 0xDD);
            Vector512<float> w2 = Avx512F.Shuffle4x128(block[8 + m], block[12 + m], 0x88);
            Vector512<float> w3 = Avx512F.Shuffle4x128(block[8 + m], block[12 + m], 0xDD);
            block[m] = Avx512F.Shuffle4x128(w0, w2, 0x88);
            block[4 + m] = Avx512F.Shuffle4x128(w1, w3, 0x88);
            block[8 + m] = Avx512F.Shuffle4x128(w0, w2, 0xDD);
            block[12 + m] = Avx512F.Shuffle4x128(w1, w3, 0xDD);
        }
    }
}
