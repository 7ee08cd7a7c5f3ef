using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>launch --data … --out F</c>: trains the arm <see cref="LaunchDecision"/> chose on the whole training part (the
/// validation share included; seed 1) and saves its light net as <c>export</c> would, with the data's preprocessing,
/// so <c>predict</c> and <see cref="Predictor"/> serve it from raw rows or image files.
/// </summary>
internal static class LaunchExport
{
    /// <summary>Metadata metric that records which arm produced an exported light net.</summary>
    public const string ChoiceMetric = "launch_choice";

    /// <summary>Trains, saves to <paramref name="outPath"/> and returns the exported light net.</summary>
    public static Module TrainAndSave(string outPath, LaunchArm winner, LaunchRecipe recipe, Dataset trainingPart,
        string preprocessing, string dataName)
    {
        const int seed = 1;
        var teacher = winner.Method == TrainingMethod.Kd
            ? recipe.Train(LaunchArm.BoosterAlone, trainingPart, seed).Booster : null;
        var pair = recipe.Train(winner, trainingPart, seed, teacher);
        var light = pair.ExtractLight();
        var metrics = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Checkpoint.RoleMetric] = Checkpoint.LightRole,
            [DataSources.DataMetric] = dataName,
            [ChoiceMetric] = winner.Name,
        };
        Checkpoint.Save(outPath, light, recipe.Architecture, recipe.Epochs, metrics,
            inputShape: trainingPart.SampleShape, preprocessing: preprocessing);
        return light;
    }
}
