using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class StateDictTests
{
    [Fact]
    public void LoadingIntoAFreshModelReproducesOutputs()
    {
        var source = WideResNet.Create(10, 1, 10, new RandomGenerator(1));
        LayerTestHelpers.WarmUpRunningStats(source.Forward, [4, 3, 8, 8]);
        var target = WideResNet.Create(10, 1, 10, new RandomGenerator(2));
        target.LoadStateDict(source.StateDict());
        source.Eval();
        target.Eval();
        var x = LayerTestHelpers.Normal([2, 3, 8, 8], 3);
        Assert.Equal(source.Forward(x).ToArray(), target.Forward(x).ToArray());
        // Values were copied, not aliased.
        Assert.False(ReferenceEquals(source.Stem.Weight, target.Stem.Weight));
    }

    [Fact]
    public void PairStateDictRoundTripsAndNamesSharedTensorsOnce()
    {
        var source = WideResNetPair.Interval(1, 10, new RandomGenerator(4), boosterDepth: 16, lightDepth: 10);
        var state = source.StateDict();
        Assert.Contains("booster.stem.weight", state.Keys);
        // shared: under the booster name only
        Assert.DoesNotContain("light.stem.weight", state.Keys);
        Assert.DoesNotContain("light.group0.block0.conv0.weight", state.Keys);
        Assert.Contains("light.group0.block0.bn0.weight", state.Keys);            // batch norm is the light net's own
        Assert.Contains("light.group0.block0.bn0.running_mean", state.Keys);
        var target = WideResNetPair.Interval(1, 10, new RandomGenerator(5), boosterDepth: 16, lightDepth: 10);
        target.LoadStateDict(state);
        source.Eval();
        target.Eval();
        var x = LayerTestHelpers.Normal([2, 3, 8, 8], 6);
        var (z1, l1) = source.ForwardPair(x);
        var (z2, l2) = target.ForwardPair(x);
        Assert.Equal(z1.ToArray(), z2.ToArray());
        Assert.Equal(l1.ToArray(), l2.ToArray());
    }

    [Fact]
    public void MismatchedShapeNamesTheEntry()
    {
        var small = WideResNet.Create(10, 1, 10, new RandomGenerator(1));
        var fiveClasses = WideResNet.Create(10, 1, 5, new RandomGenerator(1));
        var e = Assert.Throws<ArgumentException>(() => small.LoadStateDict(fiveClasses.StateDict()));
        Assert.Contains("'fc.weight' has shape [5, 64]", e.Message);
    }

    [Fact]
    public void MissingOrUnexpectedNamesAreListed()
    {
        var a = WideResNet.Create(10, 1, 10, new RandomGenerator(1));
        var b = WideResNet.Create(16, 1, 10, new RandomGenerator(1));
        var e = Assert.Throws<ArgumentException>(() => a.LoadStateDict(b.StateDict()));
        Assert.Contains("group0.block1.conv0.weight", e.Message);
        var partial = a.StateDict().Where(kv => kv.Key != "fc.bias").ToDictionary();
        e = Assert.Throws<ArgumentException>(() => a.LoadStateDict(partial));
        Assert.Contains("fc.bias", e.Message);
    }

    [Fact]
    public void ModulesBuiltInsideAScopeAreRejectedUnlessUnscoped()
    {
        using (TensorScope.Begin())
        {
            var e = Assert.Throws<InvalidOperationException>(() => new Linear(3, 2, new RandomGenerator(1)));
            Assert.Contains("TensorScope", e.Message);
            using (TensorScope.Unscoped())
            {
                var layer = new Linear(3, 2, new RandomGenerator(1));
                Assert.All(layer.Parameters(), p => Assert.False(p.IsScoped));
            }
        }
    }

    [Fact]
    public void ExtractLightInsideAScopeOutlivesIt()
    {
        var pair = MlpPair.Create(4, [3], [5], [], 2, new RandomGenerator(2));
        Module light;
        using (TensorScope.Begin()) light = pair.ExtractLight();
        Assert.All(light.Parameters(), p => Assert.False(p.IsScoped));
        using (GradMode.NoGrad()) Assert.Equal(2, light.Eval().Forward(Tensor.Ones(1, 4)).Shape[1]);
    }
}
