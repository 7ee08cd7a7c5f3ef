using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class BasicLayerTests
{
    [Fact]
    public void LinearUsesPyTorchLayoutAndComputesXWtPlusB()
    {
        var layer = new Linear(3, 2, new RandomGenerator(1));
        Assert.Equal([2, 3], layer.Weight.Shape.ToArray());
        float[] w = [1, 2, 3, 4, 5, 6];
        w.CopyTo(layer.Weight.Data);
        layer.Bias!.Data[0] = 0.5f;
        layer.Bias.Data[1] = -1f;
        var y = layer.Forward(Tensor.FromArray([1f, 0f, -1f], 1, 3));
        Assert.Equal(new[] { 1 - 3 + 0.5f, 4 - 6 - 1f }, y.ToArray());
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void LinearWithoutBiasHasOnlyWeight()
    {
        var layer = new Linear(4, 5, new RandomGenerator(1), bias: false);
        Assert.Null(layer.Bias);
        Assert.Equal(20, layer.ParameterCount());
    }

    [Fact]
    public void Conv2dShapesFollowStrideAndPadding()
    {
        var conv = new Conv2d(3, 8, 3, new RandomGenerator(2), stride: 2, padding: 1, bias: false);
        Assert.Equal([8, 3, 3, 3], conv.Weight.Shape.ToArray());
        Assert.Null(conv.Bias);
        var y = conv.Forward(LayerTestHelpers.Normal([2, 3, 8, 8], 3));
        Assert.Equal([2, 8, 4, 4], y.Shape.ToArray());
    }

    [Fact]
    public void SequentialNamesChildrenByIndexAndAppliesThemInOrder()
    {
        var rng = new RandomGenerator(4);
        var net = new Sequential(new Linear(4, 6, rng), new ReLU(), new Linear(6, 2, rng));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], net.NamedParameters().Select(p => p.Name));
        var x = LayerTestHelpers.Normal([3, 4], 5);
        var expected = ((Linear)net[2]).Forward(((Linear)net[0]).Forward(x).Relu());
        Assert.Equal(expected.ToArray(), net.Forward(x).ToArray());
    }

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        var pair = WideResNetPair.Interval(1, 10, new RandomGenerator(6), boosterDepth: 10, lightDepth: 10);
        pair.Eval();
        Assert.All(LayerTestHelpers.Descendants(pair), m => Assert.False(m.IsTraining));
        pair.Train();
        Assert.All(LayerTestHelpers.Descendants(pair), m => Assert.True(m.IsTraining));
    }

    [Fact]
    public void BatchNormUpdatesRunningStatisticsOnlyInTraining()
    {
        var bn = new BatchNorm2d(3, new RandomGenerator(7));
        var x = LayerTestHelpers.Normal([4, 3, 2, 2], 8) * 2f + 3f;
        bn.Forward(x);
        var mean = bn.RunningMean.ToArray();
        var variance = bn.RunningVar.ToArray();
        // One step from (0, 1) with momentum 0.1 moves the mean toward ~3 by a tenth.
        Assert.All(mean, m => Assert.InRange(m, 0.1f, 0.5f));
        Assert.NotEqual(new float[] { 1, 1, 1 }, variance);
        bn.Eval();
        var y1 = bn.Forward(x).ToArray();
        Assert.Equal(mean, bn.RunningMean.ToArray());
        Assert.Equal(variance, bn.RunningVar.ToArray());
        // Eval output uses the running statistics: y = γ (x − μ) / √(σ² + ε) + β.
        float expected0 = bn.Weight.Data[0] * (x.Data[0] - mean[0]) / MathF.Sqrt(variance[0] + 1e-5f) + bn.Bias.Data[0];
        Assert.Equal(expected0, y1[0], 4);
    }

    [Fact]
    public void BatchNormRejectsWrongRankOrChannelsWithClearMessage()
    {
        var bn1 = new BatchNorm1d(4);
        var e = Assert.Throws<ArgumentException>(() => bn1.Forward(Tensor.Zeros(2, 3)));
        Assert.Contains("[N, 4]", e.Message);
        var bn2 = new BatchNorm2d(4);
        Assert.Throws<ArgumentException>(() => bn2.Forward(Tensor.Zeros(2, 4)));
        Assert.Equal(new float[] { 1, 1, 1, 1 }, bn1.Weight.ToArray()); // without a generator γ = 1
        Assert.Equal(new[] { "bias", "running_mean", "running_var", "weight" },
            bn1.StateDict().Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["weight", "bias"], bn1.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndMasksInTraining()
    {
        var dropout = new Dropout(0.5f, new RandomGenerator(9));
        var x = Tensor.Ones(1000);
        var trained = dropout.Forward(x).ToArray();
        Assert.All(trained, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(trained.Count(v => v == 0f), 400, 600);
        dropout.Eval();
        Assert.Equal(x.ToArray(), dropout.Forward(x).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f, new RandomGenerator(1)));
    }

    [Fact]
    public void PoolingFlattenAndActivationsHaveExpectedShapesAndValues()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f], 1, 1, 4, 4);
        Assert.Equal(new[] { 6f, 8f, 14f, 16f }, new MaxPool2d(2).Forward(x).ToArray());
        Assert.Equal(new[] { 3.5f, 5.5f, 11.5f, 13.5f }, new AvgPool2d(2).Forward(x).ToArray());
        Assert.Equal(new[] { 8.5f }, new GlobalAvgPool().Forward(x).ToArray());
        Assert.Equal([1, 16], new Flatten().Forward(x).Shape.ToArray());
        var v = Tensor.FromArray([-1f, 0f, 2f]);
        Assert.Equal(new[] { 0f, 0f, 2f }, new ReLU().Forward(v).ToArray());
        Assert.Equal(0.5f, new Sigmoid().Forward(v).ToArray()[1]);
        Assert.Equal(MathF.Tanh(2f), new Tanh().Forward(v).ToArray()[2], 6);
    }
}
