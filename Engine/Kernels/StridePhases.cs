using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Geometries whose im2col rows are shifted planes. With stride s, split each input plane into its s×s
/// phases, phase (a, b) = x[c, s·i + a, s·j + b], an [H/s, W/s] plane. When that is also the output's shape
/// (OH = H/s, OW = W/s: 3×3 pad 1 or 1×1 pad 0 with even sizes at stride 2; any same-size kernel at stride 1),
/// tap (kh, kw) reads, at output (oh, ow), phase (a, b) = ((kh − ph) mod s, (kw − pw) mod s) at
/// (oh + di, ow + dj) with di = ⌊(kh − ph)/s⌋, dj = ⌊(kw − pw)/s⌋: a constant flat shift di·OW + dj, valid where
/// it stays inside the phase plane. At stride 1 the only phase is the plane itself (no split needed).
/// </summary>
internal static unsafe class StridePhases
{
    /// <summary>True when every im2col row of <paramref name="g"/> is a shifted (phase) plane.</summary>
    public static bool Applies(in ConvGeometry g)
    {
        int s = g.StrideH;
        return g.StrideW == s && g.Height % s == 0 && g.Width % s == 0
            && g.OutHeight == g.Height / s && g.OutWidth == g.Width / s;
    }

    /// <summary>
    /// Splits one image [C, H, W] into phases [C, s, s, H/s, W/s] at <paramref name="phases"/> (stride s &gt; 1).
    /// Only the phases some tap reads are written (a 1×1 stride-2 kernel reads phase (0, 0) alone).
    /// </summary>
    public static void Split(in ConvGeometry g, float* image, float* phases)
    {
        int s = g.StrideH, height = g.Height, width = g.Width, ph = height / s, pw = width / s;
        int used = UsedPhases(g);
        var evenIndex = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddIndex = evenIndex + Vector512<int>.One;
        for (int c = 0; c < g.InChannels; c++)
        {
            float* plane = image + (nint)c * height * width;
            for (int a = 0; a < s; a++)
                for (int i = 0; i < ph; i++)
                {
                    float* row = plane + (nint)(s * i + a) * width;
                    float* dst0 = phases + (nint)(c * s + a) * s * ph * pw + (nint)i * pw; // phase (a, 0) row i
                    int j = 0;
                    int rowPhases = used >> (a * s) & ((1 << s) - 1); // bit b: phase (a, b) is read
                    if (rowPhases == 0) continue;
                    if (s == 2 && Avx512F.IsSupported)
                    {
                        // Deinterleave 32 inputs into 16 even (phase b = 0) and 16 odd (b = 1) columns.
                        float* dst1 = dst0 + (nint)ph * pw;
                        for (; j + 16 <= pw; j += 16)
                        {
                            Vector512<float> low = Vector512.Load(row + 2 * j), high = Vector512.Load(row + 2 * j + 16);
                            if ((rowPhases & 1) != 0) Avx512F.PermuteVar16x32x2(low, evenIndex, high).Store(dst0 + j);
                            if ((rowPhases & 2) != 0) Avx512F.PermuteVar16x32x2(low, oddIndex, high).Store(dst1 + j);
                        }
                    }
                    for (int b = 0; b < s; b++)
                    {
                        if ((rowPhases >> b & 1) == 0) continue;
                        float* dst = dst0 + (nint)b * ph * pw;
                        for (int jj = j; jj < pw; jj++) dst[jj] = row[s * jj + b];
                    }
                }
        }
    }

    /// <summary>Bit a·s + b is set when some tap reads phase (a, b).</summary>
    private static int UsedPhases(in ConvGeometry g)
    {
        int used = 0;
        for (int tap = 0; tap < g.KernelHeight * g.KernelWidth; tap++)
        {
            Shift(g, tap, out int phase, out _, out _);
            used |= 1 << phase;
        }
        return used;
    }

    /// <summary>
    /// For every tap: tapSource[tap] = its flat offset in channel 0 of the (split) image (channel c adds
    /// c · <see cref="ChannelStride"/>), tapMask[tap] = its offset in <paramref name="masks"/>; masks[tap][p] =
    /// all ones where output position p reads inside the phase plane (zero past the plane's end, up to
    /// <paramref name="planePadded"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per convolution call; tiered code is slow
    public static void BuildTaps(in ConvGeometry g, int* tapSource, int* tapMask, uint* masks, int planePadded)
    {
        int s = g.StrideH, outHeight = g.OutHeight, outWidth = g.OutWidth, plane = outHeight * outWidth;
        for (int tap = 0; tap < g.KernelHeight * g.KernelWidth; tap++)
        {
            Shift(g, tap, out int phase, out int di, out int dj);
            uint* lanes = masks + (nint)tap * planePadded;
            for (int i = 0; i < outHeight; i++, lanes += outWidth)
            {
                bool rowInside = (uint)(i + di) < (uint)outHeight;
                for (int j = 0; j < outWidth; j++)
                    lanes[j] = rowInside && (uint)(j + dj) < (uint)outWidth ? uint.MaxValue : 0u;
            }
            for (int p = plane; p < planePadded; p++, lanes++) *lanes = 0u;
            tapSource[tap] = phase * plane + di * outWidth + dj;
            tapMask[tap] = tap * planePadded;
        }
    }

    /// <summary>Distance between channels of the split image [C, s, s, OH, OW]: s·s·OH·OW.</summary>
    public static int ChannelStride(in ConvGeometry g) => g.StrideH * g.StrideH * g.OutHeight * g.OutWidth;

    /// <summary>Tap's phase index a·s + b and its shift (di, dj) in phase-plane rows and columns.</summary>
    public static void Shift(in ConvGeometry g, int tap, out int phase, out int di, out int dj)
    {
        int s = g.StrideH;
        int eh = tap / g.KernelWidth - g.PadH, ew = tap % g.KernelWidth - g.PadW;
        di = FloorDivide(eh, s); dj = FloorDivide(ew, s);
        phase = (eh - di * s) * s + (ew - dj * s);
    }

    private static int FloorDivide(int value, int divisor) =>
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}
