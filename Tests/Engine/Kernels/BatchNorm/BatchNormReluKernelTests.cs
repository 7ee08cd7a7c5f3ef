using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The fused batch norm + ReLU kernels against their reference (within float rounding: the reference works
/// in double) and against the unfused kernels they replace (bit for bit).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class BatchNormReluKernelTests
{
    public static TheoryData<int, int, int> Shapes => BatchNormKernelTests.Shapes;

    // x with a non-zero mean and β around 0, so every channel has outputs on both sides of the ReLU.
    private static (float[] X, float[] Gamma, float[] Beta) Inputs(Random random, int n, int c, int s, bool affine)
    {
        float[] x = RandomArray(random, (long)n * c * s, 3f);
        for (int i = 0; i < x.Length; i++) x[i] += 0.5f;
        return (x, affine ? RandomArray(random, c, 1.5f) : [], affine ? RandomArray(random, c, 0.5f) : []);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardTrainingMatchesReference(int n, int c, int s)
    {
        foreach (bool affine in new[] { true, false })
        {
            var random = new Random(31);
            var (x, gamma, beta) = Inputs(random, n, c, s, affine);
            float[] runMeanE = RandomArray(random, c), runVarE = RandomArray(random, c, 0.5f);
            for (int i = 0; i < c; i++) runVarE[i] += 1;
            float[] runMeanA = (float[])runMeanE.Clone(), runVarA = (float[])runVarE.Clone();
            float[] yE = new float[x.Length], yA = new float[x.Length];
            float[] meanE = new float[c], meanA = new float[c], invE = new float[c], invA = new float[c];
            BatchNormReluReference.ForwardTraining(x, gamma, beta, yE, meanE, invE, runMeanE, runVarE,
                n, c, s, 0.1f, 1e-5f);
            BatchNormReluKernels.ForwardTraining(x, gamma, beta, yA, meanA, invA, runMeanA, runVarA,
                n, c, s, 0.1f, 1e-5f);
            AssertClose(yE, yA, 1e-5f, "y");
            Assert.DoesNotContain(yA, v => v < 0);
            AssertClose(meanE, meanA, 1e-6f, "saveMean");
            AssertClose(invE, invA, 1e-5f, "saveInvStd");
            AssertClose(runMeanE, runMeanA, 1e-6f, "runningMean");
            AssertClose(runVarE, runVarA, 1e-5f, "runningVar");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardInferenceMatchesReference(int n, int c, int s)
    {
        var random = new Random(32);
        var (x, gamma, beta) = Inputs(random, n, c, s, affine: true);
        float[] runningMean = RandomArray(random, c), runningVar = RandomArray(random, c, 0.5f);
        for (int i = 0; i < c; i++) runningVar[i] += 1;
        float[] yE = new float[x.Length], yA = new float[x.Length];
        BatchNormReluReference.ForwardInference(x, gamma, beta, runningMean, runningVar, yE, n, c, s, 1e-5f);
        BatchNormReluKernels.ForwardInference(x, gamma, beta, runningMean, runningVar, yA, n, c, s, 1e-5f);
        AssertClose(yE, yA, 1e-5f, "inference y");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardAccumulatesLikeReference(int n, int c, int s)
    {
        foreach (bool affine in new[] { true, false })
        {
            var random = new Random(33);
            int length = n * c * s;
            var (x, gamma, beta) = Inputs(random, n, c, s, affine);
            float[] gradY = RandomArray(random, length), y = new float[length];
            float[] mean = new float[c], invStd = new float[c];
            BatchNormReluReference.ForwardTraining(x, gamma, beta, y, mean, invStd, [], [], n, c, s, 0.1f, 1e-5f);
            float[] gxE = RandomArray(random, length), gxA = (float[])gxE.Clone();
            float[] ggE = affine ? RandomArray(random, c) : [], ggA = (float[])ggE.Clone();
            float[] gbE = affine ? RandomArray(random, c) : [], gbA = (float[])gbE.Clone();
            BatchNormReluReference.Backward(x, y, gradY, gamma, mean, invStd, gxE, ggE, gbE, n, c, s);
            BatchNormReluKernels.Backward(x, y, gradY, gamma, mean, invStd, gxA, ggA, gbA, n, c, s);
            AssertClose(gxE, gxA, 2e-5f, "gradX");
            AssertClose(ggE, ggA, 2e-5f, "gradGamma");
            AssertClose(gbE, gbA, 2e-5f, "gradBeta");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FusedKernelsEqualBatchNormThenReluBitForBit(int n, int c, int s)
    {
        var random = new Random(34);
        int length = n * c * s;
        var (x, gamma, beta) = Inputs(random, n, c, s, affine: true);
        float[] gradY = RandomArray(random, length), runMean = RandomArray(random, c),
            runVar = RandomArray(random, c, 0.5f);
        for (int i = 0; i < c; i++) runVar[i] += 1;

        // Unfused: batch norm, ReLU, ReLU backward into a cleared buffer, batch norm backward.
        float[] z = new float[length], yU = new float[length], meanU = new float[c], invU = new float[c];
        float[] runMeanU = (float[])runMean.Clone(), runVarU = (float[])runVar.Clone(), masked = new float[length];
        float[] gxU = RandomArray(random, length), ggU = RandomArray(random, c), gbU = RandomArray(random, c);
        BatchNormKernels.ForwardTraining(x, gamma, beta, z, meanU, invU, runMeanU, runVarU, n, c, s, 0.1f, 1e-5f);
        ElementwiseKernels.Relu(z, yU);
        ElementwiseKernels.ReluBackward(z, gradY, masked);
        // Fused, on copies of the same starting gradients.
        float[] yF = new float[length], meanF = new float[c], invF = new float[c];
        float[] runMeanF = (float[])runMean.Clone(), runVarF = (float[])runVar.Clone();
        float[] gxF = (float[])gxU.Clone(), ggF = (float[])ggU.Clone(), gbF = (float[])gbU.Clone();
        BatchNormKernels.Backward(x, masked, gamma, meanU, invU, gxU, ggU, gbU, n, c, s);
        BatchNormReluKernels.ForwardTraining(x, gamma, beta, yF, meanF, invF, runMeanF, runVarF, n, c, s, 0.1f, 1e-5f);
        BatchNormReluKernels.Backward(x, yF, gradY, gamma, meanF, invF, gxF, ggF, gbF, n, c, s);
        Assert.Equal(yU, yF);
        Assert.Equal(meanU, meanF);
        Assert.Equal(invU, invF);
        Assert.Equal(runMeanU, runMeanF);
        Assert.Equal(runVarU, runVarF);
        Assert.Equal(gxU, gxF);
        Assert.Equal(ggU, ggF);
        Assert.Equal(gbU, gbF);

        float[] zI = new float[length], yI = new float[length], yFI = new float[length];
        BatchNormKernels.ForwardInference(x, gamma, beta, runMean, runVar, zI, n, c, s, 1e-5f);
        ElementwiseKernels.Relu(zI, yI);
        BatchNormReluKernels.ForwardInference(x, gamma, beta, runMean, runVar, yFI, n, c, s, 1e-5f);
        Assert.Equal(yI, yFI);
    }

    [Fact]
    public void ResultsAreBitIdenticalForOneAndTwoThreads()
    {
        int n = 8, c = 24, s = 100, length = n * c * s;
        var random = new Random(35);
        var (x, gamma, beta) = Inputs(random, n, c, s, affine: true);
        float[] gradY = RandomArray(random, length);
        float[] Run(int threads)
        {
            float[] y = new float[length], yEval = new float[length], mean = new float[c], invStd = new float[c];
            float[] runMean = new float[c], runVar = new float[c], gx = new float[length],
                gg = new float[c], gb = new float[c];
            WithThreads(threads, () =>
            {
                BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, runMean, runVar,
                    n, c, s, 0.1f, 1e-5f);
                BatchNormReluKernels.Backward(x, y, gradY, gamma, mean, invStd, gx, gg, gb, n, c, s);
                BatchNormReluKernels.ForwardInference(x, gamma, beta, runMean, runVar, yEval, n, c, s, 1e-5f);
            });
            return [.. y, .. yEval, .. mean, .. invStd, .. runMean, .. runVar, .. gx, .. gg, .. gb];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void MissingOrShortOutputForTheMaskThrows()
    {
        float[] buffer = new float[16], stats = new float[4];
        var e = Assert.Throws<ArgumentException>(() =>
            BatchNormReluKernels.Backward(buffer, [], buffer, [], stats, stats, buffer, [], [], 2, 4, 2));
        Assert.Contains("y [N, C, S]", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            BatchNormReluKernels.Backward(buffer, new float[15], buffer, [], stats, stats, buffer, [], [], 2, 4, 2));
        Assert.Contains("15", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            BatchNormReluKernels.ForwardTraining(buffer, [], [], buffer, stats, stats, [], [], 1, 4, 1, 0.1f, 1e-5f));
        Assert.Contains("BatchNormReluKernels.ForwardTraining", e.Message);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    [InlineData(3, 2, 12)] // rows shorter than one 512-bit vector: scalar loops only, as in the forward pass
    public void MaskFromSavedScaleEqualsMaskFromYBitForBit(int n, int c, int s)
    {
        foreach (bool affine in new[] { true, false })
        {
            var random = new Random(35);
            int length = n * c * s;
            var (x, gamma, beta) = Inputs(random, n, c, s, affine);
            float[] gradY = RandomArray(random, length), y = new float[length], mean = new float[c],
                invStd = new float[c];
            float[] scale = new float[c], shift = new float[c];
            BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, [], [], n, c, s, 0.1f, 1e-5f,
                scale, shift);
            AssertBackwardsAgree(x, y, gradY, gamma, mean, invStd, scale, shift, n, c, s);
        }
    }

    [Fact]
    public void MaskFromSavedScaleFollowsTheForwardsRoundingAtTheBoundary()
    {
        // Row length 21: 16 values through the vector loop, where the forward computes fma(x − μ, scale, β), and a
        // 5-value scalar tail, where it rounds (x − μ)·scale before adding β (128-bit lanes: 23 = 20 + 3). With
        // β = −round(d·scale) for one element's deviation d, the fused value is the product's rounding error (made
        // positive here: kept) and the unfused one exactly 0 (masked). Channel 0 puts that element in the vector
        // part, channel 1 in the tail; a backward that recomputed either the other way would keep or drop that
        // element's gradient.
        int lanes = VectorWidth.Use512 ? 16 : VectorWidth.Use256 ? 8 : VectorWidth.Use128 ? 4 : 1;
        int n = 2, c = 2, s = lanes == 4 ? 23 : 21, vectorEnd = lanes == 1 ? 16 : s / lanes * lanes;
        var random = new Random(36);
        var (x, gamma, _) = Inputs(random, n, c, s, affine: true);
        float[] beta = new float[c], y = new float[n * c * s], mean = new float[c], invStd = new float[c];
        float[] scale = new float[c], shift = new float[c], gradY = RandomArray(random, n * c * s);
        BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, [], [], n, c, s, 0.1f,
            1e-5f, scale, shift);
        int[] boundary = new int[c];
        for (int channel = 0; channel < c; channel++)
        {
            // First element of row 0 in the wanted part whose product rounds down (positive rounding error).
            int start = channel == 0 ? 0 : vectorEnd, end = channel == 0 ? vectorEnd : s;
            boundary[channel] = -1;
            for (int i = start; i < end && boundary[channel] < 0; i++)
            {
                float d = x[channel * s + i] - mean[channel];
                if (MathF.FusedMultiplyAdd(d, scale[channel], -(d * scale[channel])) > 0)
                    boundary[channel] = channel * s + i;
            }
            Assert.True(boundary[channel] >= 0, $"channel {channel}: no element with a positive rounding error");
            beta[channel] = -((x[boundary[channel]] - mean[channel]) * scale[channel]);
        }
        // β does not change the batch statistics, so scale stays the same and the chosen elements sit on the boundary.
        BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, [], [], n, c, s, 0.1f,
            1e-5f, scale, shift);
        if (lanes > 1)
            Assert.True(y[boundary[0]] > 0, "the vector loop's fused value should be the positive rounding error");
        Assert.Equal(0f, y[boundary[1]]);
        AssertBackwardsAgree(x, y, gradY, gamma, mean, invStd, scale, shift, n, c, s);
    }

    // Backward with the mask read from y against the mask recomputed from x: every gradient bit for bit.
    private static void AssertBackwardsAgree(float[] x, float[] y, float[] gradY, float[] gamma, float[] mean,
        float[] invStd, float[] scale, float[] shift, int n, int c, int s)
    {
        var random = new Random(37);
        float[] gxY = RandomArray(random, x.Length), gxX = (float[])gxY.Clone();
        float[] ggY = gamma.Length == 0 ? [] : RandomArray(random, c), ggX = (float[])ggY.Clone();
        float[] gbY = gamma.Length == 0 ? [] : RandomArray(random, c), gbX = (float[])gbY.Clone();
        BatchNormReluKernels.Backward(x, y, gradY, gamma, mean, invStd, gxY, ggY, gbY, n, c, s);
        BatchNormReluKernels.BackwardRecomputingMask(x, gradY, gamma, mean, invStd, scale, shift, gxX, ggX, gbX, n,
            c, s);
        Assert.Equal(gxY, gxX);
        Assert.Equal(ggY, ggX);
        Assert.Equal(gbY, gbX);
    }

    [Fact]
    public void MaskFromBothYAndScaleOrMismatchedScaleThrows()
    {
        float[] buffer = new float[16], stats = new float[4];
        var e = Assert.Throws<ArgumentException>(() => BatchNormKernels.BackwardCore(
            buffer, buffer, buffer, [], stats, stats, buffer, [], [], 2, 4, 2, maskScale: stats, maskShift: stats));
        Assert.Contains("not both", e.Message);
        e = Assert.Throws<ArgumentException>(() => BatchNormReluKernels.BackwardRecomputingMask(
            buffer, buffer, [], stats, stats, stats, new float[3], buffer, [], [], 2, 4, 2));
        Assert.Contains("[4]", e.Message);
        Assert.Contains("BatchNormReluKernels.BackwardRecomputingMask", e.Message);
    }

    [Fact]
    public void RecomputingTheMaskWithoutTheSavedScaleThrows()
    {
        float[] buffer = new float[16], stats = new float[4];
        var e = Assert.Throws<ArgumentException>(() => BatchNormReluKernels.BackwardRecomputingMask(
            buffer, buffer, [], stats, stats, [], [], buffer, [], [], 2, 4, 2));
        Assert.Contains("saveScale and saveShift", e.Message);
    }
}
