using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

public class PoolingKernelTests
{
    public static TheoryData<int, int, int, int, int, int, int> Geometries => new()
    {
        // N, C, H, W, kernel, stride, pad
        { 2, 3, 8, 8, 2, 2, 0 },
        { 1, 1, 1, 1, 1, 1, 0 },
        { 2, 2, 7, 33, 3, 2, 1 },
        { 3, 2, 33, 7, 3, 1, 1 },
        { 1, 4, 9, 9, 5, 2, 2 },
        { 2, 1, 7, 7, 5, 1, 2 },
        { 2, 3, 5, 6, 2, 1, 1 },
        { 1, 2, 6, 6, 3, 3, 0 },
        // The branch-free 2x2/2 path: widths below, at and beyond one 16-lane vector, odd sizes.
        { 2, 3, 32, 32, 2, 2, 0 },
        { 1, 2, 7, 33, 2, 2, 0 },
        { 1, 1, 5, 64, 2, 2, 0 },
        { 3, 1, 2, 2, 2, 2, 0 },
        // Narrow outputs (OW = 8, 4, 2, 1) take the gathered vertical pass; odd output-row counts leave a tail.
        { 2, 2, 16, 16, 2, 2, 0 },
        { 1, 3, 10, 8, 2, 2, 0 },
        { 1, 1, 13, 4, 2, 2, 0 },
        { 1, 1, 40, 2, 2, 2, 0 },
    };

    private static PoolGeometry Make(int n, int c, int h, int w, int k, int s, int p) =>
        new(n, c, h, w, k, k, s, s, p, p);

