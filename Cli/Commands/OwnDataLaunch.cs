using System.Diagnostics;
using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Serving.Images;
using RocketNet.Training.Data.Images;
using RocketNet.Serving.Tables;
using RocketNet.Training.Data.Tables;
using RocketNet.Training.Rocket;
using RocketNet.Serving;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet launch --data FILE --target C</c> or <c>--data FOLDER</c>: the user's decision tool for their own table
/// or image folder. The training part (the test part is not read here) is split again into training and validation;
/// for several seeds it trains the light net alone, the booster alone, and every candidate way of training the light
/// net (<see cref="LaunchArm.Candidates"/>: rocket at a small λ grid, the probability-MSE and KD-style hints, KD from
/// the booster), all with the own-data defaults (<see cref="OwnDataDefaults"/>: the settings bare <c>train</c> uses;
/// for a table, each arm at its best epoch on the validation part, as bare <c>train</c> keeps best.safetensors).
/// It prints each row's cost and validation score, each candidate's paired gain over the light net alone, and names
/// the light net worth shipping (<see cref="LaunchDecision"/>: the light net alone unless a candidate beats it beyond
/// the noise). <c>--out F</c> then trains that winner on the whole training part and exports its light net.
/// </summary>
public static class OwnDataLaunch
{
    /// <summary>
    /// Runs the comparison on <paramref name="path"/> (a table file or an image folder) and prints the table.
    /// </summary>
    public static int Run(string path, CliOptions options, TextWriter output)
    {
        bool isFolder = DataSources.IsImageFolder(path);
        var request = TrainSettings.TableRequestFrom(options);
        if (!isFolder && request is null)
            throw new UsageException($"launch --data {path} needs --target <column to predict>");
        if (isFolder && request is not null)
            throw new UsageException(
                $"--target and the other table options apply to a table file, not to the image folder '{path}'");
        var imageOptions = isFolder ? TrainSettings.ImageOptionsFrom(options) : null;
        var defaults = OwnDataDefaults.For(isFolder);
        int seeds = options.Int("seeds", 5, 1, 100);
        int epochs = options.Int("epochs", defaults.Epochs, 1, 10_000);
        int batchSize = options.Int("batch-size", defaults.BatchSize, 1, 65_536);
        double lambda = options.Double("lambda", 0.03, 0, 100);
        double learningRate = options.Double("lr", defaults.LearningRate, 1e-8, 10);
        double validationFraction = options.Double("validation", 0.2, 0.05, 0.9);
        int dimension = options.Int("embedding-dim", 8, 1, 1024);
        string shared = options.String("shared", "64");
        string booster = options.String("booster-hidden", isFolder ? "512" : "256x128"),
            light = options.String("light-hidden", isFolder ? "" : "32");
        string? outPath = options.StringOrNull("out");
        int threads = options.Int("threads", Environment.ProcessorCount, 1, 256);
        options.RejectUnknown("launch");
        Parallelism.ThreadCount = threads;
        if (outPath is not null) OutputPath.CheckWritable(outPath);

        var clock = Stopwatch.StartNew();
        Dataset trainingPart;
        int testCount, classes;
        string architecture, what, preprocessing;
        IReadOnlyList<string> notes, columns;
        if (isFolder)
        {
            var folder = ImageFolderData.Load(path, imageOptions);
            trainingPart = DataSources.Flatten(folder.Train);
            (testCount, classes, notes) = (folder.Test.Count, folder.Preprocessor.ClassNames.Length, folder.Notes);
            architecture =
                $"mlp in={trainingPart.SampleSize} shared={shared} booster={booster} light={light} " +
                $"classes={classes} booster-bn=1";
            what = $"{path}, {classes} classes, " +
                $"{folder.Preprocessor.ImageSize}×{folder.Preprocessor.ImageSize} RGB images";
            columns = [];
            preprocessing = folder.Preprocessor.ToJson();
        }
        else
        {
            var data = TableData.Load(path, request!.Options, request.TestFile);
            var table = data.Preprocessor;
            (trainingPart, testCount, classes, notes) = (data.Train, data.Test.Count,
                table.ClassNames.Length, data.Notes);
            architecture = ModelFactory.TableDescription(table, booster, light, dimension,
                ModelFactory.DefaultEmbeddingStd, boosterBatchNorm: true);
            what = $"{path}, target '{table.Target}' ({classes} classes)";
            columns = [.. table.Describe()];
            preprocessing = table.ToJson();
        }
        var (train, validation) = trainingPart.Split(validationFraction, seed: 0);
        TrainingPartCheck.Require(path, train.Count, validation.Count, validationFraction);
        bool binary = classes == 2;
        var recipe = new LaunchRecipe(architecture, epochs, batchSize, learningRate, KeepBest: defaults.Validation > 0);
        output.WriteLine($"rocketnet launch: {what}, {train.Count} train / {validation.Count} validation samples " +
                         $"(the test part, {testCount}, is left unread), {seeds} seeds, {epochs} epochs, batch " +
                         $"{batchSize}, Adam lr {learningRate.ToString(CultureInfo.InvariantCulture)} (cosine), " +
                         $"paper settings: logit-MSE hint, λ {lambda.ToString(CultureInfo.InvariantCulture)}, " +
                         "gradient block on");
        foreach (string note in notes) output.WriteLine($"note: {note}");
        foreach (string line in columns) output.WriteLine($"  {line}");
        output.WriteLine($"  pair: {architecture}");

        var candidates = LaunchArm.Candidates(lambda);
        LaunchArm[] arms = [LaunchArm.LightAlone, .. candidates, LaunchArm.BoosterAlone];
        var results = arms.ToDictionary(a => a, _ => new List<ModelEvaluation>());
        var curves = arms.ToDictionary(a => a, _ => new List<IReadOnlyList<double>>());
        RocketPair? lastPair = null;
        for (int seed = 1; seed <= seeds; seed++)
        {
            var boosterAlone = recipe.Train(LaunchArm.BoosterAlone, train, seed, validation: validation);
            results[LaunchArm.BoosterAlone].Add(
                LaunchRecipe.Evaluate(LaunchArm.BoosterAlone, boosterAlone.Pair, validation));
            curves[LaunchArm.BoosterAlone].Add(boosterAlone.EpochScores);
            foreach (var arm in arms.Where(a => a != LaunchArm.BoosterAlone))
            {
                var trained = recipe.Train(arm, train, seed, boosterAlone.Pair.Booster, validation);
                results[arm].Add(LaunchRecipe.Evaluate(arm, trained.Pair, validation));
                curves[arm].Add(trained.EpochScores);
                lastPair = trained.Pair;
            }
            output.WriteLine($"  seed {seed}: "
                + string.Join(", ", arms.Select(a => $"{a.Name} {Score(results[a][^1], binary)}")));
        }

        Func<ModelEvaluation, double> metric = binary ? e => e.Auc : e => e.Accuracy;
        string metricName = binary ? "AUC" : "points of accuracy";
        var alone = results[LaunchArm.LightAlone].Select(metric).ToList();
        int positives = validation.Labels.AsSpan(0, validation.Count).Count(1);
        double validationError = binary
            ? LaunchDecision.AucStandardError(alone.Average(), positives, validation.Count - positives)
            : LaunchDecision.AccuracyStandardError(alone.Average(), validation.Count);
        var choice = LaunchDecision.Choose(alone,
            candidates.Select(c => (c.Name, (IReadOnlyList<double>)results[c].Select(metric).ToList())).ToList(),
            metricName, binary ? 1 : 100, validationError);
        PrintTable(output, arms, results, choice, lastPair!, train, binary);
        output.WriteLine();
        if (LaunchCommand.Median(results[LaunchArm.BoosterAlone].Select(metric).ToList())
            <= LaunchCommand.Median(results[LaunchArm.LightAlone].Select(metric).ToList()))
            output.WriteLine(
                "note: the booster alone is not better than the light net alone on validation " +
                $"({(binary ? "AUC" : "accuracy")}): there is little for it to teach; a booster regularised " +
                "differently (--booster-hidden, fewer --epochs) may change that.");
        output.WriteLine($"choice: {choice.Reason}.");
        if (outPath is not null)
        {
            var winner = arms.First(a => a.Name == choice.Winner);
            // A table refits the winner on the whole training part (validation share included) for the epoch count
            // where its mean validation curve over the seeds peaked: a fifth more rows, the same schedule.
            var epochCounts = recipe.KeepBest
                ? new LaunchExport.Epochs(LaunchRecipe.BestMeanEpoch(curves[winner]),
                    LaunchRecipe.BestMeanEpoch(curves[LaunchArm.BoosterAlone]))
                : new LaunchExport.Epochs(epochs, epochs);
            var exported = LaunchExport.TrainAndSave(outPath, winner, recipe, trainingPart, epochCounts,
                preprocessing, Path.GetFileName(path));
            output.WriteLine($"exported the light net of '{winner.Name}' ({exported.Net.ParameterCount():N0} " +
                $"parameters), trained on all {trainingPart.Count} training samples with seed 1 for " +
                (recipe.KeepBest
                    ? $"{exported.Epoch} of {epochs} epochs (where its validation score, averaged over the " +
                      $"{seeds} seeds, peaked), to {outPath}"
                    : $"{epochs} epochs, to {outPath}"));
        }
        output.WriteLine($"({clock.Elapsed.TotalSeconds:F1} s, {threads} threads)");
        return 0;
    }

