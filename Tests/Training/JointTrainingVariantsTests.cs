using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Layers;
using RocketNet.Training.Losses;
using Xunit;

namespace RocketNet.Tests.Training;

/// <summary>
/// TorchEasyRec's two variants of joint training: the light net reading the shared layers detached
/// (<see cref="SharedGradient.Booster"/>) and feature-based distillation (<see cref="FeatureHint"/>).
/// </summary>
public class JointTrainingVariantsTests
{
    // in 4 → shared 8 → booster head 12 → 6 → classes; light head 6 → classes. The light hidden layer (6)
    // pairs with the booster's second hidden layer.
    private static MlpPair Pair(ulong seed) => MlpPair.Create(4, [8], [12, 6], [6], 3, new RandomGenerator(seed));

    private static Tensor Input() => Tensor.FromArray(
        [0.3f, -1.2f, 0.8f, 0.5f, /**/ -0.7f, 0.4f, 1.1f, -0.2f, /**/ 1.5f, 0.1f, -0.6f, 0.9f], 3, 4);

    private static readonly int[] Labels = [0, 2, 1];

    private static float[][] Gradients(IEnumerable<Tensor> parameters) =>
        parameters.Select(p => p.Grad is null ? new float[p.Count] : p.Grad.ToArray()).ToArray();

    private static void ClearGrads(RocketPair pair)
    {
        foreach (var p in pair.Parameters()) p.Grad = null;
    }

    // The full rocket loss with the given variants, backpropagated; returns every parameter's gradient.
    private static (float[][] Shared, float[][] BoosterOnly, float[][] LightOnly) RocketGradients(
        MlpPair pair, LossOptions loss)
    {
        ClearGrads(pair);
        using var scope = TensorScope.Begin();
        var outputs = pair.ForwardPair(Input(), new PairForwardOptions(
            loss.SharedGradient == SharedGradient.Booster, loss.FeatureHint != FeatureHintKind.None));
        var terms = RocketLosses.Rocket(outputs.BoosterLogits, outputs.LightLogits, Labels, loss);
        if (loss.FeatureHint != FeatureHintKind.None)
            terms = terms.WithFeatureHint(FeatureHint.Loss(loss.FeatureHint, outputs.LightHidden, outputs.BoosterHidden)
                * loss.FeatureLambda);
        terms.Total.Backward();
        return (Gradients(pair.SharedParameters()), Gradients(pair.BoosterOnlyParameters()),
            Gradients(pair.LightOnlyParameters()));
    }

    private static void AssertEqual(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            for (int i = 0; i < expected[k].Length; i++)
                Assert.True(Math.Abs(expected[k][i] - actual[k][i]) <= 1e-6f + 1e-5f * Math.Abs(expected[k][i]),
                    $"{what}: tensor {k} element {i}: expected {expected[k][i]}, got {actual[k][i]}");
    }

    [Fact]
    public void WithSharedGradientBoosterTheSharedLayersGetExactlyTheBoosterCrossEntropyGradient()
    {
        var pair = Pair(3);
        var detached =
            RocketGradients(pair, new LossOptions { Lambda = 0.5f, SharedGradient = SharedGradient.Booster });
        ClearGrads(pair);
        float[][] boosterOnly;
        using (TensorScope.Begin())
        {
            Functional.CrossEntropy(pair.Booster.Forward(Input()), Labels).Backward();
            boosterOnly = Gradients(pair.SharedParameters());
        }
        Assert.Contains(boosterOnly, g => g.Any(v => v != 0));
        AssertEqual(boosterOnly, detached.Shared, "shared gradient with the light net detached");
    }

    [Fact]
    public void DetachingTheSharedLayersLeavesTheLightAndBoosterHeadGradientsUnchanged()
    {
        var pair = Pair(4);
        var both = RocketGradients(pair, new LossOptions { Lambda = 0.5f });
        var detached =
            RocketGradients(pair, new LossOptions { Lambda = 0.5f, SharedGradient = SharedGradient.Booster });
        AssertEqual(both.LightOnly, detached.LightOnly, "light head");
        AssertEqual(both.BoosterOnly, detached.BoosterOnly, "booster head");
        // The light path's contribution to the shared layers is what detaching removes: it must have been there.
        Assert.Contains(both.Shared.Zip(detached.Shared),
            p => p.First.Zip(p.Second).Any(v => Math.Abs(v.First - v.Second) > 1e-6f));
    }

    [Theory]
    [InlineData(FeatureHintKind.Cosine)]
    [InlineData(FeatureHintKind.L2)]
    public void TheFeatureHintPutsNoGradientOnBoosterOnlyParameters(FeatureHintKind kind)
    {
        var pair = Pair(5);
        var without = RocketGradients(pair, new LossOptions { Lambda = 0.5f });
        var with = RocketGradients(pair, new LossOptions { Lambda = 0.5f, FeatureHint = kind, FeatureLambda = 3f });
        AssertEqual(without.BoosterOnly, with.BoosterOnly, $"booster head with a {kind} feature hint");
        Assert.Contains(without.LightOnly.Zip(with.LightOnly),
            p => p.First.Zip(p.Second).Any(v => Math.Abs(v.First - v.Second) > 1e-4f));
    }

