using RocketNet.Training.Schedules;
using Xunit;

namespace RocketNet.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void MultiStepDropsByGammaAtEachMilestone()
    {
        var s = new MultiStepSchedule(0.1, [60, 120, 160], 0.2);
        Assert.Equal(0.1, s.LearningRate(0), 12);
        Assert.Equal(0.1, s.LearningRate(59.99), 12);
        Assert.Equal(0.02, s.LearningRate(60), 12);
        Assert.Equal(0.004, s.LearningRate(120.5), 12);
        Assert.Equal(0.0008, s.LearningRate(199), 12);
    }

    [Fact]
    public void MultiStepSignalsMomentumResetOnlyAtDropsWhenAsked()
    {
        var withReset = new MultiStepSchedule(0.1, [3, 5], resetMomentumAtDrops: true);
        Assert.Equal([3, 5], Enumerable.Range(0, 8).Where(withReset.ResetsMomentumAt));
        var without = new MultiStepSchedule(0.1, [3, 5]);
        Assert.DoesNotContain(Enumerable.Range(0, 8), without.ResetsMomentumAt);
    }

    [Fact]
    public void PaperShapeCompressesIntoFewerEpochs()
    {
        Assert.Equal([15, 30, 40], MultiStepSchedule.ScaleMilestones(MultiStepSchedule.PaperCifarMilestones, 200, 50));
        Assert.Equal([3, 6, 8], MultiStepSchedule.ScaleMilestones(MultiStepSchedule.PaperCifarMilestones, 200, 10));
        var s = MultiStepSchedule.PaperCifar(10);
        Assert.Equal(0.1, s.LearningRate(2.9), 12);
        Assert.Equal(0.02, s.LearningRate(3), 12);
        Assert.True(s.ResetsMomentumAt(8));
        // Milestones that collide keep both drops; those at or past the end vanish.
        Assert.Equal([1, 1], MultiStepSchedule.ScaleMilestones([60, 120, 160], 200, 2));
    }

    [Fact]
    public void CosineWarmsUpLinearlyThenAnnealsToTheMinimum()
    {
        var s = new CosineSchedule(1.0, totalEpochs: 10, warmupEpochs: 2, minRate: 0.1);
        Assert.Equal(0.0, s.LearningRate(0), 12);
        Assert.Equal(0.5, s.LearningRate(1), 12);
        Assert.Equal(1.0, s.LearningRate(2), 12);
        Assert.Equal(0.55, s.LearningRate(6), 12); // halfway through the cosine part
        Assert.Equal(0.1, s.LearningRate(10), 12);
        Assert.Equal(0.1, s.LearningRate(25), 12);
        var noWarmup = new CosineSchedule(0.2, 4);
        Assert.Equal(0.2, noWarmup.LearningRate(0), 12);
        Assert.Equal(0.1, noWarmup.LearningRate(2), 12);
    }

    [Fact]
    public void ConstantIsConstant() => Assert.Equal(0.3, new ConstantSchedule(0.3).LearningRate(123.4));

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantSchedule(0.1).LearningRate(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepSchedule(0.1, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiStepSchedule(0.1, [5], gamma: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.1, 10, warmupEpochs: 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0.1, 10, minRate: 0.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiStepSchedule.ScaleMilestones([1], 0, 5));
    }
}
