using RocketNet.Shapes;

namespace RocketNet.Training.Data;

/// <summary>
/// A labelled dataset held in memory: <see cref="Count"/> samples of shape <see cref="SampleShape"/>
/// (e.g. [1, 8, 8], [3, 32, 32], or [F] for F categorical field ids of a CTR row, stored as exact
/// integers in floats), row-major one after another in <see cref="Features"/>, with integer class
/// labels. <see cref="Groups"/> optionally tags each sample (e.g. a user id, for GAUC).
/// </summary>
public sealed class Dataset : Rocket.IEvaluationSource
{
    /// <summary>Creates a dataset, checking that the arrays agree with each other.</summary>
    /// <exception cref="ArgumentException">Lengths disagree, or a label is outside [0, classCount).</exception>
    public Dataset(string name, float[] features, int[] labels, int[] sampleShape, int classCount,
        string[]? classNames = null, int[]? groups = null)
    {
        int sampleSize = ShapeMath.ElementCount(sampleShape);
        if (sampleSize == 0 || features.Length != (long)labels.Length * sampleSize)
            throw new ArgumentException(
                $"Dataset '{name}': {features.Length} feature values do not hold {labels.Length} samples of shape " +
                $"{ShapeMath.Format(sampleShape)}.");
        if (classCount < 1)
            throw new ArgumentException($"Dataset '{name}': class count must be positive, got {classCount}.");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException(
                    $"Dataset '{name}': label {labels[i]} of sample {i} is outside [0, {classCount}).");
        }
        if (groups is not null && groups.Length != labels.Length)
            throw new ArgumentException($"Dataset '{name}': {groups.Length} group ids for {labels.Length} samples.");
        if (classNames is not null && classNames.Length != classCount)
            throw new ArgumentException($"Dataset '{name}': {classNames.Length} class names for {classCount} classes.");
        Name = name;
        Features = features;
        Labels = labels;
        SampleShape = (int[])sampleShape.Clone();
        SampleSize = sampleSize;
        ClassCount = classCount;
        ClassNames = classNames;
        Groups = groups;
    }

    /// <summary>Human-readable name (used in logs and checkpoints).</summary>
    public string Name { get; }

    /// <summary>All samples, row-major, <see cref="SampleSize"/> values each.</summary>
    public float[] Features { get; }

    /// <summary>Class label of each sample.</summary>
    public int[] Labels { get; }

    /// <summary>Shape of one sample.</summary>
    public int[] SampleShape { get; }

    /// <summary>Values per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Class names, if known.</summary>
    public string[]? ClassNames { get; }

    /// <summary>Optional group id of each sample (e.g. user), for per-group metrics such as GAUC.</summary>
    public int[]? Groups { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <inheritdoc/>
    IEnumerable<(Tensor Input, int[] Labels)> Rocket.IEvaluationSource.Batches(int batchSize)
    {
        for (int start = 0; start < Count; start += batchSize)
            yield return Rocket.BatchAssembly.Range(this, start, Math.Min(batchSize, Count - start));
    }

    /// <summary>The values of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Sample(int index) => Features.AsSpan(index * SampleSize, SampleSize);

    /// <summary>A new dataset holding copies of the given samples, in the given order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices, string? name = null)
    {
        var features = new float[indices.Length * SampleSize];
        var labels = new int[indices.Length];
        int[]? groups = Groups is null ? null : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            if ((uint)j >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Sample index {j} is outside [0, {Count}).");
            Sample(j).CopyTo(features.AsSpan(i * SampleSize, SampleSize));
            labels[i] = Labels[j];
            if (groups is not null) groups[i] = Groups![j];
        }
        return new Dataset(name ?? Name, features, labels, SampleShape, ClassCount, ClassNames, groups);
    }

    /// <summary>
    /// Splits off a seeded random <paramref name="secondFraction"/> of the samples (e.g. a validation or
    /// test part); the rest keeps its original order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not in (0, 1).</exception>
    public (Dataset First, Dataset Second) Split(double secondFraction, ulong seed)
    {
        if (!(secondFraction > 0 && secondFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(secondFraction), secondFraction,
                "Split fraction must be between 0 and 1.");
        var order = Enumerable.Range(0, Count).ToArray();
        new RandomGenerator(seed).Shuffle(order.AsSpan());
        int secondCount = Math.Max(1, (int)Math.Round(Count * secondFraction));
        var second = order[..secondCount];
        var first = order[secondCount..];
        Array.Sort(first);
        Array.Sort(second);
        return (Subset(first, Name + "/train"), Subset(second, Name + "/holdout"));
    }
}
