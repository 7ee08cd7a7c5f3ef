using RocketNet.Layers;
using RocketNet.Serving;
using Xunit;

namespace RocketNet.Tests.Serving;

/// <summary>
/// Models saved by PyTorch (Tests/Fixtures/pytorch, written by make_fixtures.py with python3-torch) load into
/// RocketNet by name and reproduce PyTorch's logits to float32 precision. The files hold BF16, F16, F64 and
/// I64 tensors, as a PyTorch state_dict can.
/// </summary>
public class PyTorchImportTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pytorch", name);

    private static void AssertLogitsMatch(Predictor predictor, string expectedFile)
    {
        var expected = SafeTensorsReader.Load(Fixture(expectedFile)).Tensors;
        var input = expected["input"];
        var logits = expected["logits"];
        var actual = new float[logits.Values.Length];
        predictor.PredictBatch(input.Values, actual);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - logits.Values[i]) <= 2e-5f * Math.Max(1, Math.Abs(logits.Values[i])),
                $"logit {i}: RocketNet {actual[i]:R}, PyTorch {logits.Values[i]:R}");
    }

    [Fact]
    public void AWideResNetSavedByPyTorchReproducesItsLogits()
    {
        var predictor = Predictor.FromSafeTensors(Fixture("wrn10-1.safetensors"),
            "wrn-interval 10-1/10-1 classes=3 in=3", [3, 8, 8]);
        var report = predictor.LoadReport!;
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        // one num_batches_tracked (I64) per batch norm: two per block, one in the head
        Assert.Equal(7, report.Skipped.Count);
        Assert.All(report.Skipped, s => Assert.EndsWith("num_batches_tracked (I64)", s));
        AssertLogitsMatch(predictor, "wrn10-1.expected.safetensors");
    }

    [Fact]
    public void AnMlpWithBatchNormSavedByPyTorchInF64ReproducesItsLogits()
    {
        const string architecture = "mlp in=6 shared=5 booster=7x4 light= classes=3 booster-bn=1";
        var booster = ArchitectureRegistry.BuildPair(architecture, new RandomGenerator(0)).Booster;
        var predictor = Predictor.FromSafeTensors(Fixture("mlp-bn.safetensors"), booster, [6]);
        Assert.Equal(16, predictor.LoadReport!.Loaded.Count);
        AssertLogitsMatch(predictor, "mlp-bn.expected.safetensors");
    }

    [Fact]
    public void NamesThatDoNotMatchAreReportedStrictlyOrLoadedAroundOnRequest()
    {
        // The MLP's weights against the light net of its pair: the light head is 5→3, the file's head is 5→7→4→3.
        const string architecture = "mlp in=6 shared=5 booster=7x4 light= classes=3 booster-bn=1";
        var e = Assert.Throws<ArgumentException>(() => Predictor.FromSafeTensors(Fixture("mlp-bn.safetensors"),
            architecture, [6]));
        Assert.Contains("mlp-bn.safetensors", e.Message);
        Assert.Contains("shape mismatches [head.0.weight: file [7, 5] vs module [3, 5]", e.Message);

        // Non-strict: a module with only the trunk takes the trunk and reports the rest as unexpected.
        var trunkOnly = new Sequential(new Sequential(new Linear(6, 5, new RandomGenerator(1)), new ReLU()));
        var report = StateDictLoader.Load(new TrunkHeadNet(trunkOnly, new Sequential()),
            Fixture("mlp-bn.safetensors"), strict: false);
        Assert.Equal(["trunk.0.0.bias", "trunk.0.0.weight"], report.Missing.Order(StringComparer.Ordinal));
        Assert.Contains("trunk.0.weight", report.Unexpected);
        var strict = Assert.Throws<ArgumentException>(() =>
            StateDictLoader.Load(new TrunkHeadNet(trunkOnly, new Sequential()), Fixture("mlp-bn.safetensors")));
        Assert.Contains("missing [trunk.0.0.bias, trunk.0.0.weight]", strict.Message);
    }
}
