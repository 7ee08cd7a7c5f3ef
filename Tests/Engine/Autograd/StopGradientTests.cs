using Xunit;

namespace RocketNet.Tests.Engine.Autograd;

public class StopGradientTests
{
    [Fact]
    public void DetachKeepsTheValueAndCutsTheGraph()
    {
        var x = Tensor.FromArray(new float[] { 1, -2, 3 }).WithGrad();
        var y = (x * 2f).Detach();
        Assert.Equal(new float[] { 2, -4, 6 }, y.ToArray());
        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.Equal(y.ToArray(), Tensor.StopGradient(x * 2f).ToArray());
    }

    [Fact]
    public void NoGradientFlowsBehindStopGradientAndTheOtherPathIsUnaffected()
    {
        // L = Σ (x·w − StopGradient(x·w'))²: dL/dw = 2(xw − xw')·x, dL/dw' = 0.
        var rng = new RandomGenerator(42);
        var x = TestData.Uniform([3, 4], rng);
        var w = TestData.Uniform([4, 2], rng).WithGrad();
        var wPrime = TestData.Uniform([4, 2], rng).WithGrad();
        var target = Tensor.StopGradient(x.MatMul(wPrime));
        Assert.False(target.RequiresGrad);
        var diff = x.MatMul(w) - target;
        (diff * diff).Sum().Backward();

        Assert.True(wPrime.Grad is null || wPrime.Grad.ToArray().All(g => g == 0),
            "w' must get no gradient through StopGradient");
        var expected = x.Transpose().MatMul((x.MatMul(w) - x.MatMul(wPrime)) * 2f).ToArray();
        var actual = w.Grad!.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void StopGradientOfAFunctionOfTheSameParameterActsAsAConstant()
    {
        // L = Σ (x·w − SG(0.5·x·w + x·w'))²: only the live branch differentiates, so
        // dL/dw = xᵀ·2(x·w − t) with t the (constant) value of the detached branch, not xᵀ·2(…)·0.5.
        // (Finite differences cannot check this: they see the detached branch move.)
        var rng = new RandomGenerator(7);
        var x = TestData.Uniform([3, 4], rng);
        var w = TestData.Uniform([4, 2], rng).WithGrad();
        var wPrime = TestData.Uniform([4, 2], rng).WithGrad();
        var t = Tensor.StopGradient(x.MatMul(w) * 0.5f + x.MatMul(wPrime));
        var d = x.MatMul(w) - t;
        (d * d).Sum().Backward();
        Assert.Null(wPrime.Grad);
        float[] expected;
        using (GradMode.NoGrad()) expected = x.Transpose().MatMul((x.MatMul(w) - t) * 2f).ToArray();
        var actual = w.Grad!.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void DetachedTensorCannotBackward()
    {
        var x = Tensor.Ones(2).WithGrad();
        var ex = Assert.Throws<InvalidOperationException>(() => x.Sum().Detach().Backward());
        Assert.Contains("does not require grad", ex.Message);
    }
}
