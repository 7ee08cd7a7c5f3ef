using System.Diagnostics;
using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet launch</c>: the demo. On the embedded 8×8 digits it trains, for several seeds, a light
/// MLP alone (base), the same light net inside Rocket Launching with a wide booster (rocket), and the
/// booster alone, then prints parameters, multiplications and inference time per sample, and test
/// accuracy (median and range over seeds) for each.
/// </summary>
/// <remarks>
/// The pair: shared layer 64→8 (ReLU); light head 8→10; booster head 8→256 (batch norm, ReLU)→10. The
/// 8-wide light net clearly underfits alone. λ defaults to 0.01 rather than the paper's 0.03: on this
/// tiny task the booster's logits grow large, and a stronger hint destabilised training in our sweeps.
/// </remarks>
public static class LaunchCommand
{
    private static readonly string[] Methods = ["base", "rocket", "booster"];

    /// <summary>Runs the demo and prints the table.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        if (options.StringOrNull("data") is { } data)
        {
            if (!DataSources.IsTableFile(data) && !DataSources.IsImageFolder(data))
                throw new UsageException(
                    $"launch --data takes a table file (.csv, .tsv, optionally .gz) or an image folder; got '{data}' " +
                    "(the default launch runs on the embedded digits)");
            return OwnDataLaunch.Run(data, options, output);
        }
        int seeds = options.Int("seeds", 7, 1, 100);
        int epochs = options.Int("epochs", 40, 1, 10_000);
        int batchSize = options.Int("batch-size", 32, 1, 4096);
        double lambda = options.Double("lambda", 0.01, 0, 100);
        double learningRate = options.Double("lr", 0.02, 1e-6, 10);
        int threads = options.Int("threads", Environment.ProcessorCount, 1, 256);
        options.RejectUnknown("launch");
        Parallelism.ThreadCount = threads;

        var clock = Stopwatch.StartNew();
        var (train, test) = Datasets.DigitsSplit(seed: 0);
        train = DataSources.Flatten(train);
        test = DataSources.Flatten(test);
        output.WriteLine(
            $"rocketnet launch: digits 8x8, {train.Count} train / {test.Count} test samples, {seeds} " +
            $"seeds, {epochs} epochs, " +
            $"batch {batchSize}, SGD lr {learningRate.ToString(CultureInfo.InvariantCulture)} momentum " +
            "0.9, hint = logit MSE, lambda " +
            $"{lambda.ToString(CultureInfo.InvariantCulture)}, gradient block on");

        var accuracy = Methods.ToDictionary(m => m, _ => new List<double>());
        var boosterInRocket = new List<double>();
        MlpPair? lastPair = null;
        for (int seed = 1; seed <= seeds; seed++)
        {
            foreach (var method in Methods)
            {
                var pair = MlpPair.Create(64, [8], [256], [], 10, new RandomGenerator((ulong)seed),
                    boosterBatchNorm: true);
                var kind = method switch
                {
                    "base" => TrainingMethod.Base,
                    "booster" => TrainingMethod.Booster,
                    _ => TrainingMethod.Rocket,
                };
                var optimizer = new Sgd(RocketTrainer.TrainableParameters(pair, kind), learningRate,
                    momentum: 0.9, weightDecay: 5e-4);
                var trainer = new RocketTrainer(pair, optimizer, new ConstantSchedule(learningRate), new TrainerOptions
                {
                    Method = kind,
                    Epochs = epochs,
                    Loss = new() { Lambda = (float)lambda },
                });
                trainer.Fit(new BatchLoader(train, batchSize, shuffle: true, seed: (ulong)seed));
                var result = Evaluator.Evaluate(pair, test, light: kind != TrainingMethod.Booster,
                    booster: kind != TrainingMethod.Base);
                accuracy[method].Add(kind == TrainingMethod.Booster ? result.Booster.Accuracy : result.Light.Accuracy);
                if (kind == TrainingMethod.Rocket) boosterInRocket.Add(result.Booster.Accuracy);
                lastPair = pair;
            }
            output.WriteLine(
                $"  seed {seed}: base {accuracy["base"][^1]:P2}, rocket {accuracy["rocket"][^1]:P2}, booster " +
                $"{accuracy["booster"][^1]:P2}");
        }

        var light = lastPair!.ExtractLight().Eval();
        var booster = lastPair.Booster;
        booster.Eval();
        double lightMicros = ModelCost.MicrosecondsPerSample(light, [64]);
        double boosterMicros = ModelCost.MicrosecondsPerSample(booster, [64]);
        output.WriteLine();
        output.WriteLine(
            "| model | parameters | multiplications / sample | inference µs / sample | test accuracy, " +
            "median | range over seeds |");
        output.WriteLine("|---|---:|---:|---:|---:|---|");
        Row(output, "light alone (base)", light, lightMicros, accuracy["base"]);
        Row(output, "light in rocket", light, lightMicros, accuracy["rocket"]);
        Row(output, "booster in rocket", booster, boosterMicros, boosterInRocket);
        Row(output, "booster alone", booster, boosterMicros, accuracy["booster"]);
        double gain = Median(accuracy["rocket"]) - Median(accuracy["base"]);
        output.WriteLine();
        output.WriteLine(
            $"Rocket Launching changes the light net's median test accuracy by {gain * 100:+0.00;-0.00} points " +
            "at the same size and inference cost. " +
            $"({clock.Elapsed.TotalSeconds:F1} s, {threads} threads)");
        return 0;
    }

    private static void Row(TextWriter output, string name, Module model, double micros, List<double> accuracies)
    {
        long? mults = ModelCost.FullyConnectedMultiplications(model);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {model.ParameterCount():N0} | {mults:N0} | {micros:F2} | {Median(accuracies) * 100:F2} % | " +
            $"{accuracies.Min() * 100:F2}–{accuracies.Max() * 100:F2} % |"));
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
