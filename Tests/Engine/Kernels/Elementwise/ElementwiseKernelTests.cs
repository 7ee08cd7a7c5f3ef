using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

[Collection(ThreadCountCollection.Name)]
public class ElementwiseKernelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(65_536)]
    [InlineData(200_003)] // several 64K chunks and a partial one
    public void ChunkedLoopsMatchTheReferenceAtOneAndTwoThreads(int length)
    {
        var random = new Random(length);
        float[] a = RandomArray(random, length), b = RandomArray(random, length), start = RandomArray(random, length);
        foreach (var operation in Enum.GetValues<ElementwiseKernels.Operation>())
        {
            var expected = (float[])start.Clone();
            ElementwiseKernels.Reference(operation, a, b, expected);
            foreach (int threads in new[] { 1, 2 })
            {
                var actual = (float[])start.Clone();
                WithThreads(threads, () =>
                {
                    switch (operation)
                    {
                        case ElementwiseKernels.Operation.Relu: ElementwiseKernels.Relu(a, actual); break;
                        case ElementwiseKernels.Operation.ReluBackward:
                            ElementwiseKernels.ReluBackward(a, b, actual);
                            break;
                        case ElementwiseKernels.Operation.Clear: ElementwiseKernels.Clear(actual); break;
                        case ElementwiseKernels.Operation.Copy: ElementwiseKernels.Copy(a, actual); break;
                        case ElementwiseKernels.Operation.ReluBackwardOverwrite:
                            ElementwiseKernels.ReluBackwardOverwrite(a, b, actual); break;
                        default: ElementwiseKernels.Add(a, b, actual); break;
                    }
                });
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ElementwiseKernels.Add(new float[3],
            new float[4], new float[3]));
        Assert.Contains("3", e.Message);
        Assert.Contains("4", e.Message);
    }
}
