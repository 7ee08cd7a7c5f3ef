using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Training.Losses;
using RocketNet.Training.Rocket;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>The blow-up, collapse, best-epoch and patience decisions of <c>train</c>, epoch record by record.</summary>
public sealed class RunMonitorTests
{
    private static EpochRecord Epoch(int epoch, double loss, double? lightAccuracy = null,
        CollapsedNets collapsed = CollapsedNets.None) =>
        new(epoch, 0.1, new LossValues(loss, 0, loss, 0, 0), double.NaN, double.NaN,
            lightAccuracy is { } a
                ? new PairEvaluation(new ModelEvaluation(100, a, 1), new ModelEvaluation(100, double.NaN, double.NaN))
                : null,
            1, 1, collapsed);

    private static bool Observe(RunMonitor monitor, EpochRecord record)
    {
        monitor.RequireHealthy(record);
        return monitor.Observe(record, RunLog.Metrics(record, "val"));
    }

    [Fact]
    public void ALossGrownPastTheFactorTimesTheLowestStopsTheRun()
    {
        var monitor = new RunMonitor(null, 0, divergenceFactor: 1000);
        Observe(monitor, Epoch(0, 4));
        Observe(monitor, Epoch(1, 2));
        Observe(monitor, Epoch(2, 1999)); // 999.5 times the lowest: still below the factor
        var e = Assert.Throws<TrainingDivergedException>(() => monitor.RequireHealthy(Epoch(3, 2001)));
        Assert.Contains("epoch 4: its loss 2E+03 is more than 1000 times the lowest epoch loss 2", e.Message);
        Assert.Contains("last.safetensors keeps epoch 3", e.Message);
        // A larger factor lets the same epoch through.
        var lenient = new RunMonitor(null, 0, divergenceFactor: 5000);
        Observe(lenient, Epoch(0, 2));
        Observe(lenient, Epoch(1, 2001));
    }

    [Fact]
    public void ALossNearZeroIsNotABlowUpWhenItRisesAFewHundredths()
    {
        var monitor = new RunMonitor(null, 0, 1000);
        Observe(monitor, Epoch(0, 1e-6));
        Observe(monitor, Epoch(1, 5)); // 5e6 times the lowest, but below 1000 × 0.01
        Assert.Throws<TrainingDivergedException>(() => monitor.RequireHealthy(Epoch(2, 11)));
    }

    [Fact]
    public void ACollapsedNetStopsTheRun()
    {
        var monitor = new RunMonitor(null, 0, 1000);
        var e = Assert.Throws<TrainingDivergedException>(
            () => monitor.RequireHealthy(Epoch(0, 2, collapsed: CollapsedNets.Light)));
        Assert.Contains("the light net gives the same logits for every sample", e.Message);
        Assert.Contains("no checkpoint was written", e.Message);
    }

    [Fact]
    public void TheBestEpochAndThePatienceCountOnlyEvaluatedEpochsAndSurviveACheckpoint()
    {
        var monitor = new RunMonitor("val_light_accuracy", patience: 2, 1000);
        Assert.True(Observe(monitor, Epoch(0, 3, 0.5)));
        Assert.False(Observe(monitor, Epoch(1, 2))); // not evaluated: does not count
        Assert.False(Observe(monitor, Epoch(2, 2, 0.5))); // a tie is no improvement
        Assert.Equal((1, 1, false), (monitor.BestEpoch, monitor.EvaluationsSinceBest, monitor.PatienceExhausted));

        var metrics = new Dictionary<string, string>();
        monitor.AddTo(metrics);
        var resumed = new RunMonitor("val_light_accuracy", patience: 2, 1000);
        resumed.Restore(metrics, "last.safetensors");
        Assert.Equal((1, 0.5, 1, 2.0), (resumed.BestEpoch, resumed.BestValue, resumed.EvaluationsSinceBest,
            resumed.LowestTrainLoss));
        Assert.False(Observe(resumed, Epoch(3, 2, 0.4)));
        Assert.True(resumed.PatienceExhausted);

        var other = new RunMonitor("val_booster_accuracy", patience: 2, 1000);
        var e = Assert.Throws<UsageException>(() => other.Restore(metrics, "last.safetensors"));
        Assert.Contains("chose its best epoch by val_light_accuracy", e.Message);
    }

    [Fact]
    public void TheBestEpochIsChosenByTheMetricTheRunReportsForItsData()
    {
        static RocketNet.Training.Data.Dataset Data(int classes, int[]? groups = null) =>
            new("d", new float[4], [0, 1, 0, 1], [1], classes, groups: groups);
        Assert.Equal("val_light_accuracy", RunMonitor.SelectionMetric(Data(3), TrainingMethod.Rocket));
        Assert.Equal("val_light_auc", RunMonitor.SelectionMetric(Data(2), TrainingMethod.Base));
        Assert.Equal("val_light_gauc", RunMonitor.SelectionMetric(Data(2, [1, 1, 2, 2]), TrainingMethod.Rocket));
        Assert.Equal("val_booster_accuracy", RunMonitor.SelectionMetric(Data(3), TrainingMethod.Booster));
    }
}
