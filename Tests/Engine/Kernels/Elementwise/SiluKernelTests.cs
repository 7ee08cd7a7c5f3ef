using FsCheck;
using FsCheck.Fluent;
using RocketNet.Kernels;
using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>SiLU's vectorised kernels against the double-precision definition.</summary>
public class SiluKernelTests
{
    [FsCheck.Xunit.Property(MaxTest = 50)]
    public Property ForwardAndBackwardMatchTheReference() =>
        TestData.ForAll(Gen.Choose(1, 3000).Zip(TestData.Seed), c =>
        {
            var (length, seed) = c;
            var random = new RandomGenerator((ulong)seed);
            var x = new float[length];
            var dy = new float[length];
            var start = new float[length];
            random.FillUniform(x, -12f, 12f);
            random.FillNormal(dy, 0, 1);
            random.FillNormal(start, 0, 1);
            var y = new float[length];
            var expectedY = new float[length];
            SiluKernels.Forward(x, y);
            SiluReference.Forward(x, expectedY);
            var dx = (float[])start.Clone();
            var expectedDx = (float[])start.Clone();
            SiluKernels.Backward(x, dy, dx);
            SiluReference.Backward(x, dy, expectedDx);
            for (int i = 0; i < length; i++)
            {
                Assert.True(Math.Abs(y[i] - expectedY[i]) <= 2e-6f * Math.Max(1, Math.Abs(expectedY[i])),
                    $"y[{i}] at x = {x[i]}: {y[i]} vs {expectedY[i]}");
                Assert.True(Math.Abs(dx[i] - expectedDx[i]) <= 2e-6f * Math.Max(1, Math.Abs(expectedDx[i])),
                    $"dx[{i}] at x = {x[i]}: {dx[i]} vs {expectedDx[i]}");
            }
        });

    [Fact]
    public void ForwardInPlaceEqualsOutOfPlace()
    {
        float[] x = [-3f, -0.5f, 0f, 0.5f, 3f, 20f, -20f];
        var y = new float[x.Length];
        SiluKernels.Forward(x, y);
        var inPlace = (float[])x.Clone();
        SiluKernels.Forward(inPlace, inPlace);
        Assert.Equal(y, inPlace);
        Assert.Equal(0f, y[2]);
        Assert.Equal(20f, y[5], 4);
    }
}
