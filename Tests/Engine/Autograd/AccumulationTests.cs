using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

public class AccumulationTests
{
    [Fact]
    public void TensorUsedTwiceGetsBothContributions()
    {
        var x = Tensor.FromArray(new float[] { -1.5f, 0f, 2f, 3f }).WithGrad();
        (x * x + x).Sum().Backward();
        Assert.Equal(new float[] { -2f, 1f, 5f, 7f }, x.Grad!.ToArray()); // 2x + 1
    }

    [Fact]
    public void SharedIntermediateGetsBothContributions()
    {
        // h = x²; L = Σ (h + 3h) = 4 Σ x² → dL/dx = 8x (a diamond in the graph).
        var x = Tensor.FromArray(new float[] { 1, 2 }).WithGrad();
        var h = x * x;
        (h + h * 3f).Sum().Backward();
        Assert.Equal(new float[] { 8, 16 }, x.Grad!.ToArray());
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroed()
    {
        var x = Tensor.FromArray(new float[] { 1, 2 }).WithGrad();
        (x * 3f).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal(new float[] { 5, 7 }, x.Grad!.ToArray()); // 3 + 2x
        x.ZeroGrad();
        Assert.Equal(new float[] { 0, 0 }, x.Grad!.ToArray());
        (x * 3f).Sum().Backward();
        Assert.Equal(new float[] { 3, 3 }, x.Grad!.ToArray());
    }

    [Fact]
    public void RetainGraphAllowsASecondBackwardThatAccumulates()
    {
        var x = Tensor.FromArray(new float[] { 1, 2 }).WithGrad();
        var loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        loss.Backward();
        Assert.Equal(new float[] { 4, 8 }, x.Grad!.ToArray());
    }

    [Fact]
    public void BackwardOfALeafScalar()
    {
        var x = Tensor.Scalar(3).WithGrad();
        x.Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }

    [Fact]
    public void DeepChainDoesNotOverflowTheStack()
    {
        var x = Tensor.Scalar(1).WithGrad();
        var y = x;
        for (int i = 0; i < 20_000; i++) y = y + 0f;
        y.Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }
}
