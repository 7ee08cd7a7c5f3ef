namespace RocketNet.Training.Data;

/// <summary>
/// Per-channel normalisation x ← (x − mean[c]) / std[c] of samples shaped [C, ...] (e.g. [3, 32, 32]).
/// Mean and std are on the scale of the dataset's values (the readers give [0, 1]).
/// </summary>
public sealed class ChannelNormalizer
{
    private readonly float[] _mean;
    private readonly float[] _inverseStd;

    /// <summary>Creates a normaliser from per-channel means and standard deviations.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length or are empty, or a std is not
    /// positive.</exception>
    public ChannelNormalizer(float[] mean, float[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException(
                $"Need one mean and one std per channel, got {mean.Length} means and {std.Length} stds.", nameof(std));
        if (std.Any(s => !(s > 0)))
            throw new ArgumentException($"Every std must be positive, got [{string.Join(", ", std)}].", nameof(std));
        _mean = (float[])mean.Clone();
        _inverseStd = std.Select(s => 1f / s).ToArray();
        Std = (float[])std.Clone();
    }

    /// <summary>Per-channel means.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>Per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => _mean.Length;

    /// <summary>
    /// CIFAR-10's usual statistics, mean (125.3, 123.0, 113.9) and std (63.0, 62.1, 66.7) on the 0–255 scale,
    /// expressed on the [0, 1] scale of <see cref="Cifar10Reader"/> (divided by 255).
    /// </summary>
    public static ChannelNormalizer Cifar10 { get; } = FromByteScale([125.3f, 123.0f, 113.9f], [63.0f, 62.1f, 66.7f]);

    /// <summary>A normaliser for [0, 1] data from statistics given on the 0–255 scale.</summary>
    public static ChannelNormalizer FromByteScale(float[] mean255, float[] std255) =>
        new(mean255.Select(m => m / 255f).ToArray(), std255.Select(s => s / 255f).ToArray());

    /// <summary>
    /// Computes per-channel mean and (population) std over every sample of <paramref name="dataset"/>, whose shape must
    /// be [C, ...].
    /// </summary>
    /// <exception cref="ArgumentException">The dataset is empty or has a rank-0 sample shape, or a channel is
    /// constant.</exception>
    public static ChannelNormalizer FromDataset(Dataset dataset)
    {
        if (dataset.Count == 0 || dataset.SampleShape.Length == 0)
            throw new ArgumentException(
                $"Dataset '{dataset.Name}' has no samples or no channel axis.", nameof(dataset));
        int channels = dataset.SampleShape[0];
        int plane = dataset.SampleSize / channels;
        var sum = new double[channels];
        var sumSquares = new double[channels];
        for (int i = 0; i < dataset.Count; i++)
        {
            var sample = dataset.Sample(i);
            for (int c = 0; c < channels; c++)
            {
                foreach (float v in sample.Slice(c * plane, plane))
                {
                    sum[c] += v;
                    sumSquares[c] += (double)v * v;
                }
            }
        }
        double n = (double)dataset.Count * plane;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / n;
            mean[c] = (float)m;
            std[c] = (float)Math.Sqrt(Math.Max(0, sumSquares[c] / n - m * m));
        }
        return new ChannelNormalizer(mean, std);
    }

    /// <summary>Normalises one sample [C, ...] in place.</summary>
    /// <exception cref="ArgumentException">The sample length is not a multiple of the channel count.</exception>
    public void Apply(Span<float> sample)
    {
        if (sample.Length % Channels != 0)
            throw new ArgumentException($"A sample of {sample.Length} values cannot be split into {Channels} channels.",
                nameof(sample));
        int plane = sample.Length / Channels;
        for (int c = 0; c < Channels; c++)
        {
            float m = _mean[c], k = _inverseStd[c];
            var channel = sample.Slice(c * plane, plane);
            for (int i = 0; i < channel.Length; i++) channel[i] = (channel[i] - m) * k;
        }
    }

    /// <summary>A normalised copy of <paramref name="dataset"/> (for a fixed, non-augmented evaluation set).</summary>
    public Dataset Normalize(Dataset dataset)
    {
        var features = (float[])dataset.Features.Clone();
        for (int i = 0; i < dataset.Count; i++) Apply(features.AsSpan(i * dataset.SampleSize, dataset.SampleSize));
        return new Dataset(dataset.Name, features, dataset.Labels, dataset.SampleShape, dataset.ClassCount,
            dataset.ClassNames, dataset.Groups);
    }
}
