using RocketNet.Kernels;
using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

public unsafe class ImplicitTapLayoutTests
{
    [Theory]
    [InlineData(16, 1024, 8)]   // 32×32 planes, 4 KB apart: all in one L1 set, so 8 per chunk
    [InlineData(64, 4096, 8)]   // 64×64 planes, 16 KB apart: same
    [InlineData(32, 256, 32)]   // 16×16 planes, 1 KB apart: four set groups, all 32 fit
    [InlineData(64, 64, 64)]    // 8×8 planes: sixteen groups, more room than channels
    [InlineData(40, 512, 16)]   // 2 KB apart: two groups of 8
    [InlineData(7, 49, 7)]      // odd plane: starts never repeat a set within 4 KB
    public void ChunkFollowsHowPlanesShareCacheSets(int channels, int channelStride, int expected)
    {
        var layout = new ImplicitTapLayout(null, null, 9, channels, channelStride);
        Assert.Equal(expected, layout.Chunk);
    }

    [Fact]
    public void PackedWeightsFollowChunkThenTapThenChannel()
    {
        // 4 KB planes: chunk of 8, so channels 0..7 then 8..10; 2 taps; 18 rows = one full panel + 2 (zero-padded).
        const int channels = 11, taps = 2, m = 18, mr = ImplicitMicroKernel.Mr, k = channels * taps;
        var layout = new ImplicitTapLayout(null, null, taps, channels, 1024);
        Assert.Equal(8, layout.Chunk);
        float[] w = new float[m * k];
        for (int o = 0; o < m; o++)
            for (int r = 0; r < k; r++) w[o * k + r] = o * 1000 + r; // r = c·taps + tap
        float[] packed = new float[2 * k * mr], natural = new float[2 * k * mr];
        Array.Fill(packed, float.NaN);
        fixed (float* wp = w, pp = packed, np = natural) layout.PackWeights(wp, m, np, pp);

        int position = 0;
        foreach (var (first, count) in new[] { (0, 8), (8, 3) })
            for (int tap = 0; tap < taps; tap++)
                for (int c = first; c < first + count; c++, position++)
                    for (int i = 0; i < mr; i++)
                    {
                        for (int panel = 0; panel < 2; panel++)
                        {
                            int o = panel * mr + i;
                            float expected = o < m ? o * 1000 + c * taps + tap : 0f;
                            Assert.Equal(expected, packed[(panel * k + position) * mr + i]);
                        }
                    }
        Assert.Equal(k, position);
    }
}
