using RocketNet.Kernels;

namespace RocketNet.Layers;

/// <summary>
/// An eval-mode batch norm reduced to what it is at inference, a per-channel affine map
/// y[n, c, s] = x[n, c, s]·Scale[c] + Shift[c] with Scale = γ/√(runningVar + eps) and Shift = β − runningMean·Scale
/// (both computed in double, then rounded once). Algebraically equal to the module's
/// γ·(x − mean)/√(var + eps) + β; the rounding differs by about one float ulp of the activation, the source of the
/// plan's bound (<see cref="ConvInferencePlan.RelativeBound"/>).
/// </summary>
internal sealed class ChannelScaleShift
{
    private ChannelScaleShift(float[] scale, float[] shift) => (Scale, Shift) = (scale, shift);

    /// <summary>Per-channel factor [C].</summary>
    public float[] Scale { get; }

    /// <summary>Per-channel offset [C].</summary>
    public float[] Shift { get; }

    /// <summary>Channels C.</summary>
    public int Channels => Scale.Length;

    /// <summary>The affine map of <paramref name="batchNorm"/>'s running statistics, copied now (a snapshot).</summary>
    public static ChannelScaleShift Of(BatchNorm batchNorm)
    {
        ReadOnlySpan<float> gamma = batchNorm.Weight.Data, beta = batchNorm.Bias.Data;
        ReadOnlySpan<float> mean = batchNorm.RunningMean.Data, variance = batchNorm.RunningVar.Data;
        int channels = batchNorm.NumFeatures;
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double s = gamma[c] / Math.Sqrt((double)variance[c] + batchNorm.Eps);
            scale[c] = (float)s;
            shift[c] = (float)(beta[c] - mean[c] * s);
        }
        return new ChannelScaleShift(scale, shift);
    }

    /// <summary>
    /// Folds this map into the convolution before it: conv(x, w) + b followed by this map equals
    /// conv(x, w') + b' with w'[o, ...] = w[o, ...]·Scale[o] and b'[o] = b[o]·Scale[o] + Shift[o].
    /// </summary>
    /// <param name="weight">[O, C, KH, KW] with O = <see cref="Channels"/>.</param>
    /// <param name="bias">[O], or empty for none.</param>
    public (float[] Weight, float[] Bias) FoldAfter(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias)
    {
        int perOutput = weight.Length / Channels;
        var folded = new float[weight.Length];
        var foldedBias = new float[Channels];
        for (int o = 0; o < Channels; o++)
        {
            for (int i = o * perOutput; i < (o + 1) * perOutput; i++) folded[i] = (float)((double)weight[i] * Scale[o]);
            foldedBias[o] = (float)((bias.IsEmpty ? 0.0 : (double)bias[o] * Scale[o]) + Shift[o]);
        }
        return (folded, foldedBias);
    }

    /// <summary>
    /// y = max(x·Scale[c] + Shift[c], 0) over x, y: [batch, C, plane] (y may be x): the pre-activation BN → ReLU
    /// of a Wide ResNet block in one pass, at the width <c>ROCKETNET_MAX_VECTOR_BITS</c> allows
    /// (<see cref="ScaleShiftKernels.ScaleShiftRelu"/>).
    /// </summary>
    public void ApplyRelu(ReadOnlySpan<float> x, Span<float> y, int batch, int plane)
    {
        int channels = Channels;
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
            {
                int start = (n * channels + c) * plane;
                ScaleShiftKernels.ScaleShiftRelu(x.Slice(start, plane), y.Slice(start, plane), Scale[c], Shift[c]);
            }
    }
}
