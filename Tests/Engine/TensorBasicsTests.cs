using Xunit;

namespace RocketNet.Tests.Engine;

public class TensorBasicsTests
{
    [Fact]
    public void ReshapeInfersMinusOne()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4);
        Assert.Equal(new[] { 2, 6 }, x.Reshape(2, -1).Shape.ToArray());
        Assert.Equal(new[] { 12 }, x.Reshape(-1).Shape.ToArray());
        Assert.Equal(new[] { 2, 3, 2 }, x.Reshape(2, -1, 2).Shape.ToArray());
        Assert.Equal(x.ToArray(), x.Reshape(4, 3).ToArray());
    }

    [Theory]
    [InlineData(new[] { 5, -1 })]
    [InlineData(new[] { 5, 2 })]
    [InlineData(new[] { -1, -1 })]
    [InlineData(new[] { -2, 6 })]
    [InlineData(new[] { 0, -1 })]
    public void ReshapeToAnIncompatibleShapeThrows(int[] shape)
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).Reshape(shape));
        Assert.Contains("Reshape", ex.Message);
    }

    [Fact]
    public void FactoriesFillAsDocumented()
    {
        Assert.All(Tensor.Zeros(2, 2).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Tensor.Ones(3).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full(2.5f, 2, 1).ToArray(), v => Assert.Equal(2.5f, v));
        var s = Tensor.Scalar(4);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Count);
        Assert.Equal(4f, s.Item());
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[] { 1, 2, 3 }, 2, 2));
        Assert.True(Tensor.Ones(2).WithGrad().RequiresGrad);
    }

    [Fact]
    public void SliceOutOfRangeThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Slice(1, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Slice(2, 0, 1));
    }

    [Fact]
    public void ConcatShapeMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 3)], 1));
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 3]", ex.Message);
    }

    [Fact]
    public void ReductionAxisErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Sum(2));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Sum([1, -1]));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).Permute(0, 0));
    }
}
