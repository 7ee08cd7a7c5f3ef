using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class TrunkPairTests
{
    [Fact]
    public void GeneralPairSharesTheTrunkAndExtractsWithAFactory()
    {
        Module Trunk(RandomGenerator r) => new Sequential(new Linear(6, 8, r), new Tanh());
        Module LightHead(RandomGenerator r) => new Linear(8, 3, r);
        var rng = new RandomGenerator(1);
        var trunk = Trunk(rng);
        var pair =
            TrunkPair.FromTrunk(trunk,
            new Sequential(new Linear(8, 16, rng), new ReLU(), new Linear(16, 3, rng)), LightHead(rng),
            () => new TrunkHeadNet(Trunk(new RandomGenerator(0)), LightHead(new RandomGenerator(0))));
        Assert.Equal(6 * 8 + 8, LayerTestHelpers.Count(pair.SharedParameters()));
        Assert.Equal(8 * 3 + 3, LayerTestHelpers.Count(pair.LightOnlyParameters()));
        Assert.Same(trunk, ((TrunkHeadNet)pair.Light).Trunk);

        var x = LayerTestHelpers.Normal([4, 6], 2);
        var (z, l) = pair.ForwardPair(x);
        Assert.Equal(pair.Booster.Forward(x).ToArray(), z.ToArray());
        Assert.Equal(pair.Light.Forward(x).ToArray(), l.ToArray());
        var extracted = pair.ExtractLight();
        Assert.Equal(l.ToArray(), extracted.Forward(x).ToArray());
        Assert.Throws<InvalidOperationException>(() => pair.Spec);
    }

    [Fact]
    public void TrunkWithBatchNormOrWithoutFactoryIsExplained()
    {
        var rng = new RandomGenerator(3);
        var e = Assert.Throws<ArgumentException>(() =>
            new TrunkPair(new Sequential(new Linear(4, 4, rng), new BatchNorm1d(4)), new Linear(4, 2, rng),
                new Linear(4, 2, rng)));
        Assert.Contains("trunk.1", e.Message);
        var pair = new TrunkPair(new Linear(4, 4, rng), new Linear(4, 2, rng), new Linear(4, 2, rng));
        Assert.Throws<InvalidOperationException>(() => pair.ExtractLight());
    }

    [Fact]
    public void MlpPairBuildsSharedBoosterAndLightLayers()
    {
        var pair = MlpPair.Create(64, [32], [128, 128], [16], 10, new RandomGenerator(4));
        Assert.Equal(64 * 32 + 32, LayerTestHelpers.Count(pair.SharedParameters()));
        Assert.Equal(32 * 16 + 16 + 16 * 10 + 10, LayerTestHelpers.Count(pair.LightOnlyParameters()));
        Assert.Equal(32 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10,
            LayerTestHelpers.Count(pair.BoosterOnlyParameters()));
        Assert.Equal("mlp in=64 shared=32 booster=128x128 light=16 classes=10", pair.Spec.Describe());
        var x = LayerTestHelpers.Normal([5, 64], 5);
        var (z, l) = pair.ForwardPair(x);
        Assert.Equal([5, 10], z.Shape.ToArray());
        Assert.Equal(l.ToArray(), pair.ExtractLight().Forward(x).ToArray());
    }

    [Fact]
    public void CtrTowersMatchThePapersSizesAndEmbedOnce()
    {
        // 24 fields × 24 dims = 576 inputs, as in the paper's ads model.
        var spec = CtrTowerPairSpec.Hashed(24, 1000, 24, [720, 360, 240, 180, 90], [200, 80]);
        var pair = (CtrTowerPair)spec.CreatePair(new RandomGenerator(5));
        Assert.Equal(576 * 200 + 200 + 200 * 80 + 80 + 80 * 2 + 2, LayerTestHelpers.Count(pair.LightOnlyParameters()));
        Assert.Same(pair.Embedding.Weight, Assert.Single(pair.SharedParameters()));
        long boosterLinear = 576 * 720 + 720 * 360 + 360 * 240 + 240 * 180 + 180 * 90 + 90 * 2;
        Assert.Equal(819_900, boosterLinear); // the paper's multiplications count
        long boosterBn = 2 * (720 + 360 + 240 + 180 + 90);
        Assert.Equal(boosterLinear + 720 + 360 + 240 + 180 + 90 + 2 + boosterBn,
            LayerTestHelpers.Count(pair.BoosterOnlyParameters()));
        Assert.Contains(LayerTestHelpers.Descendants(pair.Booster), m => m is BatchNorm1d);
        Assert.DoesNotContain(LayerTestHelpers.Descendants(pair.Light), m => m is BatchNorm);

        var rng = new RandomGenerator(6);
        var ids = new float[8 * 24];
        for (int i = 0; i < ids.Length; i++) ids[i] = rng.NextInt(100_000);
        var x = Tensor.FromArray(ids, 8, 24);
        LayerTestHelpers.WarmUpRunningStats(t => pair.ForwardPair(x).BoosterLogits, [1]);
        pair.Eval();
        var (z, l) = pair.ForwardPair(x);
        Assert.Equal(pair.Booster.Forward(x).ToArray(), z.ToArray());
        Assert.Equal([8, 2], l.Shape.ToArray());
        Assert.Equal(l.ToArray(), pair.ExtractLight().Forward(x).ToArray());
    }

    [Fact]
    public void CtrPerFieldPairTrainsThroughTheSharedEmbedding()
    {
        var pair = CtrTowerPairSpec.PerField([4, 6, 3], 5, [32, 16], [8], 2).CreatePair(new RandomGenerator(7));
        var x = Tensor.FromArray([0f, 5f, 2f, 3f, 1f, 0f, 2f, 2f, 1f], 3, 3);
        var (z, l) = pair.ForwardPair(x);
        (Functional.CrossEntropy(z, [0, 1, 1]) + Functional.CrossEntropy(l, [0, 1, 1])).Backward();
        Assert.All(pair.Parameters(), p => Assert.NotNull(p.Grad));
    }
}
