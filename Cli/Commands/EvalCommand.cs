using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet eval --checkpoint F [--data D --path P]</c>: test accuracy and loss of a checkpoint —
/// both nets for a pair checkpoint (from <c>train</c>), the light net for an exported one. <c>--data</c> defaults
/// to the data the checkpoint records it was trained on (digits for checkpoints that record none). For
/// <c>synthetic-clicks</c>, <c>--impressions</c> and <c>--data-seed</c> default to the ones recorded in the
/// checkpoint, so the same test part is regenerated.
/// </summary>
public static class EvalCommand
{
    /// <summary>Evaluates and prints one line per net.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        string path = options.StringOrNull("checkpoint") ?? throw new UsageException("eval needs --checkpoint <file>");
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' not found.", path);
        var checkpoint = Checkpoint.Load(path);
        // A click log's preprocessing (hashing, rare ids) applies to the rows eval reads; a table's or images' do
        // not.
        var clickLog = Predictor.SavedClickLog(checkpoint);
        if (checkpoint.Preprocessing is not null && clickLog is null)
            throw new UsageException(
                $"'{path}' was trained on your own table or image folder: score labelled data with " +
                "'rocketnet predict --model F --input FILE|FOLDER --output scores.csv', which " +
                "prints the accuracy when the target column (or class folders) is there");
        // Unless given, the data is the one the checkpoint was trained on (digits for checkpoints that do not say).
        string recordedData = checkpoint.Metrics.TryGetValue(DataSources.DataMetric, out var name)
            && DataSources.Names.Contains(name)
            ? name : "digits";
        string data = options.Choice("data", recordedData, DataSources.Names);
        string? dataPath = options.StringOrNull("path");
        int limit = options.Int("limit", int.MaxValue, 1);
        bool timing = options.Flag("timing");
        int? impressions = options.StringOrNull("impressions") is null ? null : options.Int("impressions", 0, 1);
        int? dataSeed = options.StringOrNull("data-seed") is null ? null : options.Int("data-seed", 0, 0);
        Parallelism.ThreadCount = options.Int("threads", Environment.ProcessorCount, 1, 256);
        options.RejectUnknown("eval");

        bool lightOnly = CheckpointNets.IsLightNet(checkpoint);
        // Built before the data is read: a damaged file is reported as such, not as a --data mismatch.
        var lightNet = lightOnly ? CheckpointNets.LoadLightNet(checkpoint) : null;
        var pair = lightOnly ? null : CheckpointNets.LoadPair(checkpoint);
        bool flatten = checkpoint.Architecture.StartsWith("mlp ", StringComparison.Ordinal);
        // Unless given, the synthetic log's size and seed are the ones the checkpoint was trained on.
        var clicks = SyntheticClickLogOptions.ForImpressions(
            impressions ?? Recorded(checkpoint, DataSources.ImpressionsMetric) ?? TrainSettings.DefaultImpressions,
            (ulong)(dataSeed ?? Recorded(checkpoint, DataSources.DataSeedMetric) ?? 1));
        if (clickLog is not null && clickLog.Layout != data)
            throw new UsageException(
                $"'{path}' was trained on click logs of the {clickLog.Layout} layout; --data {data} rows are not " +
                $"encoded as it expects (pass --data {clickLog.Layout})");
        // A streamed click log's run hashed into its own bucket count; its ids must be hashed the same way here.
        int? buckets = clickLog?.HashBuckets ?? Recorded(checkpoint, ClickLogData.HashBucketsMetric);
        var loaded = DataSources.Load(data, dataPath, limit, flatten, augment: false, clicks, hashBuckets: buckets);
        var test = loaded.Test;
        // Ids rare in the run's training rows become its rare id, as training mapped them (the map travels in the
        // model; the rows read here never decide what is rare).
        clickLog?.RareIds?.Apply(test.Features.AsSpan(0, test.Count * test.SampleSize), test.SampleSize);
        if (checkpoint.InputShape is { } trained && !trained.SequenceEqual(test.SampleShape))
            throw new UsageException(
                $"the checkpoint was trained on samples of shape [{string.Join(", ", trained)}], " +
                $"but --data {data} gives " +
                $"[{string.Join(", ", test.SampleShape)}]; pass the --data it was trained on" +
                (checkpoint.Metrics.ContainsKey(DataSources.DataMetric) ? $" ({recordedData})." : "."));
        if (lightNet is { } light)
        {
            Print(output, "light", Evaluator.Evaluate(light.Eval(), test));
            if (timing) PrintCost(output, "light", light, test);
            if (loaded.Reference is not null) output.WriteLine(loaded.Reference);
            return 0;
        }
        var result = Evaluator.Evaluate(pair!, test);
        Print(output, "light", result.Light);
        Print(output, "booster", result.Booster);
        if (timing)
        {
            PrintCost(output, "light", pair!.Light.Eval(), test);
            PrintCost(output, "booster", pair.Booster.Eval(), test);
        }
        if (loaded.Reference is not null) output.WriteLine(loaded.Reference);
        return 0;
    }

    // Size, FC multiplications and single-sample request times: the median (and 90th percentile) over test samples
    // spread across the test part of each sample's median time.
    private static void PrintCost(TextWriter output, string name, Module model, Dataset test)
    {
        long? multiplications = ModelCost.FullyConnectedMultiplications(model);
        var (median, p90, samples) = ModelCost.MicrosecondsPerRequest(model, test.SampleShape,
            test.Features.AsSpan(0, test.Count * test.SampleSize));
        string fcMultiplications = multiplications is { } m ? m.ToString("N0", CultureInfo.InvariantCulture) : "-";
        output.WriteLine(FormattableString.Invariant(
            $"{name} cost: {model.ParameterCount():N0} parameters, ") +
            FormattableString.Invariant($"{fcMultiplications} FC multiplications per sample, ") +
            FormattableString.Invariant(
                $"{median:F2} µs per single-sample request (median over {samples} test samples, ") +
            FormattableString.Invariant($"90th percentile {p90:F2} µs; {Parallelism.ThreadCount} threads)"));
    }

    private static int? Recorded(Checkpoint checkpoint, string metric) =>
        checkpoint.Metrics.TryGetValue(metric, out var text)
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

    private static void Print(TextWriter output, string name, ModelEvaluation e) =>
        output.WriteLine(FormattableString.Invariant(
            $"{name}: accuracy {e.Accuracy * 100:F2}% (error {e.ErrorRate * 100:F2}%), loss {e.Loss:F4}") +
            (double.IsNaN(e.Auc) ? "" : FormattableString.Invariant($", AUC {e.Auc:F4}")) +
            (double.IsNaN(e.GroupAuc) ? "" : FormattableString.Invariant($", GAUC {e.GroupAuc:F4}")) +
            FormattableString.Invariant($", {e.Count} samples"));
}
