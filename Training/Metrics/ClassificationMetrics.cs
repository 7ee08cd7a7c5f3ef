namespace RocketNet.Training.Metrics;

/// <summary>
/// Accuracy, error rate and log loss from raw logits laid out row-major as [N, C] (C = class count).
/// The predicted class is the first index of the row maximum (PyTorch's argmax convention).
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>Index of the largest logit of each row of <paramref name="logits"/> [N, C].</summary>
    /// <exception cref="ArgumentException">The logits are empty or not a whole number of rows.</exception>
    public static int[] ArgMax(ReadOnlySpan<float> logits, int classCount)
    {
        int n = RowCount(logits, classCount);
        var result = new int[n];
        for (int i = 0; i < n; i++) result[i] = ArgMaxRow(logits.Slice(i * classCount, classCount));
        return result;
    }

    /// <summary>Number of rows whose argmax equals the label.</summary>
    /// <exception cref="ArgumentException">Sizes disagree or a label is outside [0, C).</exception>
    public static int CountCorrect(ReadOnlySpan<float> logits, int classCount, ReadOnlySpan<int> labels)
    {
        int n = RowCount(logits, classCount);
        RequireLabels(n, classCount, labels);
        int correct = 0;
        for (int i = 0; i < n; i++)
            if (ArgMaxRow(logits.Slice(i * classCount, classCount)) == labels[i]) correct++;
        return correct;
    }

    /// <summary>Fraction of rows classified correctly, in [0, 1].</summary>
    public static double Accuracy(ReadOnlySpan<float> logits, int classCount, ReadOnlySpan<int> labels) =>
        (double)CountCorrect(logits, classCount, labels) / labels.Length;

    /// <summary>1 − <see cref="Accuracy"/>.</summary>
    public static double ErrorRate(ReadOnlySpan<float> logits, int classCount, ReadOnlySpan<int> labels) =>
        1 - Accuracy(logits, classCount, labels);

    /// <summary>
    /// Mean multiclass log loss −log softmax(row)[label], computed stably as logsumexp(row) − row[label]
    /// (in double, after subtracting the row maximum).
    /// </summary>
    /// <exception cref="ArgumentException">Sizes disagree or a label is outside [0, C).</exception>
    public static double LogLoss(ReadOnlySpan<float> logits, int classCount, ReadOnlySpan<int> labels)
    {
        int n = RowCount(logits, classCount);
        RequireLabels(n, classCount, labels);
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var row = logits.Slice(i * classCount, classCount);
            double max = double.NegativeInfinity;
            foreach (float v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (float v in row) sum += Math.Exp(v - max);
            total += (max - row[labels[i]]) + Math.Log(sum); // max − label first: no cancellation for huge logits
        }
        return total / n;
    }

    /// <summary>
    /// Mean binary log loss for logits s of the positive class and labels in {0, 1}:
    /// −[y·log σ(s) + (1 − y)·log(1 − σ(s))] = softplus(s) − y·s, computed stably.
    /// </summary>
    /// <exception cref="ArgumentException">Empty or mismatched inputs, or a label other than 0 or 1.</exception>
    public static double BinaryLogLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (logits.IsEmpty) throw new ArgumentException("Binary log loss needs at least one sample.", nameof(logits));
        if (logits.Length != labels.Length)
            throw new ArgumentException($"{logits.Length} logits but {labels.Length} labels; they must match.",
                nameof(labels));
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (labels[i] is not (0 or 1))
                throw new ArgumentException($"Binary label {i} is {labels[i]}; expected 0 or 1.", nameof(labels));
            double s = logits[i];
            // softplus(s) = max(s, 0) + log(1 + e^−|s|): no overflow for large |s|.
            total += Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s))) - labels[i] * s;
        }
        return total / logits.Length;
    }

    private static int ArgMaxRow(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int c = 1; c < row.Length; c++)
            if (row[c] > row[best]) best = c;
        return best;
    }

    private static int RowCount(ReadOnlySpan<float> logits, int classCount)
    {
        if (classCount < 1) throw new ArgumentOutOfRangeException(nameof(classCount), classCount,
            "Class count must be positive.");
        if (logits.IsEmpty)
            throw new ArgumentException("Metrics need at least one sample; the logits are empty.", nameof(logits));
        if (logits.Length % classCount != 0)
            throw new ArgumentException(
                $"{logits.Length} logits are not a whole number of rows of {classCount} classes.", nameof(logits));
        return logits.Length / classCount;
    }

    private static void RequireLabels(int rows, int classCount, ReadOnlySpan<int> labels)
    {
        if (labels.Length != rows)
            throw new ArgumentException(
                $"{rows} rows of logits but {labels.Length} labels; they must match.", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"Label {i} is {labels[i]}, outside [0, {classCount}).", nameof(labels));
    }
}
