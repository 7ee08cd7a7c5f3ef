using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// y = max(x·scale + shift, 0): an eval-mode batch norm folded to a per-channel affine map, then ReLU, on one
/// channel's plane, in one pass with one fused multiply-add per value. Vectorised at the widest width
/// <see cref="VectorWidth"/> allows (so ARM64, and x64 under the width cap, run the 128-bit loop); every width and
/// the scalar tail compute the same fused multiply-add and maximum, so the result does not depend on the width.
/// Reference: <see cref="Reference"/>.
/// </summary>
public static unsafe class ScaleShiftKernels
{
    /// <summary>y[i] = max(x[i]·scale + shift, 0) (rounded once before the maximum). y may be x.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ScaleShiftRelu(ReadOnlySpan<float> x, Span<float> y, float scale, float shift)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"ScaleShiftRelu: x holds {x.Length} values, y {y.Length}; expected equal.",
                nameof(y));
        fixed (float* xp = x, yp = y)
        {
            int length = x.Length, i = 0;
            if (VectorWidth.Use512) i = Vectors<Vector512<float>, Lanes512>(xp, yp, length, scale, shift);
            else if (VectorWidth.Use256) i = Vectors<Vector256<float>, Lanes256>(xp, yp, length, scale, shift);
            else if (VectorWidth.Use128) i = Vectors<Vector128<float>, Lanes128>(xp, yp, length, scale, shift);
            for (; i < length; i++) yp[i] = Math.Max(MathF.FusedMultiplyAdd(xp[i], scale, shift), 0f);
        }
    }

    /// <summary>The plain loop the kernel is tested against: y[i] = max(fma(x[i], scale, shift), 0).</summary>
    public static void Reference(ReadOnlySpan<float> x, Span<float> y, float scale, float shift)
    {
        for (int i = 0; i < x.Length; i++) y[i] = Math.Max(MathF.FusedMultiplyAdd(x[i], scale, shift), 0f);
    }

    /// <summary>The whole vectors of the loop; returns where the scalar tail starts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Vectors<TVector, TLanes>(float* x, float* y, int length, float scale, float shift)
        where TVector : struct where TLanes : struct, IFloatLanes<TVector>
    {
        TVector s = TLanes.Broadcast(scale), t = TLanes.Broadcast(shift), zero = TLanes.Broadcast(0f);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
            TLanes.Store(TLanes.Max(TLanes.FusedMultiplyAdd(TLanes.Load(x + i), s, t), zero), y + i);
        return i;
    }
}
