using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// The three transforms of <see cref="WinogradF23Convolution"/> (F(2×2, 3×3), the matrices of
/// <see cref="WinogradF23Reference"/>), vectorised over 16 neighbouring tiles of a tile row. Tile (ty, tx) reads
/// input rows 2ty − 1 .. 2ty + 2 and columns 2tx − 1 .. 2tx + 2, a stride-2 pattern; each input plane is first
/// split into its odd and even columns (<see cref="Deinterleave"/>), after which the four columns a tile needs
/// are plain loads of 16 consecutive floats at offsets 0 and 1.
/// </summary>
internal static unsafe partial class WinogradF23Transforms
{
    /// <summary>Lanes 0, 2, .., 30 of two vectors: the even elements of 32 consecutive floats.</summary>
    internal static readonly Vector512<int> EvenLanes = Vector512<int>.Indices * 2;

    /// <summary>Lanes 1, 3, .., 31 of two vectors: the odd elements.</summary>
    internal static readonly Vector512<int> OddLanes = Vector512<int>.Indices * 2 + Vector512<int>.One;

    /// <summary>Lanes 0, 16, 1, 17, .., 7, 23: interleaves the low halves of two vectors.</summary>
    internal static readonly Vector512<int> LowPairs =
        (Vector512<int>.Indices >>> 1) + (Vector512<int>.Indices & Vector512<int>.One) * 16;

    /// <summary>Lanes 8, 24, .., 15, 31: interleaves the high halves.</summary>
    internal static readonly Vector512<int> HighPairs = LowPairs + Vector512.Create(8);

    /// <summary>
    /// Tile counts of an H×W plane and the layout of its deinterleaved copy: two planes (columns 2j − 1, then
    /// columns 2j) of <see cref="Rows"/> rows (input rows −1 .. H + 1, the outer ones zero) by
    /// <see cref="Stride"/> floats, room for every 16-tile group plus one.
    /// </summary>
    internal readonly struct Shape
    {
        public Shape(int height, int width)
        {
            Height = height;
            Width = width;
            TilesY = (height + 1) / 2;
            TilesX = (width + 1) / 2;
            Stride = (TilesX + 15) / 16 * 16 + 16;
            Rows = height + 3;
        }

        /// <summary>Plane height H.</summary>
        public int Height { get; }

        /// <summary>Plane width W.</summary>
        public int Width { get; }

        /// <summary>Rows of 2×2 output tiles, ⌈H / 2⌉ (the last one may be half outside).</summary>
        public int TilesY { get; }

        /// <summary>Columns of 2×2 output tiles, ⌈W / 2⌉.</summary>
        public int TilesX { get; }

        /// <summary>Row length of the deinterleaved planes.</summary>
        public int Stride { get; }

        /// <summary>Rows of the deinterleaved planes: H + 3.</summary>
        public int Rows { get; }

        /// <summary>Floats of one deinterleaved plane.</summary>
        public int PlaneLength => Rows * Stride;
    }

    /// <summary>Zeroes both deinterleaved planes: their borders are the convolution's zero padding.</summary>
    public static void ClearPlanes(in Shape shape, float* planes) =>
        new Span<float>(planes, 2 * shape.PlaneLength).Clear();

    /// <summary>
    /// Copies the input rows tile rows [ty0, ty1) read from plane x [H, W] into planes: odd[r + 1][j] = x[r, 2j − 1]
    /// and even[r + 1][j] = x[r, 2j]; cells outside the image stay zero. 32 columns per step, masked at the edge.
    /// </summary>
    public static void Deinterleave(in Shape shape, float* x, float* planes, int ty0, int ty1)
    {
        int width = shape.Width, stride = shape.Stride;
        float* odd = planes, even = planes + shape.PlaneLength;
        int first = Math.Max(0, 2 * ty0 - 1), end = Math.Min(shape.Height, 2 * ty1 + 1);
        for (int r = first; r < end; r++)
        {
            float* source = x + (nint)r * width;
            float* oddRow = odd + (nint)(r + 1) * stride, evenRow = even + (nint)(r + 1) * stride;
            for (int b = 0; b < width; b += 32)
            {
                int count = width - b;
                Vector512<float> low = Avx512F.MaskLoad(source + b, Mask(count), Vector512<float>.Zero);
                Vector512<float> high = Avx512F.MaskLoad(source + b + 16, Mask(count - 16), Vector512<float>.Zero);
                // Lanes past the edge load zero and store zero: they are padding cells.
                Vector512.Store(Avx512F.PermuteVar16x32x2(low, EvenLanes, high), evenRow + b / 2);
                Vector512.Store(Avx512F.PermuteVar16x32x2(low, OddLanes, high), oddRow + b / 2 + 1);
            }
        }
    }

