using RocketNet.Kernels;
using Xunit;
using static RocketNet.Tests.Engine.Kernels.KernelTestData;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// A weight packed once (<see cref="PackedLinearWeight"/>) must give the bits the per-call packing gives, on every
/// GEMM path (one row, direct loops, packed kernel; one and two threads), for widths that leave half and odd
/// last panels, short last row groups and several k slabs — and must not see later changes to the source.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class PackedLinearWeightTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 256, 576, 200 }, { 256, 200, 80 }, { 256, 80, 2 }, // the paper's light CTR tower at batch 256
        { 1, 576, 200 }, { 3, 5, 4 }, { 13, 33, 7 }, { 37, 257, 48 }, { 300, 100, 33 },
            { 517, 64, 16 }, { 64, 1024, 40 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void PackedOnceGivesTheBitsOfPackingPerCall(int rows, int inFeatures, int outFeatures)
    {
        var random = new Random(rows * 31 + inFeatures * 7 + outFeatures);
        float[] x = RandomArray(random, rows * inFeatures), weight = RandomArray(random, outFeatures * inFeatures),
            bias = RandomArray(random, outFeatures);
        var packed = new PackedLinearWeight(weight, outFeatures, inFeatures);
        foreach (int threads in new[] { 1, 2 })
        {
            foreach (bool withBias in new[] { true, false })
            {
                var b = withBias ? bias : [];
                float[] expected = new float[rows * outFeatures], actual = new float[rows * outFeatures];
                WithThreads(threads, () =>
                {
                    DenseInferenceKernels.Linear(x, weight, b, expected, rows, inFeatures, outFeatures);
                    DenseInferenceKernels.Linear(x, packed, b, actual, rows);
                });
                Assert.Equal(expected, actual);
            }
        }
    }

    [Fact]
    public void ThePackedWeightIsACopy()
    {
        float[] weight = [1, 2, 3, 4, 5, 6];
        var packed = new PackedLinearWeight(weight, 2, 3);
        weight.AsSpan().Clear();
        var y = new float[2];
        DenseInferenceKernels.Linear([1f, 1f, 1f], packed, [], y, 1);
        Assert.Equal(new[] { 6f, 15f }, y);
    }

    [Fact]
    public void WrongSizesAreRejectedWithTheExpectedLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new PackedLinearWeight(new float[5], 2, 3));
        Assert.Contains("[2, 3] holds 6 floats, got 5", e.Message);
        var packed = new PackedLinearWeight(new float[6], 2, 3);
        e = Assert.Throws<ArgumentException>(() => DenseInferenceKernels.Linear(new float[7], packed,
            [], new float[4], 2));
        Assert.Contains("[2, 3] needs 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => DenseInferenceKernels.Linear(new float[6], packed,
            [1f], new float[4], 2));
        Assert.Contains("expected 2 (or none)", e.Message);
    }
}
