using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RocketNet.Training.Metrics;
using Xunit;

namespace RocketNet.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void AccuracyUsesTheFirstMaximumOfEachRow()
    {
        float[] logits = [1, 3, 2, /**/ 5, 5, 0, /**/ 0, 0, 1, /**/ 2, 1, 0];
        int[] labels = [1, 1, 2, 0];
        Assert.Equal([1, 0, 2, 0], ClassificationMetrics.ArgMax(logits, 3));
        Assert.Equal(3, ClassificationMetrics.CountCorrect(logits, 3, labels)); // row 1 ties 0/1 → predicts 0
        Assert.Equal(0.75, ClassificationMetrics.Accuracy(logits, 3, labels));
        Assert.Equal(0.25, ClassificationMetrics.ErrorRate(logits, 3, labels));
    }

    [Fact]
    public void MulticlassLogLossMatchesHandValueAndStaysFiniteForHugeLogits()
    {
        // Row [0, ln 3]: softmax = [1/4, 3/4]. Labels 1 then 0: (−ln ¾ − ln ¼)/2.
        float ln3 = MathF.Log(3);
        double expected = (-Math.Log(0.75) - Math.Log(0.25)) / 2;
        Assert.Equal(expected, ClassificationMetrics.LogLoss([0, ln3, 0, ln3], 2, [1, 0]), 6);
        Assert.Equal(2000, ClassificationMetrics.LogLoss([1000, -1000], 2, [1]), 6);
        Assert.Equal(Math.Log(2), ClassificationMetrics.LogLoss([1e30f, 1e30f], 2, [0]), 9);
    }

    [Fact]
    public void BinaryLogLossMatchesHandValueAndIsStable()
    {
        double p = 1 / (1 + Math.Exp(-1.5));
        double expected = (-Math.Log(p) - Math.Log(1 - 1 / (1 + Math.Exp(0.5)))) / 2;
        Assert.Equal(expected, ClassificationMetrics.BinaryLogLoss([1.5f, -0.5f], [1, 0]), 9);
        Assert.Equal(100, ClassificationMetrics.BinaryLogLoss([-100f], [1]), 9);
        Assert.Equal(0, ClassificationMetrics.BinaryLogLoss([200f], [1]), 9);
    }

    [Fact]
    public void AucCountsTiesAsHalf()
    {
        // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4 ✓, 0.8>0.1 ✓, 0.4=0.4 ½, 0.4>0.1 ✓) = 3.5/4.
        Assert.Equal(0.875, RankingMetrics.Auc([0.8f, 0.4f, 0.4f, 0.1f], [1, 1, 0, 0]), 12);
        Assert.Equal(0.5, RankingMetrics.Auc([0.3f, 0.3f, 0.3f], [1, 0, 1]), 12);
        Assert.Equal(0.0, RankingMetrics.Auc([0.1f, 0.9f], [1, 0]), 12);
        Assert.Equal(1.0, RankingMetrics.Auc([-5f, 7f], [0, 1]), 12);
    }

    [Property(MaxTest = 60)]
    public Property AucEqualsTheQuadraticPairCount(int[] rawScores, bool[] rawLabels)
    {
        int n = Math.Min(rawScores.Length, rawLabels.Length);
        var scores = rawScores.Take(n).Select(s => (float)(s % 5)).ToArray(); // few distinct values: many ties
        var labels = rawLabels.Take(n).Select(b => b ? 1 : 0).ToArray();
        bool bothClasses = labels.Contains(0) && labels.Contains(1);
        return Prop.When(bothClasses, () =>
        {
            double favourable = 0, pairs = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    if (labels[i] != 1 || labels[j] != 0) continue;
                    pairs++;
                    favourable += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            return Math.Abs(RankingMetrics.Auc(scores, labels) - favourable / pairs) < 1e-12;
        });
    }

    [Fact]
    public void GroupAucWeightsByImpressionsAndSkipsOneClassGroups()
    {
        // Group 7: AUC 1 over 2 samples. Group 3 over 4 samples: positives 0.5, 0.2 vs negatives 0.5, 0.8 → one tie of
        // four pairs, AUC 0.125.
        // Group 9: all positives → skipped.
        float[] scores = [0.9f, 0.1f, /**/ 0.5f, 0.5f, 0.2f, 0.8f, /**/ 0.3f, 0.6f];
        int[] labels = [1, 0, /**/ 1, 0, 1, 0, /**/ 1, 1];
        int[] groups = [7, 7, /**/ 3, 3, 3, 3, /**/ 9, 9];
        double group3 = RankingMetrics.Auc([0.5f, 0.5f, 0.2f, 0.8f], [1, 0, 1, 0]);
        Assert.Equal(0.125, group3, 12);
        Assert.Equal((2 * 1.0 + 4 * group3) / 6, RankingMetrics.GroupAuc(scores, labels, groups), 12);
    }

    [Fact]
    public void DegenerateInputsGiveClearErrors()
    {
        Assert.Contains("empty",
            Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([], 3, [])).Message);
        Assert.Contains("labels",
            Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([1, 2, 3], 3, [0, 1])).Message);
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Accuracy([1, 2, 3, 4], 3, [0]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.LogLoss([1, 2], 2, [2]));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.BinaryLogLoss([1f], [2]));
        Assert.Contains("one class",
            Assert.Throws<ArgumentException>(() => RankingMetrics.Auc([0.1f, 0.2f], [1, 1])).Message);
        Assert.Throws<ArgumentException>(() => RankingMetrics.Auc([], []));
        Assert.Throws<ArgumentException>(() => RankingMetrics.Auc([0.1f], [1, 0]));
        Assert.Throws<ArgumentException>(() => RankingMetrics.Auc([float.NaN, 0.2f], [1, 0]));
        Assert.Contains("none",
            Assert.Throws<ArgumentException>(() => RankingMetrics.GroupAuc([0.1f, 0.2f], [1, 0], [1, 2])).Message);
        Assert.Throws<ArgumentException>(() => RankingMetrics.GroupAuc([0.1f, 0.2f], [1, 0], [1]));
    }
}
