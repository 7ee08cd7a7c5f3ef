using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Kernels.KernelTestData;

namespace RocketNet.Tests.Kernels;

/// <summary>Once warm, kernel calls must allocate nothing on the managed heap (any thread).</summary>
[Collection(AllocationCollection.Name)]
public class KernelAllocationTests
{
    private static void AssertNoSteadyStateAllocation(Action step)
    {
        WithThreads(2, () =>
        {
            step();
            step();
            long before = GC.GetTotalAllocatedBytes(true);
            for (int i = 0; i < 5; i++) step();
            Assert.Equal(0, GC.GetTotalAllocatedBytes(true) - before);
        });
    }

    [Fact]
    public void ConvolutionAllocatesNothingOnceWarm()
    {
        foreach (var g in new[]
                 {
                     new ConvGeometry(4, 3, 8, 8, 4, 3, 3, 1, 1, 1, 1),
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
}