    /// <summary>
    /// V = Bᵀ·d·B for every tile of tile rows [ty0, ty1) of one deinterleaved channel plane. Tile (ty, tx) is
    /// chunk tile t = t0 + (ty − ty0)·TilesX + tx; cell ξ of it goes to v + ξ·cellStride + (t / 32)·32·C + t % 32
    /// (v already offset to the channel: the micro-kernel's [C][32] B panels).
    /// </summary>
    public static void Input(in Shape shape, float* planes, int ty0, int ty1, float* v, int t0, int inChannels,
        nint cellStride)
    {
        // Runs start at multiples of min(TilesX, 16) tiles: with TilesX a multiple of 16 every run fills 16 lanes
        // of one panel, with TilesX dividing 16 it stays inside one panel; only other widths need the general store.
        if (shape.TilesX % 16 == 0) Input<FullRun>(shape, planes, ty0, ty1, v, t0, inChannels, cellStride);
        else if (16 % shape.TilesX == 0) Input<MaskedRun>(shape, planes, ty0, ty1, v, t0, inChannels, cellStride);
        else Input<SplitRun>(shape, planes, ty0, ty1, v, t0, inChannels, cellStride);
    }

    /// <summary>The public <c>Input</c> with one kind of store.</summary>
    private static void Input<TRun>(in Shape shape, float* planes, int ty0, int ty1, float* v, int t0, int inChannels,
        nint cellStride) where TRun : struct, IRun<TRun>
    {
        int stride = shape.Stride, tilesX = shape.TilesX;
        nint panelStride = (nint)GemmMicroKernel512.Nr * inChannels;
        float* odd = planes, even = planes + shape.PlaneLength;
        for (int ty = ty0, t = t0; ty < ty1; ty++, t += tilesX)
            for (int tx = 0; tx < tilesX; tx += 16)
            {
                float* o0 = odd + (nint)2 * ty * stride + tx, e0 = even + (nint)2 * ty * stride + tx;
                // Bᵀ·d: rows of the tile combined, one vector per column k (d[i][k] at rows i, offsets k / 2).
                // Column k of the tile: columns 2tx − 1, 2tx, 2tx + 1, 2tx + 2 are odd[tx], even[tx], odd[tx + 1],
                // even[tx + 1].
                Rows(o0, stride, out var r00, out var r10, out var r20, out var r30);
                Rows(e0, stride, out var r01, out var r11, out var r21, out var r31);
                Rows(o0 + 1, stride, out var r02, out var r12, out var r22, out var r32);
                Rows(e0 + 1, stride, out var r03, out var r13, out var r23, out var r33);
                var run = TRun.Create(v, t + tx, Math.Min(16, tilesX - tx), panelStride);
                // (Bᵀ·d)·B: the same combination across the columns.
                Columns(run, 0, cellStride, r00, r01, r02, r03);
                Columns(run, 4, cellStride, r10, r11, r12, r13);
                Columns(run, 8, cellStride, r20, r21, r22, r23);
                Columns(run, 12, cellStride, r30, r31, r32, r33);
            }
    }

