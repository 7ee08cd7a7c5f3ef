using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Metrics;
using RocketNet.Training.Rocket;
using Xunit;

namespace RocketNet.Tests.Training;

public class EvaluationAucTests
{
    /// <summary>Logits [0, x]: the two-class score logit₁ − logit₀ is the input itself.</summary>
    private sealed class ScoreIsInput : Module
    {
        public override Tensor Forward(Tensor input) => Tensor.Concat([input * 0f, input], 1);
    }

    [Fact]
    public void TwoClassEvaluationReportsAucAndGroupAucOfTheScore()
    {
        float[] scores = [0.1f, 0.9f, 0.4f, 0.35f, 0.8f, 0.2f, 0.7f];
        int[] labels = [0, 1, 0, 1, 1, 0, 0];
        int[] groups = [1, 1, 1, 2, 2, 2, 2];
        var data = new Dataset("scores", scores, labels, [1], 2, groups: groups);
        var result = Evaluator.Evaluate(new ScoreIsInput(), data, batchSize: 3); // several batches
        Assert.Equal(RankingMetrics.Auc(scores, labels), result.Auc, 12);
        Assert.Equal(RankingMetrics.GroupAuc(scores, labels, groups), result.GroupAuc, 12);
    }

    [Fact]
    public void MulticlassEvaluationHasNoAuc()
    {
        var data = new Dataset("three", [0f, 1f, 2f], [0, 1, 2], [1], 3);
        var result = Evaluator.Evaluate(new ThreeLogits(), data);
        Assert.True(double.IsNaN(result.Auc));
    }

    private sealed class ThreeLogits : Module
    {
        public override Tensor Forward(Tensor input) => Tensor.Concat([input, input, input], 1);
    }
}
