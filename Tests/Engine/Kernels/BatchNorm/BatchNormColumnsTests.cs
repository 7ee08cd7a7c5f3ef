using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// Batch norm with S = 1 runs eight channels per vector (<see cref="BatchNormColumns"/>) and the channels past the
/// last whole block one by one through the row path. Channel 8 of a 9-channel batch is such a leftover, so giving
/// it the values (and γ, β, running statistics, gradients) of a channel inside the first block makes the two paths
/// compute the same thing side by side: every result of the two channels must agree bit for bit.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class BatchNormColumnsTests
{
    private const int Channels = 9, Twin = 3, Leftover = 8;

    public static TheoryData<int> Batches => new() { 2, 7, 64, 300 };

    [Theory]
    [MemberData(nameof(Batches))]
    public void BlockLanesMatchTheOneByOnePathBitForBit(int n)
    {
        var random = new Random(61 + n);
        float[] x = Twinned(RandomArray(random, n * Channels, 3f), n);
        x[Twin] = x[Leftover] = -0f; // a signed zero in both
        float[] gamma = TwinnedRow(RandomArray(random, Channels, 1.5f)),
            beta = TwinnedRow(RandomArray(random, Channels, 0.5f));
        foreach (bool relu in new[] { false, true })
        {
            float[] y = new float[x.Length], mean = new float[Channels], invStd = new float[Channels];
            float[] scale = new float[Channels], shift = new float[Channels];
            float[] runningMean = TwinnedRow(RandomArray(random, Channels)),
                runningVar = TwinnedRow(RandomArray(random, Channels, 0.5f));
            for (int i = 0; i < Channels; i++) runningVar[i] += 1;
            BatchNormKernels.ForwardTrainingCore(relu, x, gamma, beta, y, mean, invStd, runningMean, runningVar,
                n, Channels, 1, 0.1f, 1e-5f, scale, shift);
            AssertTwinsEqual(y, n, "training y");
            AssertTwinsEqual(mean, 1, "mean");
            AssertTwinsEqual(invStd, 1, "invStd");
            AssertTwinsEqual(runningMean, 1, "running mean");
            AssertTwinsEqual(runningVar, 1, "running var");
            AssertTwinsEqual(scale, 1, "saved scale");

            float[] yInference = new float[x.Length];
            BatchNormKernels.ForwardInferenceCore(relu, x, gamma, beta, runningMean, runningVar, yInference,
                n, Channels, 1, 1e-5f);
            AssertTwinsEqual(yInference, n, "inference y");

            float[] gradY = Twinned(RandomArray(random, x.Length), n);
            foreach (bool overwrite in new[] { false, true })
            {
                // No mask, the mask from y, and (with ReLU) the mask recomputed from x.
                var masks = relu ? new[] { 1, 2 } : new[] { 0 };
                foreach (int maskKind in masks)
                {
                    float[] gradX = Twinned(RandomArray(random, x.Length), n);
                    float[] gradGamma = TwinnedRow(RandomArray(random, Channels)),
                        gradBeta = TwinnedRow(RandomArray(random, Channels));
                    BatchNormKernels.BackwardCore(x, maskKind == 1 ? y : [], gradY, gamma, mean, invStd, gradX,
                        gradGamma, gradBeta, n, Channels, 1, overwrite,
                        maskKind == 2 ? scale : default, maskKind == 2 ? shift : default);
                    AssertTwinsEqual(gradX, n, $"gradX (mask {maskKind}, overwrite {overwrite})");
                    AssertTwinsEqual(gradGamma, 1, "gradGamma");
                    AssertTwinsEqual(gradBeta, 1, "gradBeta");
                }
            }
        }
    }

    [Fact]
    public void BlockLanesRoundTheReluInputLikeTheScalarPath()
    {
        // For S = 1 the row path computes (x − μ)·scale + β with the product rounded first. With β = −round(d·scale)
        // for an element whose product rounds down, that value is exactly 0 (masked), where a fused multiply-add
        // would keep the positive rounding error. The lanes must mask it too, forward and in the backward that
        // recomputes the mask from x.
        const int n = 16;
        var random = new Random(62);
        float[] x = Twinned(RandomArray(random, n * Channels, 3f), n);
        float[] gamma = TwinnedRow(RandomArray(random, Channels, 1.5f)), beta = new float[Channels];
        float[] y = new float[x.Length], mean = new float[Channels], invStd = new float[Channels];
        float[] scale = new float[Channels], shift = new float[Channels];
        BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, [], [], n, Channels, 1, 0.1f, 1e-5f,
            scale, shift);
        int boundary = -1;
        for (int i = 0; i < n && boundary < 0; i++)
        {
            float d = x[i * Channels + Twin] - mean[Twin];
            if (MathF.FusedMultiplyAdd(d, scale[Twin], -(d * scale[Twin])) > 0) boundary = i * Channels + Twin;
        }
        Assert.True(boundary >= 0, "no element with a positive rounding error");
        beta[Twin] = beta[Leftover] = -((x[boundary] - mean[Twin]) * scale[Twin]);
        // β does not change the batch statistics, so scale stays the same and the element sits on the boundary.
        BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, [], [], n, Channels, 1, 0.1f, 1e-5f,
            scale, shift);
        Assert.Equal(0f, y[boundary]);
        AssertTwinsEqual(y, n, "y");

        float[] gradY = Twinned(RandomArray(random, x.Length), n);
        float[] fromY = new float[x.Length], fromX = new float[x.Length];
        BatchNormReluKernels.Backward(x, y, gradY, gamma, mean, invStd, fromY, [], [], n, Channels, 1);
        BatchNormReluKernels.BackwardRecomputingMask(x, gradY, gamma, mean, invStd, scale, shift, fromX, [], [], n,
            Channels, 1);
        Assert.Equal(Bits(fromY), Bits(fromX));
        AssertTwinsEqual(fromX, n, "gradX");
    }

    // Column Leftover := column Twin in [n, Channels].
    private static float[] Twinned(float[] values, int n)
    {
        for (int i = 0; i < n; i++) values[i * Channels + Leftover] = values[i * Channels + Twin];
        return values;
    }

    private static float[] TwinnedRow(float[] values) => Twinned(values, 1);

    private static void AssertTwinsEqual(float[] values, int n, string what)
    {
        for (int i = 0; i < n; i++)
        {
            int twin = BitConverter.SingleToInt32Bits(values[i * Channels + Twin]);
            int leftover = BitConverter.SingleToInt32Bits(values[i * Channels + Leftover]);
            Assert.True(twin == leftover,
                $"{what}, row {i}: lanes {values[i * Channels + Twin]:R} ({twin:X8}), one by one " +
                $"{values[i * Channels + Leftover]:R} ({leftover:X8})");
        }
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
