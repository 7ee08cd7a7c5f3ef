using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RocketNet.Kernels;

/// <summary>
/// Packs a GEMM B micro-panel [kc][32] of the im2col matrix straight from one image, for a stride-1
/// same-size convolution (OH = H, OW = W). Panel row r = (c, kh, kw), lane j = output position p0 + j
/// = (oh, ow): value x[c, oh + kh − ph, ow + kw − pw], zero in the padding and past the last column.
/// Because the output plane has the input's shape, a row of the panel is the input plane read at the
/// constant flat shift (kh − ph)·W + (kw − pw): two masked zmm loads, whose lane mask (computed from
/// the lanes' oh and ow) zeroes the cells that came from the padding or wrapped into a neighbouring row.
/// </summary>
internal unsafe struct ImplicitPanelPacking
{
    /// <summary>Lanes per panel: the AVX-512 micro-kernel's width.</summary>
    public const int Width = GemmMicroKernel512.Nr;

    private readonly int _height, _width, _planeLength, _padH, _padW, _kernelH, _kernelW;
    private int _p0;
    private Vector512<int> _ohLow, _ohHigh, _owLow, _owHigh; // lane output coordinates (oh huge past the end)

    /// <summary>Packer for geometry <paramref name="g"/>.</summary>
    public ImplicitPanelPacking(in ConvGeometry g)
    {
        _height = g.Height; _width = g.Width; _planeLength = g.Height * g.Width;
        _padH = g.PadH; _padW = g.PadW; _kernelH = g.KernelHeight; _kernelW = g.KernelWidth;
    }

    /// <summary>Selects output positions [p0, p0 + valid) as the panel's lanes (valid ≤ 32; the rest are zero).</summary>
    [SkipLocalsInit]
    public void SetColumns(int p0, int valid)
    {
        _p0 = p0;
        int* oh = stackalloc int[Width], ow = stackalloc int[Width];
        for (int j = 0; j < Width; j++)
        {
            int p = p0 + j;
            // Lanes past the end get an oh no tap can bring back inside the plane.
            oh[j] = j < valid ? p / _width : int.MinValue / 2;
            ow[j] = p % _width;
        }
        _ohLow = Vector512.Load(oh); _ohHigh = Vector512.Load(oh + 16);
        _owLow = Vector512.Load(ow); _owHigh = Vector512.Load(ow + 16);
    }

    /// <summary>
    /// Writes panel rows [pc, pc + kc) to dst ([kc][32]). <paramref name="image"/> is this image's [C, H, W].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly void Pack(float* image, int pc, int kc, float* dst)
    {
        int taps = _kernelH * _kernelW;
        int c = pc / taps, tap = pc % taps, kh = tap / _kernelW, kw = tap % _kernelW;
        var height = Vector512.Create((uint)_height);
        var width = Vector512.Create((uint)_width);
        for (int row = 0; row < kc; row++, dst += Width)
        {
            int dh = kh - _padH, dw = kw - _padW;
            float* src = image + (nint)c * _planeLength + _p0 + dh * _width + dw;
            var ohShift = Vector512.Create(dh);
            var owShift = Vector512.Create(dw);
            Vector512<int> low = Vector512.LessThan((_ohLow + ohShift).AsUInt32(), height).AsInt32()
                & Vector512.LessThan((_owLow + owShift).AsUInt32(), width).AsInt32();
            Vector512<int> high = Vector512.LessThan((_ohHigh + ohShift).AsUInt32(), height).AsInt32()
                & Vector512.LessThan((_owHigh + owShift).AsUInt32(), width).AsInt32();
            // Masked loads: lanes in the padding read as zero without touching memory, so the window may
            // poke out of the tensor (first or last image).
            Avx512F.MaskLoad(src, low.AsSingle(), Vector512<float>.Zero).Store(dst);
            Avx512F.MaskLoad(src + 16, high.AsSingle(), Vector512<float>.Zero).Store(dst + 16);
            if (++kw == _kernelW)
            {
                kw = 0;
                if (++kh == _kernelH) { kh = 0; c++; }
            }
        }
    }
}
