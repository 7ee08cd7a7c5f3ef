using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>Once warm, kernel calls must allocate nothing on the managed heap (any thread).</summary>
[Collection(AllocationCollection.Name)]
public class KernelAllocationTests
{
    internal static void AssertNoSteadyStateAllocation(Action step)
    {
        WithThreads(2, () =>
        {
            // Warm up past tiered compilation (call counting, then a background re-JIT), which allocates.
            for (int i = 0; i < 40; i++) step();
            Thread.Sleep(150);
            step();
            // The counter is process-wide and the test host allocates now and then on its own threads, so
            // take the best of a few attempts: a kernel that allocates would do so in every attempt.
            long fewest = long.MaxValue;
            for (int attempt = 0; attempt < 10 && fewest != 0; attempt++)
            {
                long before = GC.GetTotalAllocatedBytes(true);
                for (int i = 0; i < 5; i++) step();
                fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(true) - before);
            }
            Assert.Equal(0, fewest);
        });
    }

    [Fact]
    public void GemmAllocatesNothingOnceWarm()
    {
        const int m = 128, n = 256, k = 200;
        var random = new Random(5);
        float[] a = RandomArray(random, m * k), b = RandomArray(random, k * n), c = new float[m * n];
        AssertNoSteadyStateAllocation(() =>
        {
            Gemm.Multiply(a, b, c, m, n, k, transB: true);
            Gemm.Multiply(a, b, c, m, n, k, transA: true, accumulate: true);
        });
    }

    [Fact]
    public void ConvolutionAllocatesNothingOnceWarm()
    {
        foreach (var g in new[]
                 {
                     new ConvGeometry(4, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1),
                     new ConvGeometry(4, 3, 16, 16, 4, 3, 3, 1, 1, 1, 1), // implicit weight gradient
                     new ConvGeometry(4, 3, 32, 32, 4, 3, 3, 2, 2, 1, 1), // stride-2 phase split
                     new ConvGeometry(4, 3, 8, 8, 4, 1, 1, 1, 1, 0, 0),
                     new ConvGeometry(1, 3, 8, 8, 4, 1, 1, 2, 2, 0, 0),
                 })
        {
            var random = new Random(8);
            float[] x = RandomArray(random, g.InputLength), w = RandomArray(random, g.WeightLength);
            float[] bias = new float[g.OutChannels], y = new float[g.OutputLength], gx = new float[g.InputLength];
            float[] gw = new float[g.WeightLength], gb = new float[g.OutChannels];
            AssertNoSteadyStateAllocation(() =>
            {
                ConvolutionKernels.Forward(g, x, w, bias, y);
                ConvolutionKernels.BackwardInput(g, y, w, gx);
                ConvolutionKernels.BackwardWeight(g, x, y, gw, gb);
            });
        }
    }

    [Fact]
    public void PoolingAllocatesNothingOnceWarm()
    {
        var g = new PoolGeometry(4, 8, 16, 16, 3, 3, 2, 2, 1, 1);
        var random = new Random(9);
        float[] x = RandomArray(random, g.InputLength), y = new float[g.OutputLength], gx = new float[g.InputLength];
        float[] pooled = new float[g.N * g.C];
        int[] idx = new int[g.OutputLength];
        AssertNoSteadyStateAllocation(() =>
        {
            PoolingKernels.MaxPoolForward(g, x, y, idx);
            PoolingKernels.MaxPoolBackward(g, y, idx, gx);
            PoolingKernels.AvgPoolForward(g, x, y);
            PoolingKernels.AvgPoolBackward(g, y, gx);
            PoolingKernels.GlobalAvgPoolForward(x, pooled, g.N, g.C, g.H, g.W);
            PoolingKernels.GlobalAvgPoolBackward(pooled, gx, g.N, g.C, g.H, g.W);
        });
    }

    [Fact]
    public void BatchNormAllocatesNothingOnceWarm()
    {
        int n = 8, c = 16, s = 64, length = n * c * s;
        var random = new Random(10);
        float[] x = RandomArray(random, length), y = new float[length], gx = new float[length];
        float[] gamma = RandomArray(random, c), beta = new float[c], mean = new float[c], invStd = new float[c];
        float[] runMean = new float[c], runVar = new float[c], gg = new float[c], gb = new float[c];
        AssertNoSteadyStateAllocation(() =>
        {
            BatchNormKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, runMean, runVar, n, c, s, 0.1f, 1e-5f);
            BatchNormKernels.ForwardInference(x, gamma, beta, runMean, runVar, y, n, c, s, 1e-5f);
            BatchNormKernels.Backward(x, y, gamma, mean, invStd, gx, gg, gb, n, c, s);
            // The fused backward's masked row is per thread, allocated on first use only.
            BatchNormReluKernels.ForwardTraining(x, gamma, beta, y, mean, invStd, runMean, runVar,
                n, c, s, 0.1f, 1e-5f);
            BatchNormReluKernels.ForwardInference(x, gamma, beta, runMean, runVar, y, n, c, s, 1e-5f);
            BatchNormReluKernels.Backward(x, y, x, gamma, mean, invStd, gx, gg, gb, n, c, s);
        });
    }
}
