using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class WideResNetPairTests
{
    private static HashSet<Tensor> Set(IEnumerable<Tensor> tensors) => new(tensors, ReferenceEqualityComparer.Instance);

    [Fact]
    public void IntervalPairPartitionsMatchThePaper()
    {
        var pair = WideResNetPair.Interval(1, 10, new RandomGenerator(1));
        Assert.Equal(563_930, pair.Booster.ParameterCount());
        Assert.Equal(175_066, pair.Light.ParameterCount());
        Assert.Equal(173_488, LayerTestHelpers.Count(pair.SharedParameters()));
        Assert.Equal(1_578, LayerTestHelpers.Count(pair.LightOnlyParameters()));
        Assert.Equal(563_930 - 173_488, LayerTestHelpers.Count(pair.BoosterOnlyParameters()));
        Assert.Equal(563_930 + 1_578, pair.ParameterCount());
        Assert.Equal("wrn-interval 40-1/16-1 classes=10 in=3", pair.Spec.Describe());
    }

    [Fact]
    public void IntervalLightReusesTheBoostersConvTensorsOfTheFirstTwoBlocks()
    {
        var pair = WideResNetPair.Interval(2, 10, new RandomGenerator(2));
        var booster = pair.BoosterNet;
        var light = pair.LightNet;
        Assert.Same(booster.Stem, light.Stem);
        for (int g = 0; g < 3; g++)
        {
            Assert.Equal(2, light.Groups[g].Blocks.Count);
            for (int b = 0; b < 2; b++)
            {
                var lb = light.Groups[g].Blocks[b];
                var bb = booster.Groups[g].Blocks[b];
                Assert.Same(bb.Conv0.Weight, lb.Conv0.Weight);
                Assert.Same(bb.Conv1.Weight, lb.Conv1.Weight);
                Assert.Same(bb.Projection?.Weight, lb.Projection?.Weight);
                Assert.NotSame(bb.Bn0, lb.Bn0);
                Assert.NotSame(bb.Bn1, lb.Bn1);
            }
        }
        Assert.NotNull(light.Groups[0].Blocks[0].Projection); // k = 2: 16 → 32 projection is shared too
        AssertBatchNormNeverShared(pair);
    }

    [Fact]
    public void BottomPairHasTheBoostersFirstTwoGroupsAndThePapersCount()
    {
        var pair = WideResNetPair.Bottom(1, 10, new RandomGenerator(3));
        Assert.Equal(136_090, pair.Light.ParameterCount());
        Assert.Equal(2, pair.LightNet.Groups.Count);
        Assert.Equal(6, pair.LightNet.Groups[1].Blocks.Count);
        Assert.Same(pair.BoosterNet.Groups[1].Blocks[5].Conv1.Weight, pair.LightNet.Groups[1].Blocks[5].Conv1.Weight);
        Assert.Equal(32, pair.LightNet.HeadBatchNorm.NumFeatures);
        // Light-only: 12 blocks of own BNs + head BN(32) + FC(32 → 10).
        long bn = 6 * 2 * (16 + 16) + 2 * (16 + 32) + 5 * 2 * (32 + 32);
        Assert.Equal(bn + 64 + 330, LayerTestHelpers.Count(pair.LightOnlyParameters()));
        AssertBatchNormNeverShared(pair);
    }

    [Fact]
    public void StemOnlyPairSharesOnlyTheStem()
    {
        var pair = WideResNetPair.StemOnly(1, 10, new RandomGenerator(4));
        var shared = pair.SharedParameters();
        Assert.Single(shared);
        Assert.Same(pair.BoosterNet.Stem.Weight, shared[0]);
        Assert.Equal(175_066, pair.Light.ParameterCount());
        Assert.Equal(175_066 - 432, LayerTestHelpers.Count(pair.LightOnlyParameters()));
    }

    [Fact]
    public void PartitionsAreDisjointAndCoverEveryParameter()
    {
        var pair = WideResNetPair.Interval(1, 10, new RandomGenerator(5), boosterDepth: 16, lightDepth: 10);
        var shared = Set(pair.SharedParameters());
        var boosterOnly = Set(pair.BoosterOnlyParameters());
        var lightOnly = Set(pair.LightOnlyParameters());
        Assert.Empty(shared.Intersect(boosterOnly));
        Assert.Empty(shared.Intersect(lightOnly));
        Assert.Empty(boosterOnly.Intersect(lightOnly));
        Assert.True(Set(pair.Parameters()).SetEquals(shared.Concat(boosterOnly).Concat(lightOnly)));
    }

    [Theory]
    [InlineData(WideResNetSharing.Interval)]
    [InlineData(WideResNetSharing.Bottom)]
    [InlineData(WideResNetSharing.StemOnly)]
    public void ForwardPairEqualsSeparateForwardsAndExtractLightMatchesInEval(WideResNetSharing sharing)
    {
        int lightDepth = sharing == WideResNetSharing.Bottom ? 16 : 10;
        var pair = new WideResNetPair(new WideResNetPairSpec(sharing, 16, lightDepth, 1, 5), new RandomGenerator(6));
        LayerTestHelpers.WarmUpRunningStats(x => pair.ForwardPair(x).LightLogits, [4, 3, 8, 8]);
        pair.Eval();
        var input = LayerTestHelpers.Normal([3, 3, 8, 8], 7);
        var (z, l) = pair.ForwardPair(input);
        Assert.Equal(pair.Booster.Forward(input).ToArray(), z.ToArray());
        Assert.Equal(pair.Light.Forward(input).ToArray(), l.ToArray());

        var extracted = pair.ExtractLight();
        Assert.False(extracted.IsTraining);
        Assert.Equal(pair.Light.ParameterCount(), extracted.ParameterCount());
        Assert.Equal(l.ToArray(), extracted.Forward(input).ToArray());
        var pairTensors = Set(pair.StateDict().Values);
        Assert.All(extracted.StateDict().Values, t => Assert.DoesNotContain(t, pairTensors));
        // running stats copied
        Assert.Contains(((WideResNet)extracted).HeadBatchNorm.RunningMean.ToArray(), v => v != 0f);
    }

    [Fact]
    public void PairGradientsReachSharedBoosterAndLightParameters()
    {
        var pair = WideResNetPair.Interval(1, 10, new RandomGenerator(8), boosterDepth: 16, lightDepth: 10);
        var (z, l) = pair.ForwardPair(LayerTestHelpers.Normal([2, 3, 8, 8], 9));
        (Functional.CrossEntropy(z, [1, 2]) + Functional.CrossEntropy(l, [1, 2])).Backward();
        Assert.All(pair.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void IncompatibleSizesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => WideResNetPair.Interval(1, 10, new RandomGenerator(1),
            boosterDepth: 16, lightDepth: 40));
        Assert.Throws<ArgumentException>(() => new WideResNetPairSpec(WideResNetSharing.Bottom, 40, 16, 1, 10));
    }

    private static void AssertBatchNormNeverShared(RocketPair pair)
    {
        var boosterBns =
            Set(LayerTestHelpers.Descendants(pair.Booster).OfType<BatchNorm>().SelectMany(
            b => new[] { b.Weight, b.Bias, b.RunningMean, b.RunningVar }));
        var lightBns = LayerTestHelpers.Descendants(pair.Light).OfType<BatchNorm>().SelectMany(
            b => new[] { b.Weight, b.Bias, b.RunningMean, b.RunningVar });
        Assert.All(lightBns, t => Assert.DoesNotContain(t, boosterBns));
    }
}
