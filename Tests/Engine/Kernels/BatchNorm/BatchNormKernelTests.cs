using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

public class BatchNormKernelTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        // N, C, S
        { 4, 3, 64 },
        { 2, 1, 1 },     // smallest trainable: two values per channel
        { 7, 5, 1 },     // BatchNorm1d
        { 9, 19, 1 },    // BatchNorm1d, 8 channels per vector: two blocks and 3 channels one by one
        { 3, 4, 33 },    // odd rows: vector body plus scalar tail
        { 2, 7, 49 },
        { 1, 2, 1089 },  // 33×33, one image
        { 33, 2, 7 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardTrainingMatchesReference(int n, int c, int s)
    {
        foreach (bool affine in new[] { true, false })
            foreach (bool tracking in new[] { true, false })
            {
                var random = new Random(21);
                float[] x = RandomArray(random, (long)n * c * s, 3f);
                for (int i = 0; i < x.Length; i++) x[i] += 0.5f; // non-zero mean
                float[] gamma = affine ? RandomArray(random, c) : [], beta = affine ? RandomArray(random, c) : [];
                float[] runMeanE = tracking ? RandomArray(random, c) : [], runVarE = tracking
                    ? RandomArray(random, c, 0.5f) : [];
                for (int i = 0; i < runVarE.Length; i++) runVarE[i] += 1;
                float[] runMeanA = (float[])runMeanE.Clone(), runVarA = (float[])runVarE.Clone();
                float[] yE = new float[x.Length], yA = new float[x.Length];
                float[] meanE = new float[c], meanA = new float[c], invE = new float[c], invA = new float[c];
                BatchNormReference.ForwardTraining(x, gamma, beta, yE, meanE, invE, runMeanE, runVarE,
                    n, c, s, 0.1f, 1e-5f);
                BatchNormKernels.ForwardTraining(x, gamma, beta, yA, meanA, invA, runMeanA, runVarA,
                    n, c, s, 0.1f, 1e-5f);
                AssertClose(yE, yA, 1e-5f, "y");
                AssertClose(meanE, meanA, 1e-6f, "saveMean");
                AssertClose(invE, invA, 1e-5f, "saveInvStd");
                AssertClose(runMeanE, runMeanA, 1e-6f, "runningMean");
                AssertClose(runVarE, runVarA, 1e-5f, "runningVar");
            }
    }

    [Fact]
    public void RunningStatisticsFollowPyTorch()
    {
        // One channel, values 1..4: mean 2.5, biased var 1.25, unbiased var 5/3.
        float[] x = [1, 2, 3, 4], y = new float[4], mean = new float[1], invStd = new float[1];
        float[] runningMean = [1], runningVar = [2];
        BatchNormKernels.ForwardTraining(x, [], [], y, mean, invStd, runningMean, runningVar, 4, 1, 1, 0.25f, 0f);
        Assert.Equal(2.5f, mean[0]);
        Assert.Equal((float)(1 / Math.Sqrt(1.25)), invStd[0], 6);
        Assert.Equal(0.75f * 1 + 0.25f * 2.5f, runningMean[0], 6);
        Assert.Equal(0.75f * 2 + 0.25f * 5f / 3f, runningVar[0], 6);
    }

    [Fact]
    public void VarianceIsStableForLargeMeans()
    {
        // Σx² − (Σx)²/M in float would lose everything here; the two-pass scheme keeps the unit variance.
        var random = new Random(22);
        int n = 16, c = 2, s = 64;
        float[] x = RandomArray(random, n * c * s);
        for (int i = 0; i < x.Length; i++) x[i] += 10000f;
        float[] y = new float[x.Length], meanE = new float[c], meanA = new float[c], invE = new float[c],
            invA = new float[c];
        BatchNormReference.ForwardTraining(x, [], [], y, meanE, invE, [], [], n, c, s, 0.1f, 1e-5f);
        BatchNormKernels.ForwardTraining(x, [], [], y, meanA, invA, [], [], n, c, s, 0.1f, 1e-5f);
        AssertClose(invE, invA, 1e-4f, "saveInvStd");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardInferenceMatchesReference(int n, int c, int s)
    {
        var random = new Random(23);
        float[] x = RandomArray(random, (long)n * c * s, 2f), gamma = RandomArray(random, c),
            beta = RandomArray(random, c);
        float[] runningMean = RandomArray(random, c), runningVar = RandomArray(random, c, 0.5f);
        for (int i = 0; i < c; i++) runningVar[i] += 1;
        float[] yE = new float[x.Length], yA = new float[x.Length];
        BatchNormReference.ForwardInference(x, gamma, beta, runningMean, runningVar, yE, n, c, s, 1e-5f);
        BatchNormKernels.ForwardInference(x, gamma, beta, runningMean, runningVar, yA, n, c, s, 1e-5f);
        AssertClose(yE, yA, 1e-5f, "inference y");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardAccumulatesLikeReference(int n, int c, int s)
    {
        foreach (bool affine in new[] { true, false })
        {
            var random = new Random(24);
            int length = n * c * s;
            float[] x = RandomArray(random, length, 2f), gradY = RandomArray(random, length);
            float[] gamma = affine ? RandomArray(random, c) : [];
            float[] mean = new float[c], invStd = new float[c];
            BatchNormReference.ForwardTraining(x, gamma, [], new float[length], mean, invStd, [], [],
                n, c, s, 0.1f, 1e-5f);
            float[] gxE = RandomArray(random, length), gxA = (float[])gxE.Clone();
            float[] ggE = affine ? RandomArray(random, c) : [], ggA = (float[])ggE.Clone();
            float[] gbE = affine ? RandomArray(random, c) : [], gbA = (float[])gbE.Clone();
            BatchNormReference.Backward(x, gradY, gamma, mean, invStd, gxE, ggE, gbE, n, c, s);
            BatchNormKernels.Backward(x, gradY, gamma, mean, invStd, gxA, ggA, gbA, n, c, s);
            AssertClose(gxE, gxA, 2e-5f, "gradX");
            AssertClose(ggE, ggA, 2e-5f, "gradGamma");
            AssertClose(gbE, gbA, 2e-5f, "gradBeta");
        }
    }

    [Fact]
    public void ResultsAreBitIdenticalForOneAndTwoThreads()
    {
        int n = 8, c = 24, s = 100, length = n * c * s;
        var random = new Random(25);
        float[] x = RandomArray(random, length), gradY = RandomArray(random, length);
        float[] gamma = RandomArray(random, c), beta = RandomArray(random, c);
        float[] Run(int threads)
        {
            float[] y = new float[length], mean = new float[c], invStd = new float[c];
            float[] runMean = new float[c], runVar = new float[c], gx = new float[length],
                gg = new float[c], gb = new float[c];
            WithThreads(threads, () =>
            {
                BatchNormKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, runMean, runVar,
                    n, c, s, 0.1f, 1e-5f);
                BatchNormKernels.Backward(x, gradY, gamma, mean, invStd, gx, gg, gb, n, c, s);
            });
            return [.. y, .. mean, .. invStd, .. runMean, .. runVar, .. gx, .. gg, .. gb];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void BadSizesAndShortSpansThrow()
    {
        float[] buffer = new float[16], stats = new float[4];
        Assert.Throws<ArgumentException>(() =>
            BatchNormKernels.ForwardTraining(buffer, [], [], buffer, stats, stats, [], [], 0, 4, 4, 0.1f, 1e-5f));
        // One value per channel: no variance to normalise by.
        Assert.Throws<ArgumentException>(() =>
            BatchNormKernels.ForwardTraining(buffer, [], [], buffer, stats, stats, [], [], 1, 4, 1, 0.1f, 1e-5f));
        var e = Assert.Throws<ArgumentException>(() =>
            BatchNormKernels.ForwardTraining(buffer.AsSpan(1), [], [], buffer, stats, stats, [], [], 2,
                4, 2, 0.1f, 1e-5f));
        Assert.Contains("15", e.Message);
        Assert.Contains("16", e.Message);
        Assert.Throws<ArgumentException>(() =>
            BatchNormKernels.ForwardTraining(buffer, [], [], buffer, stats, stats, stats, [], 2, 4, 2, 0.1f, 1e-5f));
        Assert.Throws<ArgumentException>(() =>
            BatchNormKernels.ForwardInference(buffer, [], [], stats.AsSpan(1), stats, buffer, 2, 4, 2, 1e-5f));
        Assert.Throws<ArgumentException>(() =>
            BatchNormKernels.Backward(buffer, buffer, new float[3], stats, stats, buffer, [], [], 2, 4, 2));
    }

    [Theory]
    [InlineData(3, 2, 4)]
    [InlineData(5, 2, 1)]
    public void ReferenceBackwardMatchesFiniteDifferences(int n, int c, int s)
    {
        var random = new Random(26);
        int length = n * c * s;
        float[] x = RandomArray(random, length, 2f), gamma = RandomArray(random, c), beta = RandomArray(random, c);
        float[] r = RandomArray(random, length);
        float[] mean = new float[c], invStd = new float[c];
        BatchNormReference.ForwardTraining(x, gamma, beta, new float[length], mean, invStd, [], [],
            n, c, s, 0.1f, 1e-5f);
        float[] gradX = new float[length], gradGamma = new float[c], gradBeta = new float[c];
        BatchNormReference.Backward(x, r, gamma, mean, invStd, gradX, gradGamma, gradBeta, n, c, s);

        double Loss()
        {
            float[] y = new float[length];
            BatchNormReference.ForwardTraining(x, gamma, beta, y, new float[c], new float[c], [], [],
                n, c, s, 0.1f, 1e-5f);
            return Dot(r, y);
        }
        void CheckAgainst(float[] parameter, float[] analytic, string what)
        {
            const float step = 1e-2f;
            for (int i = 0; i < parameter.Length; i++)
            {
                float saved = parameter[i];
                parameter[i] = saved + step;
                double plus = Loss();
                parameter[i] = saved - step;
                double minus = Loss();
                parameter[i] = saved;
                double numeric = (plus - minus) / ((double)(saved + step) - (saved - step));
                Assert.True(Math.Abs(numeric - analytic[i]) < 2e-3 * (1 + Math.Abs(numeric)),
                    $"{what}[{i}]: numeric {numeric}, analytic {analytic[i]}");
            }
        }
        CheckAgainst(x, gradX, "gradX");
        CheckAgainst(gamma, gradGamma, "gradGamma");
        CheckAgainst(beta, gradBeta, "gradBeta");
    }
}
