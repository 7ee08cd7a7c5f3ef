using RocketNet.Kernels;
using Xunit;

namespace RocketNet.Tests;

public class SmokeTests
{
    [Fact]
    public void ReferenceGemmMultipliesTwoByTwo()
    {
        float[] a = [1, 2, 3, 4], b = [5, 6, 7, 8], c = new float[4];
        GemmReference.Multiply(a, b, c, 2, 2, 2);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c);
    }
}
