using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class InitTests
{
    private static (double Mean, double Std) Moments(ReadOnlySpan<float> values)
    {
        double sum = 0, sq = 0;
        foreach (float v in values) { sum += v; sq += (double)v * v; }
        double mean = sum / values.Length;
        return (mean, Math.Sqrt(sq / values.Length - mean * mean));
    }

    [Fact]
    public void LinearWeightIsKaimingNormalAndBiasZero()
    {
        var layer = new Linear(500, 400, new RandomGenerator(11)); // 200,000 draws
        var (mean, std) = Moments(layer.Weight.Data);
        double expected = Math.Sqrt(2.0 / 500);
        Assert.InRange(mean, -0.01 * expected, 0.01 * expected);
        Assert.InRange(std, expected * 0.99, expected * 1.01);
        Assert.All(layer.Bias!.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void ConvWeightUsesFanInOfChannelsTimesKernelArea()
    {
        var conv = new Conv2d(64, 128, 3, new RandomGenerator(12), bias: true); // fan-in 576, 73,728 draws
        var (_, std) = Moments(conv.Weight.Data);
        double expected = Math.Sqrt(2.0 / (64 * 9));
        Assert.InRange(std, expected * 0.98, expected * 1.02);
        Assert.All(conv.Bias!.ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void BatchNormWithGeneratorHasGammaInUnitIntervalAndZeroBeta()
    {
        var bn = new BatchNorm2d(4096, new RandomGenerator(13));
        float[] gamma = bn.Weight.ToArray();
        Assert.All(gamma, g => Assert.InRange(g, 0f, MathF.BitDecrement(1f)));
        Assert.InRange(gamma.Average(), 0.47, 0.53);
        Assert.All(bn.Bias.ToArray(), b => Assert.Equal(0f, b));
        Assert.All(bn.RunningMean.ToArray(), m => Assert.Equal(0f, m));
        Assert.All(bn.RunningVar.ToArray(), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void KaimingRejectsVectorShapes()
    {
        Assert.Throws<ArgumentException>(() => Init.KaimingNormal([5], new RandomGenerator(1)));
        Assert.Equal(MathF.Sqrt(2f / 8), Init.KaimingStd(8));
    }

    [Fact]
    public void SameSeedBuildsIdenticalModelsAndOtherSeedsDiffer()
    {
        var a = WideResNetPair.Interval(1, 10, new RandomGenerator(42), boosterDepth: 16, lightDepth: 10);
        var b = WideResNetPair.Interval(1, 10, new RandomGenerator(42), boosterDepth: 16, lightDepth: 10);
        var c = WideResNetPair.Interval(1, 10, new RandomGenerator(43), boosterDepth: 16, lightDepth: 10);
        var sa = a.StateDict();
        var sb = b.StateDict();
        Assert.Equal(sa.Keys, sb.Keys);
        foreach (var (name, t) in sa) Assert.Equal(t.ToArray(), sb[name].ToArray());
        Assert.NotEqual(sa["booster.stem.weight"].ToArray(), c.StateDict()["booster.stem.weight"].ToArray());
    }
}
