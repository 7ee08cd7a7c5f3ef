using Xunit;

namespace RocketNet.Tests.Engine.Memory;

public class TensorScopeTests
{
    [Fact]
    public void TensorUsedAfterItsScopeThrows()
    {
        Tensor inside, total;
        using (TensorScope.Begin())
        {
            inside = Tensor.Ones(2, 3) * 2f;
            total = inside.Sum();
            Assert.Equal(2f, inside.Data[0]);
        }
        var ex = Assert.Throws<ObjectDisposedException>(() => inside.ToArray());
        Assert.Contains("TensorScope", ex.Message);
        Assert.Throws<ObjectDisposedException>(() => total.Item());
        Assert.Throws<ObjectDisposedException>(() => inside + Tensor.Ones(2, 3));
        Assert.Contains("released", inside.ToString());
    }

    [Fact]
    public void ParameterGradientsCreatedInsideAScopeSurviveIt()
    {
        var w = Tensor.FromArray(new float[] { 1, 2, 3 }).WithGrad();
        float loss;
        using (TensorScope.Begin())
        {
            var l = (w * w).Sum();
            l.Backward();
            loss = l.Item();
        }
        Assert.Equal(14f, loss);
        Assert.Equal(new float[] { 2, 4, 6 }, w.Grad!.ToArray());
        Assert.Equal(new float[] { 1, 2, 3 }, w.ToArray());
    }

    [Fact]
    public void RepeatedStepsGiveTheSameGradientsWithRecycledStorage()
    {
        var rng = new RandomGenerator(1);
        var w = TestData.Uniform([4, 3], rng).WithGrad();
        var x = TestData.Uniform([5, 4], rng);
        float[]? first = null;
        for (int step = 0; step < 3; step++)
        {
            w.ZeroGrad();
            using (TensorScope.Begin())
            {
                Functional.CrossEntropy(x.MatMul(w).Tanh(), [0, 1, 2, 0, 1]).Backward();
            }
            first ??= w.Grad!.ToArray();
            Assert.Equal(first, w.Grad!.ToArray());
        }
    }

    [Fact]
    public void NestedScopesReleaseOnlyTheirOwnTensors()
    {
        using (TensorScope.Begin())
        {
            var outer = Tensor.Ones(2);
            Tensor inner;
            using (TensorScope.Begin())
            {
                inner = outer * 3f;
                Assert.Equal(1, TensorScope.TrackedCount);
            }
            Assert.Throws<ObjectDisposedException>(() => inner.ToArray());
            Assert.Equal(new float[] { 1, 1 }, outer.ToArray());
        }
    }

    [Fact]
    public void TensorsCreatedOutsideAnyScopeAreUnaffected()
    {
        var persistent = Tensor.Ones(3);
        using (TensorScope.Begin()) _ = persistent * 2f;
        Assert.Equal(new float[] { 1, 1, 1 }, persistent.ToArray());
    }

    [Fact]
    public void DisposingOutOfOrderThrows()
    {
        var outer = TensorScope.Begin();
        var inner = TensorScope.Begin();
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => outer.Dispose());
            Assert.Contains("out of order", ex.Message);
        }
        finally
        {
            inner.Dispose();
            outer.Dispose();
        }
    }

    [Fact]
    public void IsScopedTellsWhichTensorsTheScopeWillRecycle()
    {
        var outside = Tensor.Ones(2);
        Assert.False(outside.IsScoped);
        using (TensorScope.Begin())
        {
            var inside = Tensor.Ones(2);
            Assert.True(inside.IsScoped);
            Assert.True(outside.Detach().IsScoped); // a view made in the scope dies with it
            using (TensorScope.Unscoped())
            {
                var kept = Tensor.Ones(2);
                Assert.False(kept.IsScoped);
            }
            Assert.True(Tensor.Ones(2).IsScoped);
        }
    }
}