    private static void PrintTable(TextWriter output, LaunchArm[] arms,
        Dictionary<LaunchArm, List<ModelEvaluation>> results, LaunchChoice choice, RocketPair pair, Dataset train,
        bool binary)
    {
        var lightNet = pair.ExtractLight().Eval();
        var boosterNet = pair.Booster;
        boosterNet.Eval();
        // Inference time on a real encoded row (real ids are fairer than a zero row).
        var sample = train.Features.AsSpan(0, train.SampleSize);
        double lightMicros = ModelCost.MicrosecondsPerSample(lightNet, [train.SampleSize], sample);
        double boosterMicros = ModelCost.MicrosecondsPerSample(boosterNet, [train.SampleSize], sample);
        output.WriteLine();
        output.WriteLine(
            "| model | parameters | multiplications / sample | inference µs / sample | validation " +
            "accuracy, median (range) |" + (binary ? " validation AUC, median (range) |" : "") +
            $" gain over the light net alone, mean [simultaneous 95 % interval] |");
        output.WriteLine("|---|---:|---:|---:|---|" + (binary ? "---|" : "") + "---|");
        foreach (var arm in arms)
        {
            bool isBooster = arm == LaunchArm.BoosterAlone;
            var model = isBooster ? boosterNet : lightNet;
            var evaluations = results[arm];
            var comparison = choice.Comparisons.FirstOrDefault(c => c.Name == arm.Name);
            string gain = comparison is null ? "" : Gain(comparison, binary);
            string cost = string.Create(CultureInfo.InvariantCulture,
                $"| {arm.Name}{(arm.Name == choice.Winner ? " (chosen)" : "")} | {model.ParameterCount():N0} | " +
                $"{ModelCost.FullyConnectedMultiplications(model):N0} | " +
                $"{(isBooster ? boosterMicros : lightMicros):F2} | ");
            output.WriteLine(cost + Summary(evaluations.Select(e => e.Accuracy * 100).ToList(), "F2", " %") + " |" +
                             (binary ? " " + Summary(evaluations.Select(e => e.Auc).ToList(), "F4", "") + " |" : "") +
                             $" {gain} |");
        }
    }

    private static string Gain(LaunchComparison c, bool binary)
    {
        double scale = binary ? 1 : 100;
        string format = binary ? "+0.0000;-0.0000;0.0000" : "+0.00;-0.00;0.00";
        string F(double v) => double.IsNaN(v) ? "–" : (v * scale).ToString(format, CultureInfo.InvariantCulture);
        return $"{F(c.MeanGain)} [{F(c.Low)}, {F(c.High)}]";
    }

    private static string Score(ModelEvaluation e, bool binary) =>
        string.Create(CultureInfo.InvariantCulture, $"{e.Accuracy * 100:F2} %")
            + (binary ? string.Create(CultureInfo.InvariantCulture, $" AUC {e.Auc:F4}") : "");

    private static string Summary(List<double> values, string format, string unit) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{LaunchCommand.Median(values).ToString(format, CultureInfo.InvariantCulture)}{unit} " +
            $"({values.Min().ToString(format, CultureInfo.InvariantCulture)}–" +
            $"{values.Max().ToString(format, CultureInfo.InvariantCulture)})");
}
