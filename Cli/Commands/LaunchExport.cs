using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>launch --data … --out F</c>: trains the arm <see cref="LaunchDecision"/> chose (seed 1) on the whole training
/// part (for a table: refitted for the number of epochs the comparison's validation curves chose, see
/// <see cref="LaunchRecipe.Refit"/>; for an image folder: all epochs, the last one) and saves its light net as
/// <c>export</c> would, with the data's preprocessing, so <c>predict</c> and <see cref="Predictor"/> serve it from
/// raw rows or image files.
/// </summary>
internal static class LaunchExport
{
    /// <summary>Metadata metric that records which arm produced an exported light net.</summary>
    public const string ChoiceMetric = "launch_choice";

    /// <summary>How many epochs of the recipe's schedule the winner (and, for KD, its teacher) trains.</summary>
    /// <param name="Winner">Epochs of the winning arm.</param>
    /// <param name="Teacher">Epochs of the booster that KD learns from.</param>
    public sealed record Epochs(int Winner, int Teacher);

    /// <summary>Trains on <paramref name="train"/>, saves to <paramref name="outPath"/> and returns the exported light
    /// net and the epoch it holds.</summary>
    public static (Module Net, int Epoch) TrainAndSave(string outPath, LaunchArm winner, LaunchRecipe recipe,
        Dataset train, Epochs epochs, string preprocessing, string dataName)
    {
        const int seed = 1;
        var teacher = winner.Method == TrainingMethod.Kd
            ? recipe.Refit(LaunchArm.BoosterAlone, train, seed, epochs.Teacher).Pair.Booster
            : null;
        var trained = recipe.Refit(winner, train, seed, epochs.Winner, teacher);
        var light = trained.Pair.ExtractLight();
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Checkpoint.RoleMetric] = Checkpoint.LightRole,
            [DataSources.DataMetric] = dataName,
            [ChoiceMetric] = winner.Name,
        };
        Checkpoint.Save(outPath, light, recipe.Architecture, trained.Epoch, metrics,
            inputShape: train.SampleShape, preprocessing: preprocessing);
        return (light, trained.Epoch);
    }
}
