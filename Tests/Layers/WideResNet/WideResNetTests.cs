using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class WideResNetTests
{
    [Theory]
    [InlineData(16, 1, 175_066)]
    [InlineData(16, 2, 691_674)]
    [InlineData(40, 1, 563_930)]
    [InlineData(40, 2, 2_243_546)]
    public void ParameterCountsMatchThePaper(int depth, int widen, long expected)
    {
        var net = WideResNet.Create(depth, widen, 10, new RandomGenerator(1));
        Assert.Equal(expected, net.ParameterCount());
    }

    [Fact]
    public void NamesAreHierarchicalAndBlocksFollowTheReferenceStructure()
    {
        var net = WideResNet.Create(16, 2, 10, new RandomGenerator(2));
        var names = net.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal("stem.weight", names[0]);
        Assert.Contains("group1.block0.conv0.weight", names);
        Assert.Contains("group0.block0.proj.weight", names);   // 16 → 32 changes width in group 0 when k = 2
        Assert.DoesNotContain("group0.block1.proj.weight", names);
        Assert.Contains("group2.block1.bn1.weight", names);
        Assert.Contains("bn.bias", names);
        Assert.Equal(["fc.weight", "fc.bias"], names.TakeLast(2));
        Assert.Contains("group2.block1.bn1.running_var", net.NamedBuffers().Select(b => b.Name));
        Assert.DoesNotContain(names, n => n.Contains("conv") && n.EndsWith(".bias", StringComparison.Ordinal));

        var g1b0 = net.Groups[1].Blocks[0];
        Assert.Equal((32, 64, 2), (g1b0.Conv0.InChannels, g1b0.Conv0.OutChannels, g1b0.Conv0.Stride));
        Assert.Equal((1, 2, 0), (g1b0.Projection!.KernelSize, g1b0.Projection.Stride, g1b0.Projection.Padding));
        Assert.Equal(1, net.Groups[1].Blocks[1].Conv0.Stride);
        Assert.Equal([1, 2, 2], net.Groups.Select(g => g.Blocks[0].Conv0.Stride));
    }

    [Fact]
    public void BlockForwardMatchesTheSpecFormula()
    {
        var rng = new RandomGenerator(3);
        var block = new WideBlock(4, 8, 2, rng);
        block.Eval();
        var x = LayerTestHelpers.Normal([2, 4, 6, 6], 4);
        var o1 = block.Bn0.Forward(x).Relu();
        var y = block.Conv0.Forward(o1);
        var expected = block.Conv1.Forward(block.Bn1.Forward(y).Relu()) + block.Projection!.Forward(o1);
        Assert.Equal(expected.ToArray(), block.Forward(x).ToArray());
        Assert.Equal([2, 8, 3, 3], block.Forward(x).Shape.ToArray());
    }

    [Fact]
    public void GradientReachesEveryParameterOfAWrn40()
    {
        var net = WideResNet.Create(40, 1, 10, new RandomGenerator(5));
        var x = LayerTestHelpers.Normal([2, 3, 8, 8], 6);
        var logits = net.Forward(x);
        Assert.Equal([2, 10], logits.Shape.ToArray());
        Functional.CrossEntropy(logits, [3, 7]).Backward();
        foreach (var (name, p) in net.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient");
            Assert.True(p.Grad!.ToArray().Any(g => g != 0f), $"{name} has an all-zero gradient");
        }
    }

    [Fact]
    public void SingleChannelInputIsSupported()
    {
        var net = WideResNet.Create(10, 1, 10, new RandomGenerator(7), inChannels: 1);
        Assert.Equal([16, 1, 3, 3], net.Stem.Weight.Shape.ToArray());
        Assert.Equal([3, 10], net.Forward(LayerTestHelpers.Normal([3, 1, 8, 8], 8)).Shape.ToArray());
    }

    [Fact]
    public void InvalidDepthIsRejectedWithExplanation()
    {
        var e = Assert.Throws<ArgumentException>(() => WideResNet.Create(17, 1, 10, new RandomGenerator(1)));
        Assert.Contains("6n + 4", e.Message);
    }
}
