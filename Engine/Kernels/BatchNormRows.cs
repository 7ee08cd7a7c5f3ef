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

    /// <summary>Σ dy[i]·(x[i] − mean) over the row.</summary>
    public static float SumProductWithDeviations(float* dy, float* x, int length, float mean)
    {
        int i = 0;
        float total = 0;
        if (Vector512.IsHardwareAccelerated && length >= Vector512<float>.Count)
        {
            var m = Vector512.Create(mean);
            var acc = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                acc = Vector512.FusedMultiplyAdd(Vector512.Load(dy + i), Vector512.Load(x + i) - m, acc);
            total = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            var m = Vector256.Create(mean);
            var acc = Vector256<float>.Zero;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(dy + i), Vector256.Load(x + i) - m, acc);
            total = Vector256.Sum(acc);
        }
        for (; i < length; i++) total += dy[i] * (x[i] - mean);
        return total;
    }

    /// <summary>y[i] = (x[i] − mean)·scale + shift.</summary>
    public static void Normalise(float* x, float* y, int length, float mean, float scale, float shift)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(mean), a = Vector512.Create(scale), b = Vector512.Create(shift);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
                Vector512.FusedMultiplyAdd(Vector512.Load(x + i) - m, a, b).Store(y + i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> m = Vector256.Create(mean), a = Vector256.Create(scale), b = Vector256.Create(shift);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
                Vector256.FusedMultiplyAdd(Vector256.Load(x + i) - m, a, b).Store(y + i);
        }
        for (; i < length; i++) y[i] = (x[i] - mean) * scale + shift;
    }

    /// <summary>
    /// gradX[i] += dyScale·dy[i] + deviationScale·(x[i] − mean) + offset; with <paramref name="overwrite"/>, gradX[i] =
    /// 0 + the same (the bits of adding into a cleared buffer, without clearing or reading it).
    /// </summary>
    public static void AccumulateInputGradient(float* gradX, float* dy, float* x, int length, float mean,
        float dyScale, float deviationScale, float offset, bool overwrite)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> m = Vector512.Create(mean), a = Vector512.Create(dyScale);
            Vector512<float> b = Vector512.Create(deviationScale), c = Vector512.Create(offset);
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var partial = Vector512.FusedMultiplyAdd(Vector512.Load(x + i) - m, b, c);
                partial = Vector512.FusedMultiplyAdd(Vector512.Load(dy + i), a, partial);
                ((overwrite ? Vector512<float>.Zero : Vector512.Load(gradX + i)) + partial).Store(gradX + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> m = Vector256.Create(mean), a = Vector256.Create(dyScale);
            Vector256<float> b = Vector256.Create(deviationScale), c = Vector256.Create(offset);
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var partial = Vector256.FusedMultiplyAdd(Vector256.Load(x + i) - m, b, c);
                partial = Vector256.FusedMultiplyAdd(Vector256.Load(dy + i), a, partial);
                ((overwrite ? Vector256<float>.Zero : Vector256.Load(gradX + i)) + partial).Store(gradX + i);
            }
        }
        for (; i < length; i++) gradX[i] = (overwrite ? 0f : gradX[i]) + (dyScale * dy[i] + deviationScale * (x[i] - mean) + offset);
    }

    /// <summary>
    /// masked[i] = 0 + dy[i] where y[i] &gt; 0, else 0: exactly what ElementwiseKernels.ReluBackward adds into a
    /// cleared gradient buffer (the 0 + turns a −0 gradient into +0 as that sum does), so the fused
    /// backward sees the same numbers as batch norm's backward after a separate ReLU.
    /// </summary>
    public static void MaskByPositive(float* dy, float* y, float* masked, int length)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var zero = Vector512<float>.Zero;
            for (; i <= length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var positive = Vector512.GreaterThan(Vector512.Load(y + i), zero);
                (zero + Vector512.ConditionalSelect(positive, Vector512.Load(dy + i), zero)).Store(masked + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var zero = Vector256<float>.Zero;
            for (; i <= length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var positive = Vector256.GreaterThan(Vector256.Load(y + i), zero);
                (zero + Vector256.ConditionalSelect(positive, Vector256.Load(dy + i), zero)).Store(masked + i);
            }
        }
        for (; i < length; i++) masked[i] = y[i] > 0 ? 0f + dy[i] : 0f;
    }
}
