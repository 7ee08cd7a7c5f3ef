using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

/// <summary>
/// WideBlock and WideResNet's head use the fused batch norm + ReLU; the nets must compute exactly what the
/// unfused BN → ReLU composition of the same modules computes, with the same state.
/// </summary>
public class WideResNetFusedBatchNormTests
{
    // The unfused forward of the same modules: what WideBlock and WideResNet computed before the fusion.
    private static Tensor UnfusedBlock(WideBlock b, Tensor x)
    {
        var o1 = b.Bn0.Forward(x).Relu();
        var y = b.Conv0.Forward(o1);
        var o2 = b.Bn1.Forward(y).Relu();
        var shortcut = b.Projection is null ? x : b.Projection.Forward(o1);
        return b.Conv1.Forward(o2) + shortcut;
    }

    private static Tensor UnfusedNet(WideResNet net, Tensor x)
    {
        var h = net.Stem.Forward(x);
        foreach (var group in net.Groups)
            foreach (var block in group.Blocks) h = UnfusedBlock(block, h);
        return net.Classifier.Forward(Functional.GlobalAvgPool2d(net.HeadBatchNorm.Forward(h).Relu()));
    }

    // Logits, then every parameter's gradient of L = Σ logits ⊙ r, then every state entry after the step.
    private static List<float[]> Step(WideResNet net, Func<Tensor, Tensor> forward, Tensor x, Tensor r)
    {
        foreach (var p in net.Parameters()) p.Grad = null;
        var logits = forward(x);
        (logits * r).Sum().Backward();
        var results = new List<float[]> { logits.ToArray() };
        results.AddRange(net.Parameters().Select(p => p.Grad!.ToArray()));
        results.AddRange(net.StateDict().OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value.ToArray()));
        return results;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FusedNetEqualsTheUnfusedCompositionBitForBit(bool training)
    {
        var rng = new RandomGenerator(41);
        // Two groups of two blocks, widen 2: a projection block, identity blocks and a stride-2 block.
        var net = WideResNet.Create(blocksPerGroup: 2, widen: 2, groupCount: 2, classes: 5, rng);
        net.Train(training);
        var x = Tensor.RandomUniform([3, 3, 8, 8], rng, -1, 1);
        var r = Tensor.RandomUniform([3, 5], rng, -1, 1);
        var start = net.StateDict().ToDictionary(e => e.Key, e => e.Value.Clone(), StringComparer.Ordinal);

        var fused = Step(net, net.Forward, x, r);
        net.LoadStateDict(start);
        var unfused = Step(net, input => UnfusedNet(net, input), x, r);
        Assert.Equal(unfused.Count, fused.Count);
        for (int i = 0; i < fused.Count; i++) Assert.Equal(unfused[i], fused[i]);

        net.LoadStateDict(start);
        var withMaps = Step(net, input => net.ForwardWithFeatureMaps(input).Logits, x, r);
        for (int i = 0; i < fused.Count; i++) Assert.Equal(fused[i], withMaps[i]);
    }
}
