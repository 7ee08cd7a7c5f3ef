using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// The Winograd filter transform U = G·g·Gᵀ: 8 filters per vector give the same bits as one filter at a time (the
/// remainder path), and the padded rows of U are zero.
/// </summary>
public class WinogradF23FilterTests
{
    [Theory]
    [InlineData(3, 8, 8)]
    [InlineData(5, 21, 8)]  // two vectors of 8 and a remainder of 5
    [InlineData(17, 64, 24)]
    public unsafe void EightAtATimeEqualsOneAtATime(int outChannels, int inChannels, int paddedOut)
    {
        var random = new Random(outChannels * 100 + inChannels);
        float[] w = RandomArray(random, (long)outChannels * inChannels * 9, 10f);
        float[] u = RandomArray(random, 16L * paddedOut * inChannels); // stale values: all must be overwritten
        float[] single = new float[16];
        fixed (float* wp = w, up = u, sp = single)
        {
            WinogradF23Transforms.Filters(wp, up, outChannels, paddedOut, inChannels);
            for (int o = 0; o < paddedOut; o++)
                for (int c = 0; c < inChannels; c++)
                {
                    if (o < outChannels) WinogradF23Transforms.Filters(wp + (o * inChannels + c) * 9, sp, 1, 1, 1);
                    else Array.Clear(single);
                    for (int cell = 0; cell < 16; cell++)
                        Assert.Equal(single[cell], u[(cell * paddedOut + o) * inChannels + c]);
                }
        }
    }
}
