using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>Packing with 16 consecutive positions of one image per vector (OW a multiple of 16).</summary>
internal sealed unsafe partial class WeightGradientPack
{
    /// <summary>
    /// gradY [N, O, OH·OW] channels [o0, o0 + 8) of band <paramref name="band"/> of images [n0, n0 + images) →
    /// [images · steps, 8, 16].
    /// </summary>
    private void PackGradientPositions(float* gradY, int n0, int images, int band, int o0, float* packed)
    {
        int outChannels = _g.OutChannels, outWidth = _g.OutWidth, steps = UnitSteps;
        ReadRows(band, out int first, out int rows, out _, out _);
        int length = rows * outWidth; // the band's positions; the last band's missing rows are zeros
        for (int u = 0; u < images; u++)
            for (int k = 0; k < TileRows; k++)
            {
                float* target = packed + ((nint)u * steps * TileRows + k) * Lanes;
                int o = o0 + k, p = 0;
                if (o < outChannels)
                {
                    float* source = gradY + ((long)(n0 + u) * outChannels + o) * _plane + first * outWidth;
                    for (; p < length; p += Lanes) Vector512.Load(source + p).Store(target + p * TileRows);
                }
                for (; p < steps * Lanes; p += Lanes) Vector512<float>.Zero.Store(target + p * TileRows);
            }
    }

    /// <summary>
    /// x [N, C, H, W] band of images [n0, n0 + images) → x planes [C·s·s, images, Slab] (s ≤ 2). Rows, gaps and
    /// slabs are whole vectors, so every write is an aligned vector inside its own slab.
    /// </summary>
    private void PackShiftedPositions(float* x, int n0, int images, int band, float* packed)
    {
        var g = _g;
        int s = g.StrideH, phases = s * s, outWidth = g.OutWidth, width = g.Width, rowFloats = RowFloats;
        ReadRows(band, out int first, out _, out int low, out int high);
        nint rowLength = (nint)images * Slab, channelLength = (nint)g.Height * width;
        int used = UsedPhases();
        for (int c = 0; c < g.InChannels; c++)
            for (int phase = 0; phase < phases; phase++)
            {
                if ((used >> phase & 1) == 0) continue; // e.g. phases (0, 1), (1, 0), (1, 1) of a 1×1 kernel
                int a = phase / s, b = phase % s;
                for (int u = 0; u < images; u++)
                {
                    float* channel = x + ((long)(n0 + u) * g.InChannels + c) * channelLength;
                    float* slab = packed + (c * phases + phase) * rowLength + (nint)u * Slab;
                    float* row = slab + _top + low * rowFloats; // first row written; zeros before it
                    for (float* z = slab; z < row; z += Lanes) Vector512<float>.Zero.Store(z);
                    for (int i = low; i < high; i++, row += rowFloats)
                    {
                        // Phase row first + i: x row s·(first + i) + a, every s-th column from b.
                        float* from = channel + (nint)(s * (first + i) + a) * width;
                        int j = 0;
                        if (s == 1)
                            for (; j < outWidth; j += Lanes) Vector512.Load(from + j).Store(row + j);
                        else
                            for (var pick = Vector512<int>.Indices * 2 + Vector512.Create(b); j < outWidth; j += Lanes)
                                Avx512F.PermuteVar16x32x2(Vector512.Load(from + 2 * j), pick,
                                    Vector512.Load(from + 2 * j + Lanes))
                                    .Store(row + j);
                        for (; j < rowFloats; j += Lanes) Vector512<float>.Zero.Store(row + j); // the gap
                    }
                    for (float* z = row; z < slab + Slab; z += Lanes) Vector512<float>.Zero.Store(z);
                }
            }
    }
}
