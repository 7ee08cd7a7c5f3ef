using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

public class BackwardErrorTests
{
    [Fact]
    public void BackwardOnANonScalarThrows()
    {
        var y = Tensor.Ones(2, 3).WithGrad() * 2f;
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("scalar", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void BackwardOnATensorThatDoesNotRequireGradThrows()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => (Tensor.Ones(2) * 2f).Sum().Backward());
        Assert.Contains("does not require grad", ex.Message);
        Assert.Contains("RequiresGrad", ex.Message);
    }

    [Fact]
    public void SecondBackwardThroughAReleasedGraphThrows()
    {
        var x = Tensor.Ones(2).WithGrad();
        var loss = (x * x).Sum();
        loss.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("already freed", ex.Message);
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void BackwardReachingAReleasedInnerNodeThrows()
    {
        var x = Tensor.Ones(2).WithGrad();
        var h = x.Exp();
        h.Sum().Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => (h * 2f).Sum().Backward());
        Assert.Contains("Exp", ex.Message);
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void ItemOnANonScalarThrows()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2, 2).Item());
        Assert.Contains("[2, 2]", ex.Message);
        Assert.Equal(5f, Tensor.Full(5f, 1, 1).Item());
    }
}
