using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Serving.Onnx;
using Xunit;

namespace RocketNet.Tests.Serving.Onnx;

/// <summary>
/// Every kind of light net exported to ONNX runs in ONNX Runtime (native, in the test project only) and gives
/// RocketNet's outputs to 1e-5, for two batch sizes (the batch dimension is symbolic).
/// </summary>
public class OnnxExportTests
{
    public static TheoryData<string, int[], string> Nets => new()
    {
        { "mlp in=6 shared=5 booster=7x4 light=4 classes=3 booster-bn=1", [6], "light" },
        { "mlp in=6 shared=5 booster=7x4 light=4 classes=3 booster-bn=1", [6], "booster" }, // with BatchNorm1d
        { "ctr-towers vocab=5x7x3 dim=4 booster=16 light=8x4 classes=2", [3], "light" },
        { "table-towers vocab=5x4 numeric=3 dim=2 booster=8 light=6 classes=3", [5], "light" },
        { "wrn-interval 10-1/10-1 classes=3 in=3", [3, 8, 8], "light" },
        { "wrn-interval 16-2/10-2 classes=4 in=3", [3, 8, 8], "booster" },
    };

    private static Module Build(string architecture, string which)
    {
        var random = new RandomGenerator(7);
        var pair = ArchitectureRegistry.BuildPair(architecture, random);
        // Running statistics away from 0 and 1, so batch norm is really exercised.
        foreach (var (name, tensor) in pair.StateDict())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) random.FillUniform(tensor.Data, -0.5f, 0.5f);
            if (name.EndsWith("running_var", StringComparison.Ordinal)) random.FillUniform(tensor.Data, 0.5f, 2f);
        }
        var net = which == "light" ? pair.ExtractLight() : pair.Booster;
        net.Eval();
        return net;
    }

    private static float[] Inputs(int[] shape, int batch, bool ids, int[] vocabulary)
    {
        var random = new RandomGenerator(11);
        int size = shape.Aggregate(1, (a, b) => a * b);
        var values = new float[batch * size];
        random.FillNormal(values, 0, 1);
        if (ids)
            for (int n = 0; n < batch; n++)
                for (int f = 0; f < vocabulary.Length; f++) values[n * size + f] = random.NextInt(vocabulary[f]);
        return values;
    }

    [Theory]
    [MemberData(nameof(Nets))]
    public void OnnxRuntimeReproducesRocketNetsOutputs(string architecture, int[] shape, string which)
    {
        var net = Build(architecture, which);
        var spec = ArchitectureRegistry.Parse(architecture);
        int[] vocabulary = spec switch
        {
            CtrTowerPairSpec ctr => [.. ctr.FieldSizes],
            TableTowerPairSpec table => [.. table.VocabularySizes],
            _ => [],
        };
        var bytes = OnnxExporter.Export(net, shape);
        using var session = new InferenceSession(bytes);
        var predictor = new Predictor(net, shape, maxBatchSize: 8);
        foreach (int batch in new[] { 1, 5 })
        {
            var input = Inputs(shape, batch, vocabulary.Length > 0, vocabulary);
            var expected = new float[batch * predictor.OutputSize];
            predictor.PredictBatch(input, expected);
            var tensor = new DenseTensor<float>(input, [batch, .. shape]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, tensor)]);
            var actual = results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>().ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])),
                    $"batch {batch}, value {i}: ONNX Runtime {actual[i]:R}, RocketNet {expected[i]:R}");
        }
    }

    [Fact]
    public void SiluExportsAsSigmoidTimesItsInput()
    {
        var random = new RandomGenerator(5);
        var net = new Sequential(new Linear(6, 8, random), new SiLU(), new Linear(8, 3, random));
        using var session = new InferenceSession(OnnxExporter.Export(net, [6]));
        var input = Inputs([6], 4, false, []);
        var expected = new float[12];
        new Predictor(net, [6]).PredictBatch(input, expected);
        using var results =
            session.Run(
            [NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<float>(input, [4, 6]))]);
        var actual = results.Single().AsTensor<float>().ToArray();
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f * Math.Max(1, Math.Abs(expected[i])), $"value {i}");
    }

    [Fact]
    public void AHashedEmbeddingIsRefusedWithAReason()
    {
        var net = ArchitectureRegistry.BuildLight("ctr-towers fields=3 buckets=50 dim=2 booster=4 light=4 classes=2",
            new RandomGenerator(1));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(net, [3]));
        Assert.Contains("hashed", e.Message);
    }
}
