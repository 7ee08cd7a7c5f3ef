using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>launch --data … --out F</c>: trains the arm <see cref="LaunchDecision"/> chose (seed 1) as bare <c>train</c>
/// would (for a table: on the training share, keeping the best epoch on the validation share; for an image folder:
/// on the whole training part, the last epoch) and saves its light net as <c>export</c> would, with the data's
/// preprocessing, so <c>predict</c> and <see cref="Predictor"/> serve it from raw rows or image files.
/// </summary>
internal static class LaunchExport
{
    /// <summary>Metadata metric that records which arm produced an exported light net.</summary>
    public const string ChoiceMetric = "launch_choice";

    /// <summary>The data the winner trains on, and the validation part that picks its epoch (null: the last).</summary>
    /// <param name="Train">Training samples.</param>
    /// <param name="Validation">Validation samples, or null.</param>
    public sealed record Parts(Dataset Train, Dataset? Validation);

    /// <summary>Trains, saves to <paramref name="outPath"/> and returns the exported light net and its epoch.</summary>
    public static (Module Net, int Epoch) TrainAndSave(string outPath, LaunchArm winner, LaunchRecipe recipe,
        Parts parts, string preprocessing, string dataName)
    {
        const int seed = 1;
        var teacher = winner.Method == TrainingMethod.Kd
            ? recipe.Train(LaunchArm.BoosterAlone, parts.Train, seed, validation: parts.Validation).Pair.Booster
            : null;
        var trained = recipe.Train(winner, parts.Train, seed, teacher, parts.Validation);
        var light = trained.Pair.ExtractLight();
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Checkpoint.RoleMetric] = Checkpoint.LightRole,
            [DataSources.DataMetric] = dataName,
            [ChoiceMetric] = winner.Name,
        };
        Checkpoint.Save(outPath, light, recipe.Architecture, trained.Epoch, metrics,
            inputShape: parts.Train.SampleShape, preprocessing: preprocessing);
        return (light, trained.Epoch);
    }
}
