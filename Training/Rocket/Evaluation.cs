using RocketNet.Layers;
using RocketNet.Training.Metrics;

namespace RocketNet.Training.Rocket;

/// <summary>Accuracy and mean cross-entropy of one network on a dataset (and AUC for two-class data).</summary>
/// <param name="Count">Samples evaluated.</param>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="Auc">For two classes: AUC of the score logit₁ − logit₀ (NaN otherwise).</param>
/// <param name="GroupAuc">For two classes with group ids (e.g. users): impression-weighted GAUC (NaN
/// otherwise).</param>
public readonly record struct ModelEvaluation(int Count, double Accuracy, double Loss, double Auc = double.NaN,
    double GroupAuc = double.NaN)
{
    /// <summary>1 − accuracy.</summary>
    public double ErrorRate => 1 - Accuracy;
}

/// <summary>Both nets of a pair on a dataset; a net that was not evaluated has NaN accuracy and loss.</summary>
/// <param name="Light">The light net.</param>
/// <param name="Booster">The booster.</param>
public readonly record struct PairEvaluation(ModelEvaluation Light, ModelEvaluation Booster);

/// <summary>
/// Evaluation in eval mode (running batch-norm statistics, no dropout) under <see cref="GradMode.NoGrad"/>,
/// batch by batch, each batch in its own <see cref="TensorScope"/>. The module's previous mode is restored.
/// </summary>
public static class Evaluator
{
    /// <summary>Evaluates a single network (e.g. an extracted light net, or a teacher).</summary>
    /// <exception cref="ArgumentException">The dataset is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    public static ModelEvaluation Evaluate(Module model, IEvaluationSource data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tally = new Tally(data);
        RunBatches(model, data, batchSize, (input, labels) => tally.Add(model.Forward(input), labels, data.ClassCount));
        return tally.Result();
    }

    /// <summary>Evaluates the light net and/or the booster of a pair (one shared forward when both).</summary>
    /// <exception cref="ArgumentException">Neither net is requested, or the dataset is empty.</exception>
    public static PairEvaluation Evaluate(RocketPair pair, IEvaluationSource data, int batchSize = 256,
        bool light = true,
        bool booster = true)
    {
        ArgumentNullException.ThrowIfNull(pair);
        if (!light && !booster)
            throw new ArgumentException("Evaluate at least one of the light net and the booster.", nameof(light));
        Tally lightTally = new(data), boosterTally = new(data);
        RunBatches(pair, data, batchSize, (input, labels) =>
        {
            if (light && booster)
            {
                var (z, l) = pair.ForwardPair(input);
                lightTally.Add(l, labels, data.ClassCount);
                boosterTally.Add(z, labels, data.ClassCount);
            }
            else if (light) lightTally.Add(pair.Light.Forward(input), labels, data.ClassCount);
            else boosterTally.Add(pair.Booster.Forward(input), labels, data.ClassCount);
        });
        return new PairEvaluation(lightTally.Result(), boosterTally.Result());
    }

    private static void RunBatches(Module mode, IEvaluationSource data, int batchSize, Action<Tensor, int[]> evaluate)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
            "Batch size must be positive.");
        if (data.Count == 0) throw new ArgumentException($"Dataset '{data.Name}' is empty.", nameof(data));
        bool wasTraining = mode.IsTraining;
        mode.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            using var batches = data.Batches(batchSize).GetEnumerator();
            while (true)
            {
                // The source may make the batch's input in MoveNext: inside the batch's scope.
                using var scope = TensorScope.Begin();
                if (!batches.MoveNext()) break;
                var (input, labels) = batches.Current;
                evaluate(input, labels);
            }
        }
        finally
        {
            mode.Train(wasTraining);
        }
    }

    /// <summary>
    /// Running totals of correct predictions and summed cross-entropy; for two classes the score and the label of every
    /// sample, for the AUC (the source's samples themselves are not kept).
    /// </summary>
    private sealed class Tally(IEvaluationSource data)
    {
        private int _count, _correct;
        private double _lossSum;
        private readonly float[]? _scores = data.ClassCount == 2 ? new float[data.Count] : null;
        private readonly int[]? _labels = data.ClassCount == 2 ? new int[data.Count] : null;

        public void Add(Tensor logits, int[] labels, int classCount)
        {
            if (logits.Rank != 2 || logits.Size(0) != labels.Length || logits.Size(1) != classCount)
                throw new InvalidOperationException(
                    $"The network returned {logits} for {labels.Length} samples; expected logits " +
                    $"[{labels.Length}, {classCount}].");
            if (_count + labels.Length > data.Count)
                throw new InvalidOperationException(
                    $"'{data.Name}' yielded more than the {data.Count} samples it declares.");
            _correct += ClassificationMetrics.CountCorrect(logits.Data, classCount, labels);
            if (_scores is not null)
            {
                // Batches arrive in source order, so sample i of this batch is sample _count + i.
                ReadOnlySpan<float> l = logits.Data;
                for (int i = 0; i < labels.Length; i++) _scores[_count + i] = l[2 * i + 1] - l[2 * i];
                labels.CopyTo(_labels!, _count);
            }
            _lossSum += Functional.CrossEntropy(logits, labels, Reduction.Sum).Item();
            _count += labels.Length;
        }

        public ModelEvaluation Result()
        {
            if (_count == 0) return new ModelEvaluation(0, double.NaN, double.NaN);
            if (_count != data.Count)
                throw new InvalidOperationException(
                    $"'{data.Name}' yielded {_count} samples but declares {data.Count}.");
            double auc = double.NaN, gauc = double.NaN;
            if (_scores is not null && HasBothClasses(_labels!))
            {
                auc = RankingMetrics.Auc(_scores, _labels!);
                if (data.Groups is not null) gauc = RankingMetrics.GroupAuc(_scores, _labels!, data.Groups);
            }
            return new ModelEvaluation(_count, (double)_correct / _count, _lossSum / _count, auc, gauc);
        }

        private static bool HasBothClasses(int[] labels) => labels.Contains(0) && labels.Contains(1);
    }
}
