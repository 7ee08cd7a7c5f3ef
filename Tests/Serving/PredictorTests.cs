using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Tests.Training.Data;
using Xunit;

namespace RocketNet.Tests.Serving;

public class PredictorTests
{
    private static float[] Samples(int count) =>
        Enumerable.Range(0, count * 4).Select(i => MathF.Sin(i * 0.7f)).ToArray();

    /// <summary>Reference logits from a direct eval-mode forward pass.</summary>
    private static float[] Reference(TinyModule module, float[] samples)
    {
        module.Eval();
        using (GradMode.NoGrad())
            return module.Forward(Tensor.FromArray(samples, samples.Length / 4, 1, 2, 2)).ToArray();
    }

    [Fact]
    public void LoadsFromACheckpointThroughTheFactoryAndPredictsInEvalMode()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("light.safetensors");
        var trained = new TinyModule(4, 3, seed: 5);
        Checkpoint.Save(path, trained, "tiny-4-3", epoch: 3, inputShape: [1, 2, 2]);
        string? askedFor = null;
        var predictor = Predictor.FromCheckpoint(path,
            architecture => { askedFor = architecture; return new TinyModule(4, 3, seed: 0); });
        Assert.Equal("tiny-4-3", askedFor);
        Assert.False(predictor.Module.IsTraining);
        Assert.Equal(3, predictor.OutputSize);
        Assert.Equal(3, predictor.Checkpoint!.Epoch);

        var samples = Samples(7);
        var expected = Reference(trained, samples);
        var logits = new float[3];
        for (int i = 0; i < 7; i++)
        {
            predictor.Predict(samples.AsSpan(i * 4, 4), logits);
            AssertClose(expected.AsSpan(i * 3, 3).ToArray(), logits);
            int best = Array.IndexOf(logits, logits.Max());
            Assert.Equal(best, predictor.PredictClass(samples.AsSpan(i * 4, 4)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(256)]
    public void BatchesMatchSingleSamplesWhateverTheChunking(int maxBatchSize)
    {
        var module = new TinyModule(4, 3, seed: 8);
        var predictor = new Predictor(module, [1, 2, 2], maxBatchSize);
        var samples = Samples(7);
        var logits = new float[21];
        predictor.PredictBatch(samples, logits);
        AssertClose(Reference(module, samples), logits);
        var classes = new int[7];
        predictor.PredictClasses(samples, classes);
        for (int i = 0; i < 7; i++) Assert.Equal(predictor.PredictClass(samples.AsSpan(i * 4, 4)), classes[i]);
    }

    [Fact]
    public void InputsOfTheWrongSizeAreRejected()
    {
        var predictor = new Predictor(new TinyModule(4, 3, seed: 1), [1, 2, 2]);
        var ex = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[5], new float[3]));
        Assert.Contains("[1, 2, 2] has 4 values, got 5", ex.Message);
        Assert.Throws<ArgumentException>(() => predictor.Predict(new float[4], new float[2]));
        Assert.Throws<ArgumentException>(() => predictor.PredictBatch(new float[10], new float[6]));
        Assert.Throws<ArgumentException>(() => predictor.PredictClasses(new float[8], new int[3]));
        Assert.Throws<ArgumentException>(() => new Predictor(new TinyModule(4, 3, seed: 1), [1, 2, 3]));
    }

    [Fact]
    public void CheckpointWithoutInputShapeNeedsOne()
    {
        using var files = new DataTestFiles();
        string path = files.PathOf("noshape.safetensors");
        Checkpoint.Save(path, new TinyModule(4, 3, seed: 5), "tiny");
        Assert.Throws<ArgumentException>(() => Predictor.FromCheckpoint(path, _ => new TinyModule(4, 3, 0)));
        Assert.Equal(3, Predictor.FromCheckpoint(path, _ => new TinyModule(4, 3, 0), inputShape: [4]).OutputSize);
    }