    [Theory]
    [MemberData(nameof(Geometries))]
    public void MaxPoolMatchesReference(int n, int c, int h, int w, int k, int s, int p)
    {
        var g = Make(n, c, h, w, k, s, p);
        var random = new Random(11);
        float[] x = RandomArray(random, g.InputLength);
        float[] expectedY = new float[g.OutputLength], actualY = new float[g.OutputLength];
        int[] expectedIdx = new int[g.OutputLength], actualIdx = new int[g.OutputLength];
        PoolingReference.MaxPoolForward(g, x, expectedY, expectedIdx);
        PoolingKernels.MaxPoolForward(g, x, actualY, actualIdx);
        Assert.Equal(expectedY, actualY);
        Assert.Equal(expectedIdx, actualIdx);

        float[] gradY = RandomArray(random, g.OutputLength);
        float[] expectedGx = RandomArray(random, g.InputLength), actualGx = (float[])expectedGx.Clone();
        PoolingReference.MaxPoolBackward(g, gradY, expectedIdx, expectedGx);
        PoolingKernels.MaxPoolBackward(g, gradY, actualIdx, actualGx);
        Assert.Equal(expectedGx, actualGx); // same additions in the same order

        // Overwriting: whatever gradX held, the result is the reference's into a cleared buffer.
        var zeroStart = new float[g.InputLength];
        PoolingReference.MaxPoolBackward(g, gradY, expectedIdx, zeroStart);
        PoolingKernels.MaxPoolBackward(g, gradY, actualIdx, actualGx, accumulate: false);
        Assert.Equal(zeroStart, actualGx);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ReluMaxPoolMatchesTheReferencePoolOfTheReferenceRelu(int n, int c, int h, int w, int k, int s, int p)
    {
        var g = Make(n, c, h, w, k, s, p);
        var random = new Random(16);
        float[] x = RandomArray(random, g.InputLength), relu = new float[x.Length];
        ElementwiseKernels.Reference(ElementwiseKernels.Operation.Relu, x, default, relu);
        float[] expectedY = new float[g.OutputLength], actualY = new float[g.OutputLength];
        int[] reluIdx = new int[g.OutputLength], actualIdx = new int[g.OutputLength];
        PoolingReference.MaxPoolForward(g, relu, expectedY, reluIdx);
        PoolingKernels.MaxPoolForward(g, x, actualY, actualIdx, relu: true);
        Assert.Equal(expectedY, actualY);

        // Backward into a cleared gradX: the reference pool backward, then ReLU's mask on x.
        float[] gradY = RandomArray(random, g.OutputLength), pooledGrad = new float[x.Length],
            expected = new float[x.Length];
        PoolingReference.MaxPoolBackward(g, gradY, reluIdx, pooledGrad);
        ElementwiseKernels.Reference(ElementwiseKernels.Operation.ReluBackward, x, pooledGrad, expected);
        float[] actual = RandomArray(random, g.InputLength);
        PoolingKernels.MaxPoolBackward(g, gradY, actualIdx, actual, accumulate: false, reluOutput: actualY);
        Assert.Equal(expected, actual);

        // Accumulating onto a gradient: the same sum, up to the order overlapping windows add in.
        float[] start = RandomArray(random, g.InputLength), accumulated = (float[])start.Clone();
        PoolingKernels.MaxPoolBackward(g, gradY, actualIdx, accumulated, reluOutput: actualY);
        for (int i = 0; i < start.Length; i++)
            Assert.True(Math.Abs(start[i] + expected[i] - accumulated[i]) <= 1e-6f
                * (1 + Math.Abs(accumulated[i])), $"gradX[{i}]");
        float[] shortY = new float[g.OutputLength - 1]; // empty would mean no ReLU
        if (shortY.Length > 0)
            Assert.Throws<ArgumentException>(() => PoolingKernels.MaxPoolBackward(g, gradY, actualIdx, actual,
                reluOutput: shortY));
    }

    [Theory]
    [InlineData(2, 3, 32, 32)] // OW = 16: the vector backward
    [InlineData(1, 2, 9, 64)]  // OW = 32, an odd row left over
    [InlineData(1, 2, 16, 16)] // OW = 8: two rows of windows per vector
    [InlineData(2, 1, 11, 8)]  // OW = 4: one group of 16 windows per image and a row left over
    public void ReluMaxPoolBackwardEqualsTheScatterBitForBit(int n, int c, int h, int w)
    {
        // The scatter the kernel's vector path replaces, written out: with ReLU, windows whose pooled output is
        // positive add 0 + gradY at their winner; into a cleared plane, or onto what gradX held.
        var g = Make(n, c, h, w, 2, 2, 0);
        var random = new Random(21);
        float[] x = RandomArray(random, g.InputLength), y = new float[g.OutputLength];
        int[] indices = new int[g.OutputLength];
        PoolingKernels.MaxPoolForward(g, x, y, indices, relu: true);
        float[] gradY = RandomArray(random, g.OutputLength), start = RandomArray(random, g.InputLength);
        start[0] = -0f;
        int plane = h * w, outPlane = g.OutHeight * g.OutWidth;
        foreach (bool accumulate in new[] { true, false })
        {
            float[] expected = accumulate ? (float[])start.Clone() : new float[g.InputLength];
            for (int o = 0; o < indices.Length; o++)
                if (y[o] > 0) expected[o / outPlane * plane + indices[o]] += 0f + gradY[o];
            float[] actual = (float[])start.Clone();
            PoolingKernels.MaxPoolBackward(g, gradY, indices, actual, accumulate, reluOutput: y);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData(32)] // OW = 16: whole rows of windows per vector
    [InlineData(16)] // OW = 8: two rows of windows per vector
    public void MaxPoolBackwardTakesIndicesOutsideTheirWindow(int size)
    {
        // Indices that no 2×2 forward made (any cell of the plane is allowed) are scattered as given.
        var g = Make(1, 2, size, size, 2, 2, 0);
        var random = new Random(22);
        float[] gradY = RandomArray(random, g.OutputLength);
        int[] indices = new int[g.OutputLength];
        for (int i = 0; i < indices.Length; i++) indices[i] = random.Next(size * size);
        float[] expected = RandomArray(random, g.InputLength), actual = (float[])expected.Clone();
        PoolingReference.MaxPoolBackward(g, gradY, indices, expected);
        PoolingKernels.MaxPoolBackward(g, gradY, indices, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void AvgPoolMatchesReference(int n, int c, int h, int w, int k, int s, int p)
    {
        var g = Make(n, c, h, w, k, s, p);
        var random = new Random(12);
        float[] x = RandomArray(random, g.InputLength);
        float[] expectedY = new float[g.OutputLength], actualY = new float[g.OutputLength];
        PoolingReference.AvgPoolForward(g, x, expectedY);
        PoolingKernels.AvgPoolForward(g, x, actualY);
        AssertClose(expectedY, actualY, 1e-6f * k * k, $"avg forward {g}");

        float[] gradY = RandomArray(random, g.OutputLength);
        float[] expectedGx = RandomArray(random, g.InputLength), actualGx = (float[])expectedGx.Clone();
        PoolingReference.AvgPoolBackward(g, gradY, expectedGx);
        PoolingKernels.AvgPoolBackward(g, gradY, actualGx);
        AssertClose(expectedGx, actualGx, 1e-6f * k * k, $"avg backward {g}");
    }

    [Theory]
    [InlineData(2, 3, 8, 8)]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 7, 33)]
    [InlineData(2, 200, 4, 4)] // many small planes: several per tile
    public void GlobalAvgPoolMatchesReference(int n, int c, int h, int w)
    {
        var random = new Random(13);
        float[] x = RandomArray(random, (long)n * c * h * w);
        float[] expectedY = new float[n * c], actualY = new float[n * c];
        PoolingReference.GlobalAvgPoolForward(x, expectedY, n, c, h, w);
        PoolingKernels.GlobalAvgPoolForward(x, actualY, n, c, h, w);
        AssertClose(expectedY, actualY, 1e-6f, "global forward");

        float[] gradY = RandomArray(random, n * c);
        float[] expectedGx = RandomArray(random, x.Length), actualGx = (float[])expectedGx.Clone();
        PoolingReference.GlobalAvgPoolBackward(gradY, expectedGx, n, c, h, w);
        PoolingKernels.GlobalAvgPoolBackward(gradY, actualGx, n, c, h, w);
        AssertClose(expectedGx, actualGx, 1e-6f, "global backward");
    }

    [Fact]
    public void TwoByTwoPoolKeepsTheFirstMaximumAndPropagatesNaN()
    {
        // 2 rows x 40 columns: ties (first tap wins), NaN in each tap position, in and after the vector part.
        var g = Make(1, 1, 2, 40, 2, 2, 0);
        var x = new float[80];
        for (int i = 0; i < 80; i++) x[i] = (i * 7) % 5; // many ties
        x[3] = float.NaN;        // top-right tap of window 1
        x[40 + 20] = float.NaN;  // bottom-left tap of window 10
        x[40 + 35] = float.NaN;  // bottom-right tap of window 17 (scalar tail)
        float[] y = new float[20], expectedY = new float[20];
        int[] idx = new int[20], expectedIdx = new int[20];
        PoolingKernels.MaxPoolForward(g, x, y, idx);
        PoolingReference.MaxPoolForward(g, x, expectedY, expectedIdx);
        Assert.Equal(expectedY, y);
        Assert.Equal(expectedIdx, idx);
        Assert.True(float.IsNaN(y[1]) && float.IsNaN(y[10]) && float.IsNaN(y[17]));
    }

    [Fact]
    public void MaxPoolPropagatesNaNAndPaddingNeverWins()
    {
        // All-negative input with padding: a padded zero must not beat the real cells.
        var g = Make(1, 1, 3, 3, 3, 1, 1);
        float[] x = [-5, -4, -3, -2, -1, -6, -7, -8, float.NaN];
        float[] y = new float[9];
        int[] idx = new int[9];
        PoolingKernels.MaxPoolForward(g, x, y, idx);
        Assert.Equal(-1f, y[0]);   // real cells of the top-left window: -5, -4, -2, -1
        Assert.Equal(4, idx[0]);
        Assert.True(float.IsNaN(y[8])); // bottom-right window holds the NaN
        Assert.Equal(8, idx[8]);
        float[] expectedY = new float[9];
        int[] expectedIdx = new int[9];
        PoolingReference.MaxPoolForward(g, x, expectedY, expectedIdx);
        Assert.Equal(expectedY, y);
        Assert.Equal(expectedIdx, idx);
    }

    [Fact]
    public void ResultsAreBitIdenticalForOneAndTwoThreads()
    {
        var g = Make(8, 16, 9, 9, 3, 2, 1);
        var random = new Random(14);
        float[] x = RandomArray(random, g.InputLength), gradY = RandomArray(random, g.OutputLength);
        float[] Run(int threads)
        {
            float[] y = new float[g.OutputLength], gx = new float[g.InputLength];
            int[] idx = new int[g.OutputLength];
            WithThreads(threads, () =>
            {
                PoolingKernels.MaxPoolForward(g, x, y, idx);
                PoolingKernels.MaxPoolBackward(g, gradY, idx, gx);
                PoolingKernels.AvgPoolForward(g, x, y);
                PoolingKernels.AvgPoolBackward(g, y, gx);
            });
            return [.. y, .. gx];
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Theory]
    [InlineData(0, 1, 4, 4, 2, 2, 2, 2, 0, 0)]   // empty batch
    [InlineData(1, 1, 4, 4, 0, 2, 2, 2, 0, 0)]   // empty window
    [InlineData(1, 1, 4, 4, 2, 2, 0, 2, 0, 0)]   // zero stride
    [InlineData(1, 1, 4, 4, 2, 2, 2, 2, 2, 0)]   // padding over half the window
    [InlineData(1, 1, 4, 4, 3, 3, 1, 1, -1, 0)]  // negative padding
    [InlineData(1, 1, 2, 2, 5, 5, 1, 1, 2, 0)]   // window wider than the padded input
    public void BadGeometryThrows(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var g = new PoolGeometry(n, c, h, w, kh, kw, sh, sw, ph, pw);
        Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.Throws<ArgumentException>(() => PoolingKernels.AvgPoolForward(g, new float[64], new float[64]));
    }

    [Fact]
    public void ShortSpansAndBadIndicesThrow()
    {
        var g = Make(2, 2, 4, 4, 2, 2, 0);
        float[] x = new float[g.InputLength], y = new float[g.OutputLength];
        int[] idx = new int[g.OutputLength];
        var e = Assert.Throws<ArgumentException>(() => PoolingKernels.MaxPoolForward(g, x, y, idx.AsSpan(1)));
        Assert.Contains($"{g.OutputLength - 1}", e.Message);
        Assert.Throws<ArgumentException>(() => PoolingKernels.AvgPoolForward(g, x.AsSpan(3), y));
        Assert.Throws<ArgumentException>(() => PoolingKernels.GlobalAvgPoolForward(x, y.AsSpan(0, 3), 2, 2, 4, 4));
        idx[5] = 16;
        var outside = Assert.Throws<ArgumentException>(() => PoolingKernels.MaxPoolBackward(g, y, idx, x));
        Assert.Contains("index 16 is outside the 16-cell plane", outside.Message);
        Assert.Throws<ArgumentException>(() => PoolingReference.MaxPoolBackward(g, y, idx, x));
        idx[5] = -1;
        outside = Assert.Throws<ArgumentException>(() => PoolingKernels.MaxPoolBackward(g, y, idx, x));
        Assert.Contains("index -1 is outside", outside.Message);
    }

    [Theory]
    [InlineData(1, 2, 5, 5, 3, 2, 1)]
    [InlineData(2, 1, 4, 6, 2, 2, 0)]
    [InlineData(1, 1, 5, 4, 3, 1, 1)]
    public void ReferenceBackwardMatchesFiniteDifferences(int n, int c, int h, int w, int k, int s, int p)
    {
        var g = Make(n, c, h, w, k, s, p);
        var random = new Random(15);
        // A shuffled ramp: distinct values at least 1/len apart, so a step of 0.1/len never changes a winner.
        float[] x = Enumerable.Range(0, (int)g.InputLength).Select(i => (float)i / (int)g.InputLength).ToArray();
        random.Shuffle(x);
        float[] r = RandomArray(random, g.OutputLength);
        float step = 0.1f / x.Length;

        var idx = new int[g.OutputLength];
        PoolingReference.MaxPoolForward(g, x, new float[g.OutputLength], idx);
        float[] maxGrad = new float[x.Length], avgGrad = new float[x.Length];
        PoolingReference.MaxPoolBackward(g, r, idx, maxGrad);
        PoolingReference.AvgPoolBackward(g, r, avgGrad);
        double MaxLoss()
        {
            var y = new float[g.OutputLength];
            PoolingReference.MaxPoolForward(g, x, y, new int[y.Length]);
            return Dot(r, y);
        }
        double AvgLoss()
        {
            var y = new float[g.OutputLength];
            PoolingReference.AvgPoolForward(g, x, y);
            return Dot(r, y);
        }
        CheckFiniteDifferences(x, maxGrad, MaxLoss, step, "max pool gradX");
        CheckFiniteDifferences(x, avgGrad, AvgLoss, 0.25f, "avg pool gradX"); // linear: any step works

        float[] globalR = RandomArray(random, n * c), globalGrad = new float[x.Length];
        PoolingReference.GlobalAvgPoolBackward(globalR, globalGrad, n, c, h, w);
        double GlobalLoss()
        {
            var y = new float[n * c];
            PoolingReference.GlobalAvgPoolForward(x, y, n, c, h, w);
            return Dot(globalR, y);
        }
        CheckFiniteDifferences(x, globalGrad, GlobalLoss, 0.25f, "global pool gradX");
    }

    private static void CheckFiniteDifferences(float[] x, float[] analytic, Func<double> loss, float step, string what)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float saved = x[i];
            x[i] = saved + step;
            double plus = loss();
            x[i] = saved - step;
            double minus = loss();
            x[i] = saved;
            // The perturbed values themselves are rounded to float: divide by the step actually taken.
            double numeric = (plus - minus) / ((double)(saved + step) - (saved - step));
            Assert.True(Math.Abs(numeric - analytic[i]) < 2e-3 * (1 + Math.Abs(numeric)),
                $"{what}[{i}]: numeric {numeric}, analytic {analytic[i]}");
        }
    }
}
