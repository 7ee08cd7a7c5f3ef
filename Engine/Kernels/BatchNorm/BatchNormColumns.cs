using System.Runtime.Intrinsics;

namespace RocketNet.Kernels;

/// <summary>
/// Batch norm's loops for S = 1 (BatchNorm1d: x is [N, C], so a channel's values sit one per row, C floats apart),
/// eight channels at a time as the lanes of a Vector256: step i of a block reads the 8 contiguous values
/// x[i, c0 .. c0 + 8). The per-channel path (<see cref="BatchNormRows"/>) sees rows of one value there and pays a
/// call, its set-up and a scalar tail per value, many times the per-value cost of long rows.
/// <para>
/// Every lane does exactly what those scalar tails do for a one-value row — float arithmetic rounded one operation
/// at a time, never fused, and each row's float result added to a double in row order — so the results are the
/// per-channel path's bit for bit, and the saved scale and shift recompute the forward's ReLU mask exactly.
/// </para>
/// </summary>
internal static unsafe class BatchNormColumns
{
    /// <summary>Channels per block: the floats of one Vector256.</summary>
    public const int Lanes = 8;

    /// <summary>
    /// True where the lanes run as 256-bit vectors (and the <see cref="VectorWidth"/> cap allows them); elsewhere, as
    /// on ARM64, the per-channel path serves S = 1 too, with the same bits.
    /// </summary>
    public static bool Available => VectorWidth.Use256;

    /// <summary>
    /// sum[l] = Σ_i x[i·stride + l], in double, rows in order. x: [rows] steps of 8 floats, stride apart.
    /// </summary>
    public static void Sums(float* x, int rows, nint stride, double* sum)
    {
        Vector256<double> low = default, high = default;
        for (int i = 0; i < rows; i++, x += stride)
        {
            var (a, b) = Vector256.Widen(Vector256.Load(x));
            low += a;
            high += b;
        }
        low.Store(sum);
        high.Store(sum + 4);
    }

    /// <summary>squares[l] = Σ_i (double)(d·d) with the float deviation d = x[i·stride + l] − mean[l].</summary>
    public static void SquaredDeviations(float* x, int rows, nint stride, float* mean, double* squares)
    {
        var m = Vector256.Load(mean);
        Vector256<double> low = default, high = default;
        for (int i = 0; i < rows; i++, x += stride)
        {
            var d = Vector256.Load(x) - m;
            var (a, b) = Vector256.Widen(d * d);
            low += a;
            high += b;
        }
        low.Store(squares);
        high.Store(squares + 4);
    }

    /// <summary>
    /// y = (x − mean)·scale + shift per lane (product rounded before the sum), then max(·, 0) with
    /// <paramref name="relu"/>.
    /// </summary>
    public static void Normalise(float* x, float* y, int rows, nint stride, float* mean, float* scale,
        float* shift, bool relu)
    {
        Vector256<float> m = Vector256.Load(mean), a = Vector256.Load(scale), b = Vector256.Load(shift);
        for (int i = 0; i < rows; i++, x += stride, y += stride)
        {
            var value = (Vector256.Load(x) - m) * a + b;
            (relu ? Vector256.Max(value, Vector256<float>.Zero) : value).Store(y);
        }
    }

    /// <summary>
    /// sumDy[l] = Σ_i g and sumDyDeviation[l] = Σ_i g·(x − mean) in double, with g the masked gradient of
    /// <see cref="Masked"/> (each row's float terms as the row path's one-value rows produce them).
    /// </summary>
    public static void GradientSums(float* dy, float* y, float* x, int rows, nint stride,
        float* mean, in ColumnMask mask,
        double* sumDy, double* sumDyDeviation)
    {
        var m = Vector256.Load(mean);
        var zero = Vector256<float>.Zero;
        Vector256<double> sumLow = default, sumHigh = default, productLow = default, productHigh = default;
        for (int i = 0; i < rows; i++, x += stride, dy += stride)
        {
            var deviation = Vector256.Load(x) - m;
            var g = Masked(Vector256.Load(dy), y == null ? zero : Vector256.Load(y + (nint)i * stride),
                y != null, deviation, mask);
            var (a, b) = Vector256.Widen(zero + g);
            sumLow += a;
            sumHigh += b;
            (a, b) = Vector256.Widen(zero + g * deviation);
            productLow += a;
            productHigh += b;
        }
        sumLow.Store(sumDy);
        sumHigh.Store(sumDy + 4);
        productLow.Store(sumDyDeviation);
        productHigh.Store(sumDyDeviation + 4);
    }

    /// <summary>
    /// gradX (+)= dyScale·g + deviationScale·(x − mean) + offset per lane, each product and sum rounded in that order;
    /// with <paramref name="overwrite"/> gradX = 0 + the same (adding into a cleared buffer).
    /// </summary>
    public static void AccumulateInputGradient(float* gradX, float* dy, float* y, float* x, int rows, nint stride,
        float* mean, in ColumnMask mask, float* dyScale, float* deviationScale, float* offset, bool overwrite)
    {
        Vector256<float> m = Vector256.Load(mean), a = Vector256.Load(dyScale), b = Vector256.Load(deviationScale);
        Vector256<float> c = Vector256.Load(offset), zero = Vector256<float>.Zero;
        for (int i = 0; i < rows; i++, x += stride, dy += stride, gradX += stride)
        {
            var deviation = Vector256.Load(x) - m;
            var g = Masked(Vector256.Load(dy), y == null ? zero : Vector256.Load(y + (nint)i * stride),
                y != null, deviation, mask);
            ((overwrite ? zero : Vector256.Load(gradX)) + (a * g + b * deviation + c)).Store(gradX);
        }
    }

    /// <summary>
    /// The row path's scalar Masked per lane: dy; or 0 + dy where y &gt; 0 (else 0); or, from x, 0 + dy where
    /// deviation·scale + shift &gt; 0 with the product rounded first, as the forward's scalar tail computed y.
    /// </summary>
    private static Vector256<float> Masked(Vector256<float> dy, Vector256<float> y, bool hasY,
        Vector256<float> deviation,
        in ColumnMask mask)
    {
        var zero = Vector256<float>.Zero;
        if (hasY) return zero + Vector256.ConditionalSelect(Vector256.GreaterThan(y, zero), dy, zero);
        if (mask.FromX)
            return zero
                + Vector256.ConditionalSelect(
                Vector256.GreaterThan(deviation * mask.Scale + mask.Shift, zero), dy, zero);
        return dy;
    }
}

/// <summary>
/// <see cref="ReluMask"/> for a block of <see cref="BatchNormColumns.Lanes"/> channels: the forward's saved float
/// scale and shift per lane, or <see cref="FromX"/> false when the mask comes from y or there is no ReLU.
/// </summary>
internal readonly record struct ColumnMask(bool FromX, Vector256<float> Scale, Vector256<float> Shift);