    /// <summary>
    /// The four rows of Bᵀ applied to one column of 16 tiles (d0..d3 at <paramref name="column"/> + i·stride):
    /// d0 − d2, d1 + d2, d2 − d1, d1 − d3.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Rows(float* column, nint stride, out Vector512<float> r0, out Vector512<float> r1,
        out Vector512<float> r2, out Vector512<float> r3)
    {
        Vector512<float> d0 = Vector512.Load(column), d1 = Vector512.Load(column + stride);
        Vector512<float> d2 = Vector512.Load(column + 2 * stride), d3 = Vector512.Load(column + 3 * stride);
        r0 = d0 - d2;
        r1 = d1 + d2;
        r2 = d2 - d1;
        r3 = d1 - d3;
    }

    /// <summary>The four columns of B applied to one row of Bᵀ·d, stored as cells first .. first + 3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns<TRun>(in TRun run, int first, nint cellStride, Vector512<float> d0, Vector512<float> d1,
        Vector512<float> d2, Vector512<float> d3) where TRun : struct, IRun<TRun>
    {
        run.Store(first * cellStride, d0 - d2);
        run.Store((first + 1) * cellStride, d1 + d2);
        run.Store((first + 2) * cellStride, d2 - d1);
        run.Store((first + 3) * cellStride, d1 - d3);
    }

    /// <summary>
    /// y = Aᵀ·M·A (+ bias) (+ residual) for every tile of tile rows [ty0, ty1) of one output plane [H, W]; y is
    /// overwritten, or added to when <paramref name="accumulate"/>. m: the plane's first tile in cell 0, cells
    /// <paramref name="cellStride"/> apart, a tile row's tiles consecutive.
    /// </summary>
    public static void Output(in Shape shape, float* m, nint cellStride, int ty0, int ty1, float* y, float bias,
        float* residual, bool accumulate)
    {
        int width = shape.Width, tilesX = shape.TilesX;
        var biasVector = Vector512.Create(bias);
        for (int ty = ty0, t = 0; ty < ty1; ty++, t += tilesX)
            for (int tx = 0; tx < tilesX; tx += 16)
            {
                float* source = m + t + tx;
                // Aᵀ·M: rows 0 + 1 + 2 and 1 − 2 − 3 of each column j.
                Vector512<float> s00, s01, s02, s03, s10, s11, s12, s13;
                Combine(source, 0, cellStride, out s00, out s10);
                Combine(source, 1, cellStride, out s01, out s11);
                Combine(source, 2, cellStride, out s02, out s12);
                Combine(source, 3, cellStride, out s03, out s13);
                // (Aᵀ·M)·A: the same across the columns gives the tile's 2×2 outputs.
                Vector512<float> y00 = s00 + s01 + s02, y01 = s01 - s02 - s03;
                Vector512<float> y10 = s10 + s11 + s12, y11 = s11 - s12 - s13;
                int column = 2 * tx, count = width - column, row = 2 * ty;
                nint offset = (nint)row * width + column;
                Write(y + offset, residual == null ? null : residual + offset, count, biasVector, accumulate,
                    Avx512F.PermuteVar16x32x2(y00, LowPairs, y01), Avx512F.PermuteVar16x32x2(y00, HighPairs, y01));
                if (row + 1 < shape.Height)
                    Write(y + offset + width, residual == null ? null : residual + offset + width, count, biasVector,
                        accumulate, Avx512F.PermuteVar16x32x2(y10, LowPairs, y11),
                        Avx512F.PermuteVar16x32x2(y10, HighPairs, y11));
            }
    }

    /// <summary>Column j of Aᵀ·M: s0 = m0j + m1j + m2j, s1 = m1j − m2j − m3j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(float* source, int j, nint cellStride, out Vector512<float> s0, out Vector512<float> s1)
    {
        Vector512<float> m0 = Vector512.Load(source + j * cellStride);
        Vector512<float> m1 = Vector512.Load(source + (4 + j) * cellStride);
        Vector512<float> m2 = Vector512.Load(source + (8 + j) * cellStride);
        Vector512<float> m3 = Vector512.Load(source + (12 + j) * cellStride);
        s0 = m0 + m1 + m2;
        s1 = m1 - m2 - m3;
    }

    /// <summary>Stores up to 32 outputs of one row (two vectors; masked at the plane's edge).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write(float* y, float* residual, int count, Vector512<float> bias, bool accumulate,
        Vector512<float> low, Vector512<float> high)
    {
        if (count >= 32)
        {
            WriteFull(y, residual, bias, accumulate, low);
            WriteFull(y + 16, residual == null ? null : residual + 16, bias, accumulate, high);
            return;
        }
        WriteMasked(y, residual, Mask(count), bias, accumulate, low);
        if (count > 16)
            WriteMasked(y + 16, residual == null ? null : residual + 16, Mask(count - 16), bias, accumulate, high);
    }

    /// <summary>
    /// y = value + bias (+ residual) (+ y when <paramref name="accumulate"/>) on 16 floats, in that order (shared with
    /// <see cref="WinogradF43Transforms"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteFull(float* y, float* residual, Vector512<float> bias, bool accumulate,
        Vector512<float> value)
    {
        value += bias;
        if (residual != null) value += Vector512.Load(residual);
        if (accumulate) value = Vector512.Load(y) + value;
        Vector512.Store(value, y);
    }

    /// <summary>As <see cref="WriteFull"/> on the lanes of <paramref name="mask"/> (the same sums).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteMasked(float* y, float* residual, Vector512<float> mask, Vector512<float> bias,
        bool accumulate, Vector512<float> value)
    {
        value += bias;
        if (residual != null) value += Avx512F.MaskLoad(residual, mask, Vector512<float>.Zero);
        if (accumulate) value = Avx512F.MaskLoad(y, mask, Vector512<float>.Zero) + value;
        Avx512F.MaskStore(y, mask, value);
    }

    /// <summary>Lanes 0 .. count − 1 set (none for count ≤ 0, all for count ≥ 16).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Mask(int count) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    /// <summary>Where a run of up to 16 consecutive chunk tiles lands in V, and how it is stored.</summary>
    private interface IRun<TSelf> where TSelf : struct, IRun<TSelf>
    {
        /// <summary>The run of <paramref name="count"/> tiles from chunk tile <paramref name="tile"/>.</summary>
        static abstract TSelf Create(float* v, int tile, int count, nint panelStride);

        /// <summary>Stores the run's lanes of <paramref name="value"/> at cell <paramref name="offset"/>.</summary>
        void Store(nint offset, Vector512<float> value);
    }

    /// <summary>16 tiles filling half a panel: a plain store.</summary>
    private readonly struct FullRun : IRun<FullRun>
    {
        private readonly float* _first;

        private FullRun(float* first) => _first = first;

        public static FullRun Create(float* v, int tile, int count, nint panelStride) =>
            new(v + tile / GemmMicroKernel512.Nr * panelStride + tile % GemmMicroKernel512.Nr);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(nint offset, Vector512<float> value) => Vector512.Store(value, _first + offset);
    }

    /// <summary>Fewer than 16 tiles inside one panel: a masked store.</summary>
    private readonly struct MaskedRun : IRun<MaskedRun>
    {
        private readonly float* _first;
        private readonly Vector512<float> _mask;

        private MaskedRun(float* first, Vector512<float> mask)
        {
            _first = first;
            _mask = mask;
        }

        public static MaskedRun Create(float* v, int tile, int count, nint panelStride) =>
            new(v + tile / GemmMicroKernel512.Nr * panelStride + tile % GemmMicroKernel512.Nr, Mask(count));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(nint offset, Vector512<float> value) => Avx512F.MaskStore(_first + offset, _mask, value);
    }

    /// <summary>
    /// Any run: lanes of one panel, or the end of one and the start of the next (a run crossing a 32-tile
    /// boundary, possible when TilesX neither divides 16 nor is a multiple of it).
    /// </summary>
    private readonly struct SplitRun : IRun<SplitRun>
    {
        private readonly float* _first, _second;
        private readonly Vector512<float> _firstMask, _secondMask;
        private readonly Vector512<int> _rotation;
        private readonly bool _split;

        private SplitRun(float* v, int tile, int count, nint panelStride)
        {
            int panel = tile / GemmMicroKernel512.Nr, lane = tile % GemmMicroKernel512.Nr;
            int firstCount = Math.Min(count, GemmMicroKernel512.Nr - lane);
            _first = v + panel * panelStride + lane;
            _second = v + (panel + 1) * panelStride;
            _firstMask = Mask(firstCount);
            _secondMask = Mask(count - firstCount);
            _rotation = Vector512<int>.Indices + Vector512.Create(firstCount);
            _split = firstCount < count;
        }

        public static SplitRun Create(float* v, int tile, int count, nint panelStride) =>
            new(v, tile, count, panelStride);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(nint offset, Vector512<float> value)
        {
            Avx512F.MaskStore(_first + offset, _firstMask, value);
            if (_split)
                Avx512F.MaskStore(_second + offset, _secondMask, Avx512F.PermuteVar16x32(value, _rotation));
        }
    }
}
