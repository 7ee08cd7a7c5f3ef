using System.Diagnostics;
using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Serving.Images;
using RocketNet.Training.Data.Images;
using RocketNet.Serving.Tables;
using RocketNet.Training.Data.Tables;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet launch --data FILE --target C</c> or <c>--data FOLDER</c>: the demo's side-by-side on the user's own
/// table or image folder. The training part (the test part is not read here) is split again into training and
/// validation; for several seeds it trains the light net alone, the pair with Rocket Launching, and the booster
/// alone (Adam, cosine schedule), and prints parameters, multiplications, inference time per sample and the
/// validation accuracy (and AUC for two classes) of every row. Tables get table towers; image folders an MLP
/// pair on the flattened pixels (<c>--shared 64 --booster-hidden 512</c>).
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
        int seeds = options.Int("seeds", 3, 1, 100);
        int epochs = options.Int("epochs", 20, 1, 10_000);
        int batchSize = options.Int("batch-size", isFolder ? 64 : 256, 1, 65_536);
        double lambda = options.Double("lambda", 0.03, 0, 100);
        double learningRate = options.Double("lr", 0.001, 1e-8, 10);
        double validationFraction = options.Double("validation", 0.2, 0.05, 0.9);
        int dimension = options.Int("embedding-dim", 8, 1, 1024);
        string shared = options.String("shared", "64");
        string booster = options.String("booster-hidden", isFolder ? "512" : "256x128"),
            light = options.String("light-hidden", isFolder ? "" : "32");
        int threads = options.Int("threads", Environment.ProcessorCount, 1, 256);
        options.RejectUnknown("launch");
        Parallelism.ThreadCount = threads;

        var clock = Stopwatch.StartNew();
        Dataset trainingPart;
        int testCount, classes;
        string architecture, what;
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
        }
        else
        {
            var data = TableData.Load(path, request!.Options, request.TestFile);
            var table = data.Preprocessor;
            (trainingPart, testCount, classes, notes) = (data.Train, data.Test.Count,
                table.ClassNames.Length, data.Notes);
            architecture = string.Create(CultureInfo.InvariantCulture,
                $"table-towers vocab={string.Join("x", table.VocabularySizes)} numeric={table.NumericWidth} " +
                $"dim={dimension} booster={booster} light={light} classes={classes}");
            what = $"{path}, target '{table.Target}' ({classes} classes)";
            columns = [.. table.Describe()];
        }
        var (train, validation) = trainingPart.Split(validationFraction, seed: 0);
        bool binary = classes == 2;
        output.WriteLine($"rocketnet launch: {what}, {train.Count} train / {validation.Count} validation samples " +
                         $"(the test part, {testCount}, is left unread), {seeds} seeds, {epochs} epochs, batch " +
                         $"{batchSize}, Adam lr {learningRate.ToString(CultureInfo.InvariantCulture)} (cosine), " +
                         "hint = logit MSE, lambda " +
                         $"{lambda.ToString(CultureInfo.InvariantCulture)}, gradient block on");
        foreach (string note in notes) output.WriteLine($"note: {note}");
        foreach (string line in columns) output.WriteLine($"  {line}");
        output.WriteLine($"  pair: {architecture}");

        string[] rows = ["light alone (base)", "light in rocket", "booster in rocket", "booster alone"];
        var results = rows.ToDictionary(r => r, _ => new List<ModelEvaluation>());
        RocketPair? last = null;
        for (int seed = 1; seed <= seeds; seed++)
        {
            foreach (var method in new[] { TrainingMethod.Base, TrainingMethod.Rocket, TrainingMethod.Booster })
            {
                var pair = ArchitectureRegistry.BuildPair(architecture, new RandomGenerator((ulong)seed));
                var trainer = new RocketTrainer(pair,
                    new Adam(RocketTrainer.TrainableParameters(pair, method), learningRate),
                    new CosineSchedule(learningRate, epochs),
                    new TrainerOptions { Method = method, Epochs = epochs, Loss = new() { Lambda = (float)lambda } });
                trainer.Fit(new BatchLoader(train, batchSize, shuffle: true, seed: (ulong)seed));
                var result = trainer.Evaluate(validation);
                if (method == TrainingMethod.Base) results[rows[0]].Add(result.Light);
                if (method == TrainingMethod.Rocket)
                {
                    results[rows[1]].Add(result.Light);
                    results[rows[2]].Add(result.Booster);
                }
                if (method == TrainingMethod.Booster) results[rows[3]].Add(result.Booster);
                last = pair;
            }
            output.WriteLine($"  seed {seed}: "
                + string.Join(", ", rows.Select(r => $"{r} {Score(results[r][^1], binary)}")));
        }

        var lightNet = last!.ExtractLight().Eval();
        var boosterNet = last.Booster;
        boosterNet.Eval();
        // Inference time on a real encoded row (a zero row would be an invalid id for no column, but real ids are
        // fairer).
        var sample = train.Features.AsSpan(0, train.SampleSize);
        double lightMicros = ModelCost.MicrosecondsPerSample(lightNet, [train.SampleSize], sample);
        double boosterMicros = ModelCost.MicrosecondsPerSample(boosterNet, [train.SampleSize], sample);
        output.WriteLine();
        output.WriteLine(
            "| model | parameters | multiplications / sample | inference µs / sample | validation " +
            "accuracy, median (range) |" + (binary ? " validation AUC, median (range) |" : ""));
        output.WriteLine("|---|---:|---:|---:|---|" + (binary ? "---|" : ""));
        for (int r = 0; r < rows.Length; r++)
        {
            var model = r < 2 ? lightNet : boosterNet;
            var evaluations = results[rows[r]];
            string cost = string.Create(CultureInfo.InvariantCulture,
                $"| {rows[r]} | {model.ParameterCount():N0} | {ModelCost.FullyConnectedMultiplications(model):N0} | " +
                $"{(r < 2 ? lightMicros : boosterMicros):F2} | ");
            output.WriteLine(cost + Summary(evaluations.Select(e => e.Accuracy * 100).ToList(), "F2", " %") + " |" +
                             (binary ? " " + Summary(evaluations.Select(e => e.Auc).ToList(), "F4", "") + " |" : ""));
        }
        double gain = LaunchCommand.Median(results[rows[1]].Select(e => e.Accuracy).ToList())
            - LaunchCommand.Median(results[rows[0]].Select(e => e.Accuracy).ToList());
        output.WriteLine();
        // The method transfers what the booster knows better; when the booster alone is not better, there is nothing to
        // transfer.
        Func<ModelEvaluation, double> metric = binary ? e => e.Auc : e => e.Accuracy;
        if (LaunchCommand.Median(results[rows[3]].Select(metric).ToList())
            <= LaunchCommand.Median(results[rows[0]].Select(metric).ToList()))
            output.WriteLine(
                "note: the booster alone is not better than the light net alone on validation " +
                $"({(binary ? "AUC" : "accuracy")}): the method's precondition " +
                "does not hold here; try a booster regularised differently (--booster-hidden, fewer " +
                "--epochs) before reading the light rows.");
        output.WriteLine(
            $"Rocket Launching changes the light net's median validation accuracy by {gain * 100:+0.00;-0.00} points " +
            $"at the same size and inference cost ({seeds} seeds: read the ranges before the median). " +
            $"({clock.Elapsed.TotalSeconds:F1} s, {threads} threads)");
        return 0;
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
