using System.Diagnostics;
using RocketNet.Layers;
using RocketNet.Serving;

namespace RocketNet.Benchmarks.Workloads;

/// <summary>
/// One shared <see cref="Predictor"/> (the paper's light CTR tower 576-200-80-2, as <c>ctr-light-infer1</c>)
/// answering batch-1 requests from several caller threads at once, as a web app's request threads would.
/// The engine runs each request on its caller's thread (<see cref="Parallelism.ThreadCount"/> 1): the
/// parallelism is the callers'.
/// </summary>
public sealed class SharedPredictorLoad
{
    private readonly Predictor _predictor;
    private readonly float[] _inputs;
    private const int DistinctInputs = 64;

    /// <summary>Builds the tower and 64 random requests.</summary>
    public SharedPredictorLoad()
    {
        var random = new RandomGenerator(0);
        var tower = new Sequential(new Linear(576, 200, random), new ReLU(), new Linear(200, 80, random), new ReLU(),
            new Linear(80, 2, random));
        _predictor = new Predictor(tower, [576], maxBatchSize: 1);
        _inputs = new float[DistinctInputs * 576];
        random.FillNormal(_inputs);
    }

    /// <summary>
    /// <paramref name="callers"/> threads each send <paramref name="requestsPerCaller"/> requests back to back;
    /// returns the wall time. With <paramref name="latencyTicks"/> (callers × requests long), each request's
    /// own time in <see cref="Stopwatch"/> ticks is recorded there.
    /// </summary>
    public TimeSpan Run(int callers, int requestsPerCaller, long[]? latencyTicks = null)
    {
        var start = Stopwatch.GetTimestamp();
        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, caller =>
        {
            Span<float> logits = stackalloc float[2];
            for (int r = 0; r < requestsPerCaller; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                _predictor.Predict(_inputs.AsSpan((r + caller) % DistinctInputs * 576, 576), logits);
                if (latencyTicks is not null) latencyTicks[caller * requestsPerCaller + r] =
                    Stopwatch.GetTimestamp() - t0;
            }
        });
        return Stopwatch.GetElapsedTime(start);
    }

    /// <summary>The <paramref name="q"/>-quantile (0–1) of <paramref name="sorted"/> (nearest rank).</summary>
    public static long Quantile(long[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
