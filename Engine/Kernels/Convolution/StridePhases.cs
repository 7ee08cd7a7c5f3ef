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
/// <remarks>
/// <see cref="Split(in ConvGeometry, float*, float*, int)"/> and <see cref="Interleave"/> run once per image, so
/// they carry <see cref="MethodImplOptions.AggressiveOptimization"/>: the tiered JIT's unoptimised first code
/// would serve many calls and was several times slower. Interleave's row-clearing helper is inlined into it for
/// the same reason (on its own it would start unoptimised too). docs/performance.md has the figures.
/// </remarks>
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
    public static void Split(in ConvGeometry g, float* image, float* phases) =>
        Split(g, image, phases, ChannelStride(g));

    /// <summary>
    /// <see cref="Split(in ConvGeometry, float*, float*)"/> with channel c's phases starting at c ·
    /// <paramref name="channelStride"/>:
    /// <see cref="CompactChannelStride"/> packs the channels' only phase (0, 0) planes back to back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Split(in ConvGeometry g, float* image, float* phases, int channelStride)
    {
        int s = g.StrideH, height = g.Height, width = g.Width, ph = height / s, pw = width / s;
        int used = UsedPhases(g);
        var evenIndex = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var oddIndex = evenIndex + Vector512<int>.One;
        var halfIndex = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        for (int c = 0; c < g.InChannels; c++)
        {
            float* plane = image + (nint)c * height * width;
            for (int a = 0; a < s; a++)
                for (int i = 0; i < ph; i++)
                {
                    float* row = plane + (nint)(s * i + a) * width;
                    // phase (a, 0) row i
                    float* dst0 = phases + (nint)c * channelStride + (nint)a * s * ph * pw + (nint)i * pw;
                    int j = 0;
                    int rowPhases = used >> (a * s) & ((1 << s) - 1); // bit b: phase (a, b) is read
                    if (rowPhases == 0) continue;
                    if (s == 2 && VectorWidth.Use512 && Avx512F.IsSupported)
                    {
                        // Deinterleave 32 inputs into 16 even (phase b = 0) and 16 odd (b = 1) columns, then 16 into 8
                        // and 8.
                        float* dst1 = dst0 + (nint)ph * pw;
                        for (; j + 16 <= pw; j += 16)
                        {
                            Vector512<float> low = Vector512.Load(row + 2 * j), high = Vector512.Load(row + 2 * j + 16);
                            if ((rowPhases & 1) != 0) Avx512F.PermuteVar16x32x2(low, evenIndex, high).Store(dst0 + j);
                            if ((rowPhases & 2) != 0) Avx512F.PermuteVar16x32x2(low, oddIndex, high).Store(dst1 + j);
                        }
                        if (j + 8 <= pw)
                        {
                            // 16 inputs: 8 even columns to the lower half, 8 odd ones to the upper.
                            Vector512<float> parted = Avx512F.PermuteVar16x32(Vector512.Load(row + 2 * j), halfIndex);
                            if ((rowPhases & 1) != 0) parted.GetLower().Store(dst0 + j);
                            if ((rowPhases & 2) != 0) parted.GetUpper().Store(dst1 + j);
                            j += 8;
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

    /// <summary>
    /// image [C, H, W] (+)= phases [s, s, C, H/s, W/s] put back in place: image[c, s·i + a, s·j + b] (+)=
    /// phases[a, b, c, i, j], the inverse of <see cref="Split(in ConvGeometry, float*, float*)"/> but phase-major
    /// (stride s &gt; 1). Phases no tap touches (a 1×1 stride-2 kernel: all but (0, 0)) are not read and count as
    /// zero: written as zeros when overwriting, left as they are when <paramref name="accumulate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Interleave(in ConvGeometry g, float* phases, float* image, bool accumulate)
    {
        int s = g.StrideH, height = g.Height, width = g.Width, ph = height / s, pw = width / s;
        int used = UsedPhases(g);
        // An absent phase adds −0 (which leaves every value, −0 included, as it is) or writes +0.
        var absent = accumulate ? Vector512.Create(-0f) : Vector512<float>.Zero;
        var lowIndex = Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        var highIndex = lowIndex + Vector512.Create(8);
        var halfIndex = Vector512.Create(0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
        nint phaseStride = (nint)g.InChannels * ph * pw; // from phase (a, b) to (a, b + 1)
        for (int c = 0; c < g.InChannels; c++)
            for (int i = 0; i < ph; i++)
                for (int a = 0; a < s; a++)
                {
                    float* row = image + ((nint)c * height + s * i + a) * width;
                    float* src0 = phases + (a * s * phaseStride) + ((nint)c * ph + i) * pw; // phase (a, 0), c, row i
                    int rowPhases = used >> (a * s) & ((1 << s) - 1); // bit b: phase (a, b) was computed
                    if (rowPhases == 0)
                    {
                        if (!accumulate) ClearRow(row, width);
                        continue;
                    }
                    int j = 0;
                    if (s == 2 && VectorWidth.Use512 && Avx512F.IsSupported)
                    {
                        // Interleave 16 even (phase b = 0) and 16 odd (b = 1) columns into 32 outputs, then 8 and 8.
                        float* src1 = src0 + phaseStride;
                        bool even = (rowPhases & 1) != 0, odd = (rowPhases & 2) != 0;
                        for (; j + 16 <= pw; j += 16)
                        {
                            Vector512<float> e = even ? Vector512.Load(src0 + j) : absent;
                            Vector512<float> o = odd ? Vector512.Load(src1 + j) : absent;
                            Vector512<float> low = Avx512F.PermuteVar16x32x2(e, lowIndex, o);
                            Vector512<float> high = Avx512F.PermuteVar16x32x2(e, highIndex, o);
                            if (accumulate)
                            {
                                low += Vector512.Load(row + 2 * j);
                                high += Vector512.Load(row + 2 * j + 16);
                            }
                            low.Store(row + 2 * j);
                            high.Store(row + 2 * j + 16);
                        }
                        if (j + 8 <= pw)
                        {
                            var pair = Vector512.Create(even ? Vector256.Load(src0 + j) : absent.GetLower(),
                                odd ? Vector256.Load(src1 + j) : absent.GetLower());
                            Vector512<float> both = Avx512F.PermuteVar16x32(pair, halfIndex);
                            if (accumulate) both += Vector512.Load(row + 2 * j);
                            both.Store(row + 2 * j);
                            j += 8;
                        }
                    }
                    for (int b = 0; b < s; b++)
                    {
                        float* src = src0 + b * phaseStride;
                        bool computed = (rowPhases >> b & 1) != 0;
                        if (accumulate)
                        {
                            if (computed) for (int jj = j; jj < pw; jj++) row[s * jj + b] += src[jj];
                        }
                        else
                        {
                            for (int jj = j; jj < pw; jj++) row[s * jj + b] = computed ? src[jj] : 0f;
                        }
                    }
                }
    }

    /// <summary>row[0 .. width) = 0 in whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into Interleave's optimised code (see the class remarks)
    private static void ClearRow(float* row, int width)
    {
        int j = 0;
        for (; j + 16 <= width; j += 16) Vector512<float>.Zero.Store(row + j);
        for (; j < width; j++) row[j] = 0f;
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

    /// <summary>Distance between channels of the split image [C, s, s, OH, OW]: s·s·OH·OW.</summary>
    public static int ChannelStride(in ConvGeometry g) => g.StrideH * g.StrideH * g.OutHeight * g.OutWidth;

    /// <summary>
    /// <see cref="ChannelStride"/>, or OH·OW when phase (0, 0) is the only one read (1×1 kernels): then the
    /// split image is [C, OH, OW], and its planes are not s·s planes apart (4 KB at 16 × 16 phases: every
    /// channel's line in one L1 set).
    /// </summary>
    public static int CompactChannelStride(in ConvGeometry g) =>
        UsedPhases(g) == 1 ? g.OutHeight * g.OutWidth : ChannelStride(g);

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