    [Fact]
    public void CosineAndL2MatchHandComputedValues()
    {
        using var scope = TensorScope.Begin();
        // Row 0: light (1, 0), booster (1, 1): cos = 1/√2; row 1: light (0, 2), booster (0, 1): cos = 1.
        var light = Tensor.FromArray([1f, 0f, 0f, 2f], 2, 2);
        var booster = Tensor.FromArray([1f, 1f, 0f, 1f], 2, 2);
        Assert.Equal((1 - 1 / Math.Sqrt(2)) / 2,
            FeatureHint.Loss(FeatureHintKind.Cosine, [light], [booster]).Item(), 6);
        // Squared differences: row 0: 0 + 1, row 1: 0 + 1; / (N·W = 4).
        Assert.Equal(0.5, FeatureHint.Loss(FeatureHintKind.L2, [light], [booster]).Item(), 6);
    }

    private static Gen<(int N, int Width, int Seed, bool Cosine)> Cases =>
        Gen.Choose(1, 4).Zip(Gen.Choose(1, 6)).Zip(TestData.Seed).Zip(Gen.Elements(true, false))
            .Select(t => (t.Item1.Item1.Item1, t.Item1.Item1.Item2, t.Item1.Item2, t.Item2));

    [Property(MaxTest = 40)]
    public Property FeatureHintGradientMatchesFiniteDifferences() =>
        TestData.ForAll(Cases, c =>
        {
            var rng = new RandomGenerator((ulong)c.Seed);
            var kind = c.Cosine ? FeatureHintKind.Cosine : FeatureHintKind.L2;
            // Away from zero so that the norms, and with them the cosine, stay smooth under the finite step.
            var light = TestData.AwayFromZero([c.N, c.Width], rng);
            var booster = TestData.AwayFromZero([c.N, c.Width], rng);
            GradientCheck.Assert(x => FeatureHint.Loss(kind, [x[0]], [booster]), [light], (ulong)c.Seed,
                what: $"{kind} feature hint [{c.N}, {c.Width}]");
        });

    [Fact]
    public void LayersPairByWidthInOrder()
    {
        Assert.Equal([(0, 1)], FeatureHint.PairLayers([3], [6, 3]));
        Assert.Equal([(0, 0), (1, 2)], FeatureHint.PairLayers([4, 4], [4, 8, 4]));
        // order kept: no booster layer after 1 is 4 wide
        Assert.Equal([(0, 1)], FeatureHint.PairLayers([2, 4], [4, 2]));
        Assert.Empty(FeatureHint.PairLayers([5], [6, 3]));
    }

    [Fact]
    public void AFeatureHintWithoutSameWidthLayersNamesTheWidths()
    {
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<ArgumentException>(() =>
            FeatureHint.Loss(FeatureHintKind.Cosine, [Tensor.Zeros(2, 5)], [Tensor.Zeros(2, 6), Tensor.Zeros(2, 3)]));
        Assert.Contains("[5]", ex.Message);
        Assert.Contains("[6, 3]", ex.Message);
    }

    [Fact]
    public void AWideResNetPairRefusesTheVariantsClearly()
    {
        var pair = WideResNetPair.Interval(1, 10, new RandomGenerator(1), inChannels: 1,
            boosterDepth: 16, lightDepth: 10);
        using var scope = TensorScope.Begin();
        var ex = Assert.Throws<NotSupportedException>(() => pair.ForwardPair(Tensor.Zeros(1, 1, 8, 8),
            new PairForwardOptions(true, false)));
        Assert.Contains("trunk pair", ex.Message);
    }

    [Fact]
    public void AnMlpPairWithoutSharingHasTheSameNetsAndNoSharedParameter()
    {
        var shared = new MlpPairSpec(4, [8], [12, 6], [6], 3, boosterBatchNorm: true);
        var separate = new MlpPairSpec(4, [8], [12, 6], [6], 3, boosterBatchNorm: true, sharing: false);
        Assert.Equal(separate.Describe(), ArchitectureRegistry.Parse(separate.Describe()).Describe());
        Assert.EndsWith("sharing=none", separate.Describe());
        var (a, b) = (shared.CreatePair(new RandomGenerator(1)), separate.CreatePair(new RandomGenerator(1)));
        Assert.Empty(b.SharedParameters());
        Assert.NotEmpty(a.SharedParameters());
        Assert.Equal(a.Light.ParameterCount(), b.Light.ParameterCount());
        Assert.Equal(a.Booster.ParameterCount(), b.Booster.ParameterCount());
        using var scope = TensorScope.Begin();
        var light = b.ExtractLight();
        Assert.Equal(b.Light.Forward(Input()).ToArray(), light.Forward(Input()).ToArray());
    }
}
