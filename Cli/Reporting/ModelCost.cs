using System.Diagnostics;
using RocketNet.Layers;
using RocketNet.Serving;

namespace RocketNet.Cli.Reporting;

/// <summary>What a model costs at inference: multiplications per sample and measured time per sample.</summary>
public static class ModelCost
{
    /// <summary>
    /// Multiply-adds per sample of the fully connected layers (Σ in·out over every Linear reached from
    /// <paramref name="model"/>, the paper's "multiplications" for FC nets), or null if the model has
    /// convolutions, whose cost depends on the input size and is not counted here.
    /// </summary>
    public static long? FullyConnectedMultiplications(Module model)
    {
        long total = 0;
        foreach (var module in Descendants(model))
        {
            if (module is Conv2d) return null;
            if (module is Linear linear) total += (long)linear.InFeatures * linear.OutFeatures;
        }
        return total;
    }

    /// <summary>
    /// Median wall time of one single-sample prediction through <see cref="Predictor"/> (eval mode, no
    /// graph, cached buffers), after a warm-up.
    /// </summary>
    public static double MicrosecondsPerSample(Module model, int[] sampleShape, int calls = 2000)
    {
        var sample = new float[sampleShape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < sample.Length; i++) sample[i] = (i % 7) / 7f;
        return MicrosecondsPerSample(model, sampleShape, sample, calls);
    }

    /// <summary>
    /// As <see cref="MicrosecondsPerSample(Module, int[], int)"/> on a given sample (needed where inputs must
    /// be valid, e.g. categorical ids for embedding lookups).
    /// </summary>
    public static double MicrosecondsPerSample(Module model, int[] sampleShape, ReadOnlySpan<float> input,
        int calls = 2000) =>
        MicrosecondsPerRequest(model, sampleShape, input, sampleCount: 1, callsPerSample: calls).Median;

    /// <summary>
    /// Single-sample request times over several samples: the median time of <paramref name="callsPerSample"/> calls
    /// for each of up to <paramref name="sampleCount"/> samples spread evenly over <paramref name="samples"/>
    /// (back-to-back inputs of <paramref name="sampleShape"/>), then the median and 90th percentile of those. A
    /// trained net's request time depends on its input (CTR ids hitting rarely updated embedding rows compute on
    /// subnormal values), so one sample can mislead.
    /// </summary>
    /// <exception cref="ArgumentException">No whole sample in <paramref name="samples"/>, or a count below
    /// 1.</exception>
    public static (double Median, double Percentile90, int Samples) MicrosecondsPerRequest(
        Module model, int[] sampleShape,
        ReadOnlySpan<float> samples, int sampleCount = 32, int callsPerSample = 100)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsPerSample);
        int size = sampleShape.Aggregate(1, (a, b) => a * b), available = samples.Length / size;
        if (available == 0)
            throw new ArgumentException(
                $"Need at least one sample of {size} values, got {samples.Length}.", nameof(samples));
        int count = Math.Min(sampleCount, available);
        var predictor = new Predictor(model, sampleShape, maxBatchSize: 1);
        var sample = new float[size];
        var logits = new float[predictor.OutputSize];
        var calls = new double[callsPerSample];
        var medians = new double[count];
        for (int s = 0; s < count; s++)
        {
            samples.Slice((int)((long)s * available / count) * size, size).CopyTo(sample);
            // A longer warm-up before the first sample (first calls, caches); a short one re-warms for each next
            // sample.
            for (int i = 0, warmUp = s == 0 ? 200 : 20; i < warmUp; i++) predictor.Predict(sample, logits);
            for (int i = 0; i < callsPerSample; i++)
            {
                long start = Stopwatch.GetTimestamp();
                predictor.Predict(sample, logits);
                calls[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
            Array.Sort(calls);
            medians[s] = calls[callsPerSample / 2];
        }
        Array.Sort(medians);
        return (medians[count / 2], medians[Math.Min(count - 1, count * 9 / 10)], count);
    }

    private static IEnumerable<Module> Descendants(Module root)
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Module>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var m = stack.Pop();
            if (!seen.Add(m)) continue; // shared modules count once
            yield return m;
            foreach (var (_, child) in m.NamedChildren()) stack.Push(child);
        }
    }
}
