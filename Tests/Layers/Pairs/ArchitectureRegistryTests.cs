using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Layers;
using Xunit;

namespace RocketNet.Tests.Layers;

public class ArchitectureRegistryTests
{
    public static TheoryData<string> Descriptions => new()
    {
        "wrn-interval 16-1/10-1 classes=10 in=3",
        "wrn-bottom 16-1 classes=5 in=1",
        "wrn-none 16-2/10-2 classes=10 in=3",
        "mlp in=64 shared=32 booster=64x64 light= classes=10",
        "ctr-towers vocab=4x6x3 dim=5 booster=32x16 light=8 classes=2 std=0.5",
        "ctr-towers fields=3 buckets=40 dim=4 booster=16 light=8 classes=2 std=1",
    };

    [Theory]
    [MemberData(nameof(Descriptions))]
    public void DescriptionsRoundTripAndRebuildTheExtractedLightNet(string description)
    {
        var spec = ArchitectureRegistry.Parse(description);
        Assert.Equal(description, spec.Describe());
        var pair = ArchitectureRegistry.BuildPair(description, new RandomGenerator(1));
        Assert.Equal(description, pair.Spec.Describe());

        // A checkpoint of the extracted light net loads into a net rebuilt from the description alone.
        var extracted = pair.ExtractLight();
        var rebuilt = ArchitectureRegistry.BuildLight(description, new RandomGenerator(2));
        rebuilt.LoadStateDict(extracted.StateDict());
        extracted.Eval();
        rebuilt.Eval();
        var x = description.StartsWith("ctr", StringComparison.Ordinal)
            ? Tensor.FromArray([1f, 2f, 0f, 3f, 5f, 2f], 2, 3)
            : description.StartsWith("mlp", StringComparison.Ordinal) ? LayerTestHelpers.Normal([2, 64], 3)
            : LayerTestHelpers.Normal([2, description.EndsWith("in=1", StringComparison.Ordinal) ? 1 : 3, 8, 8], 3);
        Assert.Equal(extracted.Forward(x).ToArray(), rebuilt.Forward(x).ToArray());
    }

    [Fact]
    public void WrnDescriptionsGiveThePapersCounts()
    {
        Assert.Equal(175_066, ArchitectureRegistry.BuildLight("wrn-interval 40-1/16-1 classes=10 in=3",
            new RandomGenerator(1)).ParameterCount());
        Assert.Equal(136_090,
            ArchitectureRegistry.BuildLight("wrn-bottom 40-1 classes=10", new RandomGenerator(1)).ParameterCount());
    }

    [Theory]
    [InlineData("resnet 18", "Unknown architecture 'resnet'")]
    [InlineData("", "empty")]
    [InlineData("wrn-interval 40-1/16-2 classes=10", "widening")]
    [InlineData("wrn-interval 40-1 classes=10", "40-1/16-1")]
    [InlineData("wrn-interval 40-1/16-1", "classes")]
    [InlineData("wrn-interval 41-1/16-1 classes=10", "6n + 4")]
    [InlineData("mlp in=64 shared=3a booster=8 light=4 classes=2", "list of integers")]
    [InlineData("ctr-towers dim=4 booster=8 light=4", "exactly one of")]
    public void BadDescriptionsAreExplained(string description, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ArchitectureRegistry.BuildLight(description,
            new RandomGenerator(1)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CustomKindsCanBeRegistered()
    {
        ArchitectureRegistry.Register("test-mlp-alias", d => new MlpPairSpec(d.GetInt("in"), [4], [8], [2], 3));
        var light = ArchitectureRegistry.BuildLight("test-mlp-alias in=5", new RandomGenerator(1));
        Assert.Equal(5 * 4 + 4 + 4 * 2 + 2 + 2 * 3 + 3, light.ParameterCount());
        Assert.Contains("test-mlp-alias", ArchitectureRegistry.Kinds);
    }

    [Fact]
    public void ACtrBoosterTowerCanGoWithoutBatchNorm()
    {
        const string text = "ctr-towers vocab=5x7 dim=4 booster=16x8 light=8 classes=2 std=0.01 booster-bn=0";
        Assert.Equal(text, ArchitectureRegistry.Parse(text).Describe());
        var pair = ArchitectureRegistry.BuildPair(text, new RandomGenerator(1));
        Assert.DoesNotContain(pair.Booster.NamedParameters(),
            p => p.Name.Contains("running", StringComparison.Ordinal));
        Assert.DoesNotContain(pair.Booster.NamedBuffers(), b => b.Name.Contains("running", StringComparison.Ordinal));
        var withBn = ArchitectureRegistry.BuildPair(text.Replace(" booster-bn=0", ""), new RandomGenerator(1));
        Assert.Contains(withBn.Booster.NamedBuffers(), b => b.Name.Contains("running", StringComparison.Ordinal));
    }

    [Property(MaxTest = 25)]
    public FsCheck.Property MinimumLightAndBoosterOnlyParametersAreLowerBoundsAndExactForMlps() =>
        TestData.ForAll(Gen.Choose(1, 6).Zip(Gen.Choose(1, 9)).Zip(Gen.Choose(2, 5)).Zip(Gen.Elements(0, 1, 2)), c =>
        {
            var (((a, b), classes), kind) = c;
            string description = kind switch
            {
                0 => $"mlp in={a + 2} shared={b}x{a} booster={b + 3} light={a + b} classes={classes}",
                1 => $"ctr-towers vocab={a}x{b} dim={a} booster={b + 4} light={b}x{a} classes=2 std=0.5",
                _ => b % 2 == 0
                    ? $"wrn-interval 16-1/10-1 classes={classes} in={a % 3 + 1}" : "wrn-bottom 16-1 " +
                    $"classes={classes} in={a % 3 + 1}",
            };
            var spec = ArchitectureRegistry.Parse(description);
            long actual = spec.CreateLight(new RandomGenerator(1)).ParameterCount();
            Assert.InRange(spec.MinimumLightParameters(), 1, actual);
            if (kind == 0) Assert.Equal(actual, spec.MinimumLightParameters());
            long boosterOnly = spec.CreatePair(new RandomGenerator(1)).ParameterCount() - actual;
            Assert.InRange(spec.MinimumBoosterOnlyParameters(), 1, boosterOnly);
            if (kind == 0) Assert.Equal(boosterOnly, spec.MinimumBoosterOnlyParameters());
        });
}
