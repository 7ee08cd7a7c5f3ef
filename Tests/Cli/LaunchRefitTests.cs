using RocketNet.Cli.Commands;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Training.Data;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>launch --data … --out</c> on a table refits the chosen arm on the whole training part for the epoch count where
/// the seeds' mean validation curve peaked (issue 26): the refit follows the chosen run's schedule epoch for epoch,
/// and the epoch count is the mean curve's peak, not one seed's.
/// </summary>
[Collection(ThreadCountCollection.Name)] // training runs on the engine's worker pool
public sealed class LaunchRefitTests
{
    private const string Architecture = "mlp in=64 shared=16 booster=32 light=8 classes=10 booster-bn=1";

    [Fact]
    public void ARefitForKEpochsIsTheChosenRunStoppedAfterEpochK()
    {
        // Same data, seed and schedule: the refit's weights after k epochs score exactly what the full run scored
        // after its epoch k (evaluation changes no state), and a refit of every epoch is the full run.
        var (train, validation) = DataSources.Flatten(Datasets.Digits()).Split(0.2, seed: 0);
        var recipe = new LaunchRecipe(Architecture, Epochs: 5, BatchSize: 32, LearningRate: 0.3, KeepBest: true);
        var full = recipe.Train(LaunchArm.LightAlone, train, seed: 2, validation: validation);
        foreach (int k in new[] { 2, 5 })
        {
            var refit = recipe.Refit(LaunchArm.LightAlone, train, seed: 2, epochs: k);
            Assert.Equal(k, refit.Epoch);
            Assert.Equal(full.EpochScores[k - 1],
                LaunchRecipe.Score(LaunchRecipe.Evaluate(LaunchArm.LightAlone, refit.Pair, validation)));
        }
        Assert.NotEqual(full.EpochScores[1], full.EpochScores[4]); // the two epochs are told apart
        Assert.Throws<ArgumentOutOfRangeException>(() => recipe.Refit(LaunchArm.LightAlone, train, 2, epochs: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => recipe.Refit(LaunchArm.LightAlone, train, 2, epochs: 6));
    }

    [Fact]
    public void TheEpochCountIsWhereTheMeanCurvePeaksNotOneSeedsBest()
    {
        // Seed 1 peaks at epoch 1 by luck; on average the curves peak at epoch 3. Ties keep the earlier epoch.
        IReadOnlyList<double>[] curves = [[0.90, 0.80, 0.85, 0.84], [0.70, 0.80, 0.86, 0.85], [0.70, 0.81, 0.84, 0.83]];
        Assert.Equal(3, LaunchRecipe.BestMeanEpoch(curves));
        Assert.Equal(2, LaunchRecipe.BestMeanEpoch([[0.5, 0.7, 0.7]]));
        Assert.Throws<ArgumentException>(() => LaunchRecipe.BestMeanEpoch([]));
        Assert.Throws<ArgumentException>(() => LaunchRecipe.BestMeanEpoch([[0.5, 0.6], [0.5]]));
    }
}
