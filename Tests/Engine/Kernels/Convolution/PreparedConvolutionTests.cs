using RocketNet.Kernels;
using RocketNet.Tests.Serving;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;
using Kernel = RocketNet.Kernels.ConvolutionKernels.ForwardKernel;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// <see cref="PreparedConvolution"/> packs or transforms the weights once; each call must give exactly the bits of
/// <see cref="ConvolutionKernels.Forward(Kernel, ConvGeometry, ReadOnlySpan{float}, ReadOnlySpan{float},
/// ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float})"/> on the same kernel (which prepares them per call and is
/// checked against <see cref="ConvolutionReference"/> elsewhere), for every batch it is run on, on 1 and 2 threads,
/// and stay close to the reference.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class PreparedConvolutionTests
{
    [Theory]
    [InlineData(3, 32, 32, 16, 3, 1, 1)]  // WRN stem shape, 3 input channels
    [InlineData(16, 12, 10, 16, 3, 1, 1)] // odd tile counts
    [InlineData(32, 16, 16, 32, 3, 1, 1)]
    [InlineData(16, 32, 32, 32, 3, 2, 1)] // strided: implicit GEMM only
    [InlineData(16, 32, 32, 32, 1, 2, 0)] // 1×1 stride-2 projection
    [InlineData(5, 9, 9, 6, 5, 1, 2)]      // 5×5
    public void PreparedCallsEqualPerCallPreparationBitForBit(int c, int h, int w, int outChannels, int k,
        int stride, int pad)
    {
        var random = new Random(c * 31 + h);
        var shape = new ConvGeometry(1, c, h, w, outChannels, k, k, stride, stride, pad, pad);
        float[] weight = RandomArray(random, shape.WeightLength), bias = RandomArray(random, outChannels);
        foreach (var kernel in new[] { Kernel.ImplicitGemm, Kernel.WinogradF23, Kernel.WinogradF43 })
        {
            if (!ConvolutionKernels.CanRunForward(kernel, shape)) continue;
            var prepared = new PreparedConvolution(kernel, shape, weight, bias);
            Assert.Equal(kernel, prepared.Kernel);
            foreach (int batch in new[] { 1, 3, 17 })
            {
                var g = shape with { Batch = batch };
                float[] x = RandomArray(random, g.InputLength), residual = RandomArray(random, g.OutputLength);
                var expected = new float[g.OutputLength];
                ConvolutionKernels.Forward(kernel, g, x, weight, bias, expected, residual);
                var reference = new float[g.OutputLength];
                ConvolutionReference.Forward(g, x, weight, bias, reference);
                for (int i = 0; i < reference.Length; i++) reference[i] += residual[i];
                foreach (int threads in new[] { 1, 2 })
                {
                    var actual = new float[g.OutputLength];
                    WithThreads(threads, () => prepared.Forward(batch, x, actual, residual));
                    Assert.Equal(expected, actual);
                }
                AssertClose(reference, expected, 1e-4f, $"{kernel} batch {batch}");
            }
        }
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheirExpectedShapes()
    {
        var g = new ConvGeometry(1, 2, 5, 5, 3, 3, 3, 2, 2, 1, 1);
        var weight = new float[g.WeightLength];
        Assert.Throws<ArgumentException>(() => new PreparedConvolution(Kernel.WinogradF23, g, weight, []));
        Assert.Throws<ArgumentException>(() => new PreparedConvolution(Kernel.ImplicitGemm, g, new float[5], []));
        Assert.Throws<ArgumentException>(() => new PreparedConvolution(Kernel.ImplicitGemm, g, weight, new float[2]));
        var prepared = new PreparedConvolution(Kernel.ImplicitGemm, g, weight, []);
        Assert.Throws<ArgumentException>(() => prepared.Forward(0, new float[50], new float[27]));
        Assert.Throws<ArgumentException>(() => prepared.Forward(2, new float[50], new float[53]));
    }
}
