using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// Vectorised loops over one contiguous row of a channel (the S values of x[n, c, :]) for
/// <see cref="BatchNormKernels"/>: 512-bit where the hardware has it, else 256-bit, then a scalar tail. Each loop
/// is written once, generic over the register width (<see cref="IFloatLanes{TVector}"/>).
/// </summary>
internal static unsafe class BatchNormRows
{
    /// <summary>Σ (x[i] − mean)² over the row.</summary>
    public static float SumSquaredDeviations(float* x, int length, float mean)
    {
        int i = 0;
        float total = 0;
        if (VectorWidth.Use512 && length >= Vector512<float>.Count)
            total = SumSquaredDeviations<Vector512<float>, Lanes512>(x, length, mean, ref i);
        else if (VectorWidth.Use256 && length >= Vector256<float>.Count)
            total = SumSquaredDeviations<Vector256<float>, Lanes256>(x, length, mean, ref i);
        else if (VectorWidth.Use128 && length >= Vector128<float>.Count)
            total = SumSquaredDeviations<Vector128<float>, Lanes128>(x, length, mean, ref i);
        for (; i < length; i++)
        {
            float d = x[i] - mean;
            total += d * d;
        }
        return total;
    }

    private static float SumSquaredDeviations<TVector, TLanes>(float* x, int length, float mean, ref int i)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector m = TLanes.Broadcast(mean), acc = TLanes.Broadcast(0f);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var d = TLanes.Subtract(TLanes.Load(x + i), m);
            acc = TLanes.FusedMultiplyAdd(d, d, acc);
        }
        return TLanes.Sum(acc);
    }

    /// <summary>
    /// Σ g[i] and Σ g[i]·(x[i] − mean) over the row in one pass, where g = dy, or with ReLU (<paramref name="y"/>
    /// not null) g[i] = 0 + dy[i] where y[i] &gt; 0, else 0 — exactly what ElementwiseKernels.ReluBackward adds into
    /// a cleared buffer (the 0 + turns −0 into +0 as that sum does), so the fused backward sums the same numbers,
    /// in the same order, as batch norm's backward after a separate ReLU, without writing the masked row anywhere.
    /// </summary>
    /// <remarks>
    /// With <paramref name="mask"/>.FromX the ReLU mask is recomputed from x instead of read from y (one stream
    /// fewer): y &gt; 0 exactly where (x − mean)·scale + shift &gt; 0, evaluated as <see cref="Normalise"/> evaluated
    /// it.
    /// </remarks>
    public static void SumsOfGradient(float* dy, float* y, float* x, int length, float mean, ReluMask mask,
        out float sumDy, out float sumDyDeviation)
    {
        int i = 0;
        float total = 0, product = 0;
        // The vector loops cover the indices Normalise's did (with AVX-512, never the 256-bit loop), so a mask from
        // x sees the same fused or unfused values as the forward pass.
        if (VectorWidth.Use512)
        {
            if (length >= Vector512<float>.Count)
                SumsOfGradient<Vector512<float>, Lanes512>(dy, y, x, length, mean, mask, ref i, out total, out product);
        }
        else if (VectorWidth.Use256 && length >= Vector256<float>.Count)
            SumsOfGradient<Vector256<float>, Lanes256>(dy, y, x, length, mean, mask, ref i, out total, out product);
        else if (VectorWidth.Use128 && length >= Vector128<float>.Count)
            SumsOfGradient<Vector128<float>, Lanes128>(dy, y, x, length, mean, mask, ref i, out total, out product);
        for (; i < length; i++)
        {
            float deviation = x[i] - mean;
            float g = Masked(dy[i], y == null ? 0 : y[i], y != null, deviation, mask);
            total += g;
            product += g * deviation;
        }
        sumDy = total;
        sumDyDeviation = product;
    }

    private static void SumsOfGradient<TVector, TLanes>(float* dy, float* y, float* x, int length, float mean,
        ReluMask mask, ref int i, out float sumDy, out float sumDyDeviation)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector m = TLanes.Broadcast(mean), zero = TLanes.Broadcast(0f), accSum = zero, accProduct = zero;
        TVector scale = TLanes.Broadcast(mask.Scale), shift = TLanes.Broadcast(mask.Shift);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var g = MaskedGradient<TVector, TLanes>(dy, y, x, i, m, mask.FromX, scale, shift, out var deviation);
            accSum = TLanes.Add(accSum, g);
            accProduct = TLanes.FusedMultiplyAdd(g, deviation, accProduct);
        }
        sumDy = TLanes.Sum(accSum);
        sumDyDeviation = TLanes.Sum(accProduct);
    }

    /// <summary>
    /// dy at i.. (a vector), or with ReLU 0 + dy where the output is positive, else 0: the mask read from y, or
    /// recomputed from x as the forward's fused (x − mean)·scale + shift. Also gives x − mean.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector MaskedGradient<TVector, TLanes>(float* dy, float* y, float* x, int i, TVector mean,
        bool maskFromX, TVector scale, TVector shift, out TVector deviation)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        var g = TLanes.Load(dy + i);
        deviation = TLanes.Subtract(TLanes.Load(x + i), mean);
        var zero = TLanes.Broadcast(0f);
        if (y != null) return TLanes.Add(zero, TLanes.WherePositive(TLanes.Load(y + i), g));
        if (maskFromX)
            return TLanes.Add(zero, TLanes.WherePositive(TLanes.FusedMultiplyAdd(deviation, scale, shift), g));
        return g;
    }

    /// <summary>
    /// y[i] = (x[i] − mean)·scale + shift, then with <paramref name="relu"/> max(·, 0) in the same loop — IEEE
    /// maximum like the TensorPrimitives.Max that ElementwiseKernels.Relu applies (NaN stays NaN, −0 becomes +0),
    /// so the fused output equals batch norm then ReLU bit for bit.
    /// </summary>
    public static void Normalise(float* x, float* y, int length, float mean, float scale,
        float shift, bool relu = false)
    {
        int i = 0;
        if (VectorWidth.Use512)
            Normalise<Vector512<float>, Lanes512>(x, y, length, mean, scale, shift, relu, ref i);
        else if (VectorWidth.Use256)
            Normalise<Vector256<float>, Lanes256>(x, y, length, mean, scale, shift, relu, ref i);
        else if (VectorWidth.Use128)
            Normalise<Vector128<float>, Lanes128>(x, y, length, mean, scale, shift, relu, ref i);
        for (; i < length; i++)
        {
            float value = (x[i] - mean) * scale + shift;
            y[i] = relu ? Math.Max(value, 0f) : value;
        }
    }

    private static void Normalise<TVector, TLanes>(float* x, float* y, int length, float mean, float scale,
        float shift, bool relu, ref int i)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector m = TLanes.Broadcast(mean), a = TLanes.Broadcast(scale), b = TLanes.Broadcast(shift);
        TVector zero = TLanes.Broadcast(0f);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var value = TLanes.FusedMultiplyAdd(TLanes.Subtract(TLanes.Load(x + i), m), a, b);
            TLanes.Store(relu ? TLanes.Max(value, zero) : value, y + i);
        }
    }

    /// <summary>
    /// gradX[i] += dyScale·dy[i] + deviationScale·(x[i] − mean) + offset; with <paramref name="overwrite"/>, gradX[i] =
    /// 0 + the same (the bits of adding into a cleared buffer, without clearing or reading it). With ReLU
    /// (<paramref name="y"/> not null) dy is masked as in <see cref="SumsOfGradient"/>.
    /// </summary>
    public static void AccumulateInputGradient(float* gradX, float* dy, float* y, float* x, int length, float mean,
        ReluMask mask, float dyScale, float deviationScale, float offset, bool overwrite)
    {
        int i = 0;
        if (VectorWidth.Use512)
        {
            AccumulateInputGradient<Vector512<float>, Lanes512>(gradX, dy, y, x, length, mean, mask, dyScale,
                deviationScale, offset, overwrite, ref i);
        }
        else if (VectorWidth.Use256)
        {
            AccumulateInputGradient<Vector256<float>, Lanes256>(gradX, dy, y, x, length, mean, mask, dyScale,
                deviationScale, offset, overwrite, ref i);
        }
        else if (VectorWidth.Use128)
        {
            AccumulateInputGradient<Vector128<float>, Lanes128>(gradX, dy, y, x, length, mean, mask, dyScale,
                deviationScale, offset, overwrite, ref i);
        }
        for (; i < length; i++)
        {
            float deviation = x[i] - mean;
            float g = Masked(dy[i], y == null ? 0 : y[i], y != null, deviation, mask);
            gradX[i] = (overwrite ? 0f : gradX[i]) + (dyScale * g + deviationScale * deviation + offset);
        }
    }

    private static void AccumulateInputGradient<TVector, TLanes>(float* gradX, float* dy, float* y, float* x,
        int length, float mean, ReluMask mask, float dyScale, float deviationScale, float offset, bool overwrite,
        ref int i)
        where TVector : struct
        where TLanes : IFloatLanes<TVector>
    {
        TVector m = TLanes.Broadcast(mean), a = TLanes.Broadcast(dyScale);
        TVector b = TLanes.Broadcast(deviationScale), c = TLanes.Broadcast(offset), zero = TLanes.Broadcast(0f);
        TVector scale = TLanes.Broadcast(mask.Scale), shift = TLanes.Broadcast(mask.Shift);
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            var g = MaskedGradient<TVector, TLanes>(dy, y, x, i, m, mask.FromX, scale, shift, out var deviation);
            var partial = TLanes.FusedMultiplyAdd(deviation, b, c);
            partial = TLanes.FusedMultiplyAdd(g, a, partial);
            TLanes.Store(TLanes.Add(overwrite ? zero : TLanes.Load(gradX + i), partial), gradX + i);
        }
    }

    /// <summary>
    /// One element of the masked gradient in the scalar tails: dy, or 0 + dy where the ReLU output is positive
    /// (read from y, or recomputed from the deviation unfused, as Normalise's scalar tail computed it), else 0.
    /// </summary>
    private static float Masked(float dy, float y, bool hasY, float deviation, ReluMask mask)
    {
        if (hasY) return y > 0 ? 0f + dy : 0f;
        if (mask.FromX) return deviation * mask.Scale + mask.Shift > 0 ? 0f + dy : 0f;
        return dy;
    }
}

/// <summary>
/// The ReLU mask of a fused batch norm + ReLU backward, recomputed from x: the forward's per-channel
/// <see cref="Scale"/> (γ·invStd, rounded to float exactly as the forward rounded it) and <see cref="Shift"/> (β).
/// <see cref="None"/> when the mask comes from y or there is no ReLU.
/// </summary>
internal readonly record struct ReluMask(bool FromX, float Scale, float Shift)
{
    /// <summary>No mask from x.</summary>
    public static ReluMask None => default;
}