    [Fact]
    public void SingleSamplePredictionsReuseTheirInputTensorAndWorkInsideAScope()
    {
        var predictor = new Predictor(new TinyModule(4, 3, seed: 1), [1, 2, 2]);
        var sample = Samples(1);
        var logits = new float[3];
        predictor.Predict(sample, logits); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) predictor.Predict(sample, logits);
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        // A fresh [1,2,2] input would cost ~100 bytes and the graph objects more; stay well below a
        // per-call buffer for a real image ([3, 32, 32] floats = 12 KB).
        Assert.InRange(perCall, 0, 4096);
        using (TensorScope.Begin())
        {
            _ = Tensor.Zeros(1);
            predictor.Predict(sample, logits);
        }
    }

    [Fact]
    public void DenseNetsRunThroughThePlanWithTheGraphsResultsAndNoAllocation()
    {
        var random = new RandomGenerator(9);
        var tower = new Sequential(new Linear(40, 24, random), new ReLU(), new Dropout(0.3f, random),
            new Linear(24, 3, random));
        var predictor = new Predictor(tower, [40], maxBatchSize: 8);
        Assert.True(predictor.UsesDensePlan);
        Assert.False(new Predictor(new TinyModule(4, 3, seed: 1), [1, 2, 2]).UsesDensePlan); // not a dense chain

        var samples = new float[11 * 40];
        random.FillNormal(samples);
        float[] expected;
        using (GradMode.NoGrad()) expected = tower.Forward(Tensor.FromArray(samples, 11, 40)).ToArray();
        var logits = new float[33];
        predictor.PredictBatch(samples, logits); // chunks of 8 and 3
        Assert.Equal(expected, logits);
        var one = new float[3];
        predictor.Predict(samples.AsSpan(0, 40), one);
        SteadyStateAllocation.AssertNoneOnCaller(() => predictor.Predict(samples.AsSpan(0, 40), one));
        AssertClose(expected.AsSpan(0, 3).ToArray(), one);
    }

    [Fact]
    public void ACtrLightNetServesFromIdsWithoutAllocating()
    {
        var random = new RandomGenerator(11);
        var light = new TrunkHeadNet(MultiFieldEmbedding.PerField([10, 20], 8, random),
            new Sequential(new Linear(16, 12, random), new ReLU(), new Linear(12, 2, random)));
        var predictor = new Predictor(light, [2]);
        Assert.True(predictor.UsesDensePlan);
        float[] ids = [3, 17];
        var logits = new float[2];
        predictor.Predict(ids, logits);
        float[] expected;
        using (GradMode.NoGrad()) expected = light.Forward(Tensor.FromArray(ids, 1, 2)).ToArray();
        AssertClose(expected, logits);
        SteadyStateAllocation.AssertNoneOnCaller(() => predictor.Predict(ids, logits));
    }

    [Fact]
    public void AGraphServedModuleSwitchedBackToTrainingIsRefusedRatherThanServedInTrainingMode()
    {
        var module = new TinyModule(4, 3, seed: 1);
        var predictor = new Predictor(module, [1, 2, 2]);
        Assert.False(predictor.UsesDensePlan);
        module.Train();
        var ex = Assert.Throws<InvalidOperationException>(() => predictor.Predict(new float[4], new float[3]));
        Assert.Contains("call Eval()", ex.Message);
        module.Eval();
        predictor.Predict(new float[4], new float[3]);
    }

    [Fact]
    public void ADensePredictorServesItsSnapshotUntilRefreshed()
    {
        var random = new RandomGenerator(10);
        var tower = new Sequential(new Linear(4, 3, random), new Dropout(0.5f, random));
        var predictor = new Predictor(tower, [4]);
        float[] sample = [1, 2, 3, 4];
        float[] before = new float[3], now = new float[3];
        predictor.Predict(sample, before);
        tower.Train(); // dropout on in the module: the snapshot is eval mode whatever the module does
        foreach (var parameter in tower.Parameters()) parameter.Data.Fill(0.5f);
        predictor.Predict(sample, now);
        Assert.Equal(before, now);
        Assert.Throws<InvalidOperationException>(predictor.Refresh); // refuses to snapshot a module in training mode
        tower.Eval();
        predictor.Refresh();
        predictor.Predict(sample, now);
        Assert.Equal(new[] { 5.5f, 5.5f, 5.5f }, now); // (1 + 2 + 3 + 4)·0.5 + 0.5
    }

    /// <summary>
    /// Equal up to float rounding: one sample goes through the GEMM's one-row path, which sums in a different
    /// order than the batched kernel (a relative difference of a few ulps).
    /// </summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * Math.Max(1f, Math.Abs(expected[i])),
                $"logit {i}: expected {expected[i]}, got {actual[i]}");
    }
}
