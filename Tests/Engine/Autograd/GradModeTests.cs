using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

public class GradModeTests
{
    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Tensor.Ones(2, 2).WithGrad();
        Tensor y;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            y = (x * x + x).Exp().Sum();
        }
        Assert.True(GradMode.IsEnabled);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
        Assert.True(y.IsLeaf);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("does not require grad", ex.Message);
        Assert.Contains("NoGrad", ex.Message);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void NoGradNestsAndRestores()
    {
        using (GradMode.NoGrad())
        {
            using (GradMode.NoGrad()) Assert.False(GradMode.IsEnabled);
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
        var x = Tensor.Ones(2).WithGrad();
        Assert.True((x * 2f).RequiresGrad);
    }

    [Fact]
    public void EveryOpRespectsNoGrad()
    {
        var x = Tensor.Ones(2, 3).WithGrad();
        var w = Tensor.Ones(4, 3).WithGrad();
        using var _ = GradMode.NoGrad();
        Tensor[] results =
        [
            x + x, x - 1f, x * x, x / 2f, x.Exp(), x.Log(), x.Sqrt(), x.Pow(2), x.Relu(), x.Sigmoid(), x.Tanh(),
            x.Sum(0), x.Mean(), x.Max(1, keepDim: true), x.MatMul(w.Transpose()), x.Reshape(3, 2), x.Permute(1, 0),
            x.Slice(1, 0, 2), Tensor.Concat([x, x]), x.Softmax(), x.LogSoftmax(0), Functional.CrossEntropy(x, [0, 1]),
            Functional.MseLoss(x, x), Functional.Linear(x, w),
                Functional.Dropout(x, 0.5f, true, new RandomGenerator(1)),
            Functional.Embedding(w, [0, 3]),
        ];
        Assert.All(results, r => Assert.False(r.RequiresGrad));
        Assert.All(results, r => Assert.Null(r.GradFn));
    }

    [Fact]
    public void RequiresGradCannotBeSetOnANonLeaf()
    {
        var y = Tensor.Ones(2).WithGrad() * 2f;
        var ex = Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Contains("leaf", ex.Message);
    }
}
