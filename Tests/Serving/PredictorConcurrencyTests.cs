using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Serving;

/// <summary>
/// One predictor shared by many threads (what a web app does with one model and many request threads): every
/// call must return exactly what a single-threaded call returns, on the dense plan and on the graph path, for
/// single samples and batches, with the engine itself on one and on two threads.
/// </summary>
[Collection(ThreadCountCollection.Name)] // sets Parallelism.ThreadCount
public class PredictorConcurrencyTests
{
    private const int Callers = 8;

    // A CTR light net (embedding → tower; dense plan) and a small WRN light net (convolutions; graph path).
    public static TheoryData<string, int[]> Models => new()
    {
        { "ctr-towers vocab=50x40x30 dim=8 booster=64 light=32x16 classes=2", [3] },
        { "wrn-interval 10-1/10-1 classes=4 in=3", [3, 8, 8] },
    };

    private static float[] Inputs(int[] shape, int count, int seed)
    {
        int size = shape.Aggregate(1, (a, b) => a * b);
        var random = new RandomGenerator((ulong)seed);
        var values = new float[count * size];
        if (shape.Length == 1) // category ids
            for (int i = 0; i < values.Length; i++) values[i] = random.NextInt(30);
        else
            random.FillNormal(values, 0, 1);
        return values;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void OneSharedPredictorGivesEveryThreadTheSingleThreadedAnswer(string architecture, int[] shape)
    {
        int threads = Parallelism.ThreadCount;
        try
        {
            foreach (int engineThreads in new[] { 1, 2 })
            {
                Parallelism.ThreadCount = engineThreads;
                var light = ArchitectureRegistry.BuildLight(architecture, new RandomGenerator(3));
                var predictor = new Predictor(light, shape, maxBatchSize: 96);
                Assert.Equal(shape.Length == 1, predictor.UsesDensePlan);
                int size = predictor.SampleSize, k = predictor.OutputSize, samples = shape.Length == 1 ? 400 : 40;
                var inputs = Inputs(shape, samples, seed: 5);
                var expected = new float[samples * k];
                for (int i = 0; i < samples; i++)
                    predictor.Predict(inputs.AsSpan(i * size, size), expected.AsSpan(i * k, k));
                var expectedBatch = new float[samples * k];
                predictor.PredictBatch(inputs, expectedBatch);

                int wrong = 0, calls = 0;
                var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
                var workers = Enumerable.Range(0, Callers).Select(t => new Thread(() =>
                {
                    try
                    {
                        var logits = new float[k];
                        var batch = new float[samples * k];
                        for (int round = 0; round < 3; round++)
                        {
                            for (int j = 0; j < samples; j++)
                            {
                                int i = (j * 7 + t * 13) % samples; // each thread its own order
                                predictor.Predict(inputs.AsSpan(i * size, size), logits);
                                Interlocked.Increment(ref calls);
                                if (!logits.AsSpan().SequenceEqual(expected.AsSpan(i * k, k)))
                                    Interlocked.Increment(ref wrong);
                            }
                            predictor.PredictBatch(inputs, batch);
                            if (!batch.AsSpan().SequenceEqual(expectedBatch)) Interlocked.Increment(ref wrong);
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue(e);
                    }
                })).ToList();
                workers.ForEach(w => w.Start());
                workers.ForEach(w => w.Join());
                Assert.Empty(failures);
                Assert.Equal(Callers * 3 * samples, calls);
                Assert.Equal(0, wrong);
            }
        }
        finally
        {
            Parallelism.ThreadCount = threads;
        }
    }
}
