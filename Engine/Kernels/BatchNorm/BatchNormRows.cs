using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// Vectorised loops over one contiguous row of a channel (the S values of x[n, c, :]) for
/// <see cref="BatchNormKernels"/>: 512-bit where the hardware has it, else 256-bit, then a scalar tail.
/// </summary>
internal static unsafe class BatchNormRows
{
    /// <summary>Σ (x[i] − mean)² over the row.</summary>
    public static float SumSquaredDeviations(float* x, int length, float mean)
    {
        int i = 0;
        float total = 0;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            var m = Vector512.Create(mean);
            var acc = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var d = Vector512.Load(x + i) - m;
                acc = Vector512.FusedMultiplyAdd(d, d, acc);
            }
            total = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            var m = Vector256.Create(mean);
            var acc = Vector256<float>.Zero;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var d = Vector256.Load(x + i) - m;
                acc = Vector256.FusedMultiplyAdd(d, d, acc);
            }
            total = Vector256.Sum(acc);
        }
        for (; i < length; i++)
        {
            float d = x[i] - mean;
            total += d * d;
        }
        return total;
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
        if (Vector512.IsHardwareAccelerated)
        {
            if (length >= Vector512<float>.Count)
            {
                Vector512<float> m = Vector512.Create(mean), zero = Vector512<float>.Zero,
                    accSum = zero, accProduct = zero;
                Vector512<float> scale = Vector512.Create(mask.Scale), shift = Vector512.Create(mask.Shift);
                for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var g = Vector512.Load(dy + i);
                    var deviation = Vector512.Load(x + i) - m;
                    if (y != null)
                        g = zero + Vector512.ConditionalSelect(
                            Vector512.GreaterThan(Vector512.Load(y + i), zero), g, zero);
                    else if (mask.FromX)
                        g = zero + Vector512.ConditionalSelect(
                            Vector512.GreaterThan(Vector512.FusedMultiplyAdd(deviation, scale, shift), zero), g, zero);
                    accSum += g;
                    accProduct = Vector512.FusedMultiplyAdd(g, deviation, accProduct);
                }
                total = Vector512.Sum(accSum);
                product = Vector512.Sum(accProduct);
            }
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            Vector256<float> m = Vector256.Create(mean), zero = Vector256<float>.Zero, accSum = zero, accProduct = zero;
            Vector256<float> scale = Vector256.Create(mask.Scale), shift = Vector256.Create(mask.Shift);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.Load(dy + i);
                var deviation = Vector256.Load(x + i) - m;
                if (y != null)
                    g = zero + Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(y + i), zero), g, zero);
                else if (mask.FromX)
                    g = zero + Vector256.ConditionalSelect(
                        Vector256.GreaterThan(Vector256.FusedMultiplyAdd(deviation, scale, shift), zero), g, zero);
                accSum += g;
                accProduct = Vector256.FusedMultiplyAdd(g, deviation, accProduct);
            }
            total = Vector256.Sum(accSum);
            product = Vector256.Sum(accProduct);
        }
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

    /// <summary>
    /// y[i] = (x[i] − mean)·scale + shift, then with <paramref name="relu"/> max(·, 0) in the same loop — IEEE
    /// maximum like the TensorPrimitives.Max that ElementwiseKernels.Relu applies (NaN stays NaN, −0 becomes +0),
    /// so the fused output equals batch norm then ReLU bit for bit.
    /// </summary>
    public static void Normalise(float* x, float* y, int length, float mean, float scale,
        float shift, bool relu = false)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(mean), a = Vector512.Create(scale), b = Vector512.Create(shift),
                zero = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var value = Vector512.FusedMultiplyAdd(Vector512.Load(x + i) - m, a, b);
                (relu ? Vector512.Max(value, zero) : value).Store(y + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> m = Vector256.Create(mean), a = Vector256.Create(scale), b = Vector256.Create(shift),
                zero = Vector256<float>.Zero;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var value = Vector256.FusedMultiplyAdd(Vector256.Load(x + i) - m, a, b);
                (relu ? Vector256.Max(value, zero) : value).Store(y + i);
            }
        }
        for (; i < length; i++)
        {
            float value = (x[i] - mean) * scale + shift;
            y[i] = relu ? Math.Max(value, 0f) : value;
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
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(mean), a = Vector512.Create(dyScale);
            Vector512<float> b = Vector512.Create(deviationScale), c = Vector512.Create(offset),
                zero = Vector512<float>.Zero;
            Vector512<float> scale = Vector512.Create(mask.Scale), shift = Vector512.Create(mask.Shift);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = Vector512.Load(dy + i);
                var deviation = Vector512.Load(x + i) - m;
                if (y != null)
                    g = zero + Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Load(y + i), zero), g, zero);
                else if (mask.FromX)
                    g = zero + Vector512.ConditionalSelect(
                        Vector512.GreaterThan(Vector512.FusedMultiplyAdd(deviation, scale, shift), zero), g, zero);
                var partial = Vector512.FusedMultiplyAdd(deviation, b, c);
                partial = Vector512.FusedMultiplyAdd(g, a, partial);
                ((overwrite ? Vector512<float>.Zero : Vector512.Load(gradX + i)) + partial).Store(gradX + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> m = Vector256.Create(mean), a = Vector256.Create(dyScale);
            Vector256<float> b = Vector256.Create(deviationScale), c = Vector256.Create(offset),
                zero = Vector256<float>.Zero;
            Vector256<float> scale = Vector256.Create(mask.Scale), shift = Vector256.Create(mask.Shift);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.Load(dy + i);
                var deviation = Vector256.Load(x + i) - m;
                if (y != null)
                    g = zero + Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Load(y + i), zero), g, zero);
                else if (mask.FromX)
                    g = zero + Vector256.ConditionalSelect(
                        Vector256.GreaterThan(Vector256.FusedMultiplyAdd(deviation, scale, shift), zero), g, zero);
                var partial = Vector256.FusedMultiplyAdd(deviation, b, c);
                partial = Vector256.FusedMultiplyAdd(g, a, partial);
                ((overwrite ? Vector256<float>.Zero : Vector256.Load(gradX + i)) + partial).Store(gradX + i);
            }
        }
        for (; i < length; i++)
        {
            float deviation = x[i] - mean;
            float g = Masked(dy[i], y == null ? 0 : y[i], y != null, deviation, mask);
            gradX[i] = (overwrite ? 0f : gradX[i]) + (dyScale * g + deviationScale * deviation + offset);
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
