using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet train</c>: trains one booster/light pair with one method, writing into the checkpoint
/// folder a checkpoint after every epoch (<c>last.safetensors</c>, atomic, with optimiser state so
/// <c>--resume</c> continues exactly), with a validation split the best epoch's pair (<c>best.safetensors</c>),
/// a per-epoch CSV log (<c>log.csv</c>) and a learning curve (<c>curve.svg</c>). A run whose loss blows up or
/// whose net collapses stops before that epoch is saved (<see cref="RunMonitor"/>).
/// </summary>
public static class TrainCommand
{
    /// <summary>Checkpoint file name inside the run folder.</summary>
    public const string CheckpointFile = "last.safetensors";

    /// <summary>
    /// File name, inside the run folder, of the pair at the best validation epoch (no optimiser state; written only
    /// with a validation split).
    /// </summary>
    public const string BestCheckpointFile = "best.safetensors";

    /// <summary>Parses the options, trains, reports.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        var s = TrainSettings.Parse(options);
        Parallelism.ThreadCount = s.Threads;
        Kernels.ConvolutionKernels.WinogradEnabled = s.Winograd;
        bool flatten = s.Architecture == "mlp" || s.Architecture.StartsWith("mlp ", StringComparison.Ordinal);
        var clickLog = s.ClickLog is null ? null
            : ClickLogData.Load(s.DataPath ?? throw new UsageException(
                $"--data {s.Data} needs --path: a file, comma-separated files or a folder of them"),
                s.ClickLog, s.Validation, s.Limit, s.TrainLimit, s.BatchSize, (ulong)s.Seed);
        // A streamed click log has no part in memory to stand for shape and classes: a dataset of no rows does.
        var data = clickLog is null
            ? DataSources.Load(s.Data, s.DataPath, s.Limit, flatten, s.Augment, s.SyntheticClicks, s.Table, s.Images)
            : new LoadedData(ShapeOf(clickLog), ShapeOf(clickLog), null, clickLog.Vocabulary, clickLog.Layout);
        // The test part: in memory, or for a click log streamed from its files each time it is evaluated.
        IEvaluationSource test = (IEvaluationSource?)clickLog?.Test ?? data.Test;
        foreach (string note in data.Notes ?? []) output.WriteLine($"note: {note}");
        Dataset? validation = clickLog?.Validation;
        if (clickLog is null)
        {
            data = data with { Train = DataSources.Take(data.Train, s.TrainLimit) };
            // The validation split comes from the training part with its own seed, so every run seed sees the same
            // split.
            if (s.Validation > 0)
            {
                var (train, held) = data.Train.Split(s.Validation, (ulong)s.ValidationSeed);
                data = data with { Train = train };
                validation = held;
            }
            TrainingPartCheck.Require(s.DataPath ?? s.Data, data.Train.Count, validation?.Count ?? 0, s.Validation);
        }
        long trainCount = clickLog?.Train.RowCount ?? data.Train.Count;
        string architecture = ModelFactory.Describe(s, data);
        var teacher = s.Teacher is null ? null : ModelFactory.LoadTeacher(s.Teacher);

        OutputPath.CheckFolder(s.CheckpointDirectory, "--checkpoint-dir");
        Directory.CreateDirectory(s.CheckpointDirectory);
        string checkpointPath = Path.Combine(s.CheckpointDirectory, CheckpointFile);
        string logPath = Path.Combine(s.CheckpointDirectory, "log.csv");
        var pair = ArchitectureRegistry.BuildPair(architecture, new RandomGenerator((ulong)s.Seed));
        if ((s.Loss.SharedGradient != Training.Losses.SharedGradient.Both
            || s.Loss.FeatureHint != Training.Losses.FeatureHintKind.None) && pair is not TrunkPair)
            throw new UsageException(
                "--shared-grad booster and --feature-hint need a trunk pair (--arch mlp or ctr); " +
                $"'{architecture}' is not one");
        var optimizer = ModelFactory.CreateOptimizer(s, pair, s.Method);
        var monitor = new RunMonitor(validation is null ? null : RunMonitor.SelectionMetric(validation, s.Method),
            s.EarlyStop, s.DivergenceFactor);
        int startEpoch = 0;
        bool resume = s.Resume && File.Exists(checkpointPath);
        if (s.Resume && !resume)
        {
            // A run killed during its first epoch has a log but no checkpoint yet: it starts again from epoch 0.
            if (!File.Exists(logPath))
                throw new FileNotFoundException(
                    $"--resume: no checkpoint at '{checkpointPath}' and no run log; nothing to resume.",
                    checkpointPath);
            output.WriteLine(
                $"--resume: '{s.CheckpointDirectory}' has no checkpoint yet (stopped during the first " +
                "epoch); starting from epoch 0");
        }
        if (resume)
        {
            var checkpoint = Checkpoint.Load(checkpointPath);
            if (checkpoint.Architecture != architecture)
                throw new UsageException(
                    $"--resume: the checkpoint is a '{checkpoint.Architecture}' but these options " +
                    $"describe '{architecture}'");
            checkpoint.LoadInto(pair);
            optimizer.LoadState(checkpoint.Extra
                .Where(e => e.Key.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[Checkpoint.OptimizerPrefix.Length..], e => e.Value.Values));
            startEpoch = checkpoint.Epoch;
            if (clickLog is not null) clickLog.CheckResume(checkpoint.Metrics);
            monitor.Restore(checkpoint.Metrics, checkpointPath);
            output.WriteLine($"resuming from {checkpointPath} after epoch {startEpoch}");
        }
        else if (!s.Resume && File.Exists(checkpointPath))
        {
            throw new UsageException(
                $"'{s.CheckpointDirectory}' already holds a run; pass --resume to continue it or choose " +
                "another --checkpoint-dir");
        }

        output.WriteLine(
            $"rocketnet train: {s.Data} ({trainCount} " +
            $"train{(validation is null ? "" : $" / {validation.Count} validation")} / {test.Count} test), " +
            $"{architecture}, method {TrainSettings.MethodName(s.Method)}, " +
            $"{s.Epochs} epochs, batch {s.BatchSize}, {s.Optimizer} lr " +
            $"{s.LearningRate.ToString(CultureInfo.InvariantCulture)} ({s.Schedule}), seed " +
            $"{s.Seed}, {s.Threads} threads");
        if (data.Reference is not null) output.WriteLine(data.Reference);
        output.WriteLine(
            $"parameters: booster {pair.Booster.ParameterCount():N0}, light {pair.Light.ParameterCount():N0} " +
            $"(shared {pair.SharedParameters().Sum(p => (long)p.Count):N0}, light-only " +
            $"{pair.LightOnlyParameters().Sum(p => (long)p.Count):N0})");

        var progress = new ProgressReporter(output)
        {
            AccuracyOf = s.Method == TrainingMethod.Booster ? "booster" : "light",
        };
        string label = TrainSettings.MethodName(s.Method);
        var trainer = new RocketTrainer(pair, optimizer, ModelFactory.CreateSchedule(s), new TrainerOptions
        {
            Method = s.Method,
            Loss = s.Loss,
            Epochs = s.Epochs,
            Teacher = teacher,
            OnBatch = b => progress.Batch(label, b.Epoch + 1, s.Epochs, b.Batch, b.BatchesPerEpoch, b.Loss,
                b.Accuracy, b.Samples),
        });
        IBatchSource loader = clickLog?.Train ?? (IBatchSource)new BatchLoader(data.Train, s.BatchSize, shuffle: true,
            seed: (ulong)s.Seed, dropLast: BatchLoader.LastBatchIsSingle(data.Train.Count, s.BatchSize),
            augmentation: data.Augmentation);
        var log = new RunLog(logPath, resume ? startEpoch : 0);
        int stop = Math.Min(s.Epochs, s.StopAfter);
        if (monitor.PatienceExhausted)
        {
            output.WriteLine($"the run already stopped early (--early-stop {s.EarlyStop}): {monitor.DescribeBest()}");
            stop = startEpoch;
        }
        // travels in every checkpoint, so a served model takes raw rows or image files
        string? preprocessing = clickLog?.Preprocessing.ToJson() ?? data.PreprocessingJson;
        string bestPath = Path.Combine(s.CheckpointDirectory, BestCheckpointFile);
        bool stoppedEarly = false;
        int done = startEpoch;
        var finalTests = new List<string>(); // printed after the last epoch's line, which they follow in time
        for (int epoch = startEpoch; epoch < stop; epoch++)
        {
            bool evaluate = (epoch + 1) % s.EvalEvery == 0 || epoch + 1 == s.Epochs;
            var record = trainer.RunEpoch(epoch, loader, evaluate ? validation ?? test : null);
            monitor.RequireHealthy(record); // a blown-up or collapsed epoch ends the run before anything is written
            done = record.Epoch + 1;
            var metrics = RunLog.Metrics(record, validation is null ? "test" : "val");
            bool improved = monitor.Observe(record, metrics);
            stoppedEarly = monitor.PatienceExhausted;
            bool final = epoch + 1 == s.Epochs || stoppedEarly;
            log.Append(record);
            if (validation is not null && s.FinalTest && final)
            {
                // The test part is read once, after the last epoch, when settings are chosen on a validation split.
                var tested = trainer.Evaluate(test);
                RunLog.WriteTest(Path.Combine(s.CheckpointDirectory, RunLog.TestFile), tested);
                foreach (var (key, value) in RunLog.EvaluationMetrics(tested, "test")) metrics[key] = value;
                finalTests.Add(RunLog.DescribeTest(tested));
            }
            metrics[DataSources.DataMetric] = DataSources.RecordedName(s.Data);
            if (s.Data == "synthetic-clicks")
            {
                metrics[DataSources.ImpressionsMetric] = s.Impressions.ToString(CultureInfo.InvariantCulture);
                metrics[DataSources.DataSeedMetric] = s.DataSeed.ToString(CultureInfo.InvariantCulture);
            }
            clickLog?.AddTo(metrics, record.Epoch + 1);
            monitor.AddTo(metrics);
            // best before last: a kill between the two leaves last at the previous epoch, whose rerun rewrites best
            if (improved)
                Checkpoint.Save(bestPath, pair, architecture, record.Epoch + 1, metrics,
                    inputShape: data.Train.SampleShape, preprocessing: preprocessing);
            else if (validation is not null && s.FinalTest && final && monitor.BestEpoch > 0)
                finalTests.Add(TestBest(bestPath, monitor.BestEpoch, trainer, test));
            // The optimiser's own arrays (no copy of 1.7 GB of moments), written before the next step.
            var extra = optimizer.ViewState().ToDictionary(kv => Checkpoint.OptimizerPrefix + kv.Key,
                kv => NamedArray.Vector(kv.Value));
            Checkpoint.Save(checkpointPath, pair, architecture, record.Epoch + 1, metrics, extra,
                data.Train.SampleShape, preprocessing);
            progress.Epoch(RunLog.Describe(record, s.Epochs, validation is null ? "test" : "val"));
            foreach (string line in finalTests) output.WriteLine(line);
            if (stoppedEarly) break;
        }
        if (stoppedEarly)
            output.WriteLine(
                $"early stop after epoch {done} of {s.Epochs}: no better " +
                $"{monitor.SelectedBy} in {s.EarlyStop} evaluated epochs; {monitor.DescribeBest()}: {bestPath}");
        else if (monitor.BestEpoch > 0) output.WriteLine($"{monitor.DescribeBest()}: {bestPath}");
        if (stop < s.Epochs && !monitor.PatienceExhausted)
            output.WriteLine($"stopped after epoch {stop} of {s.Epochs} (--stop-after); continue with --resume");
        log.WriteCurve(Path.Combine(s.CheckpointDirectory, "curve.svg"), $"{s.Data}: {architecture}, {label}",
            validation is null ? "test" : "validation");
        output.WriteLine(
            $"done: checkpoint {checkpointPath}, log {logPath}, curve " +
            $"{Path.Combine(s.CheckpointDirectory, "curve.svg")}");
        return 0;
    }

    // The final test of best.safetensors when the last epoch is not the best: its test metrics join its own
    // metadata (export carries them on), beside test.csv's, which are the last epoch's.
    // Returns the line to print.
    private static string TestBest(string bestPath, int bestEpoch, RocketTrainer trainer, IEvaluationSource test)
    {
        var best = File.Exists(bestPath) ? Checkpoint.Load(bestPath) : null;
        if (best?.Epoch != bestEpoch)
        {
            // removed by hand, or left by another run in this folder: there is no best net of this run to test
            return $"note: {bestPath} does not hold this run's best epoch {bestEpoch}; its test is skipped";
        }
        var pair = CheckpointNets.LoadPair(best);
        var result = trainer.Evaluate(test, pair);
        var metrics = best.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in RunLog.EvaluationMetrics(result, "test")) metrics[key] = value;
        Checkpoint.Save(bestPath, pair, best.Architecture, best.Epoch, metrics, inputShape: best.InputShape,
            preprocessing: best.Preprocessing);
        return RunLog.DescribeTest(result, $"of best.safetensors, epoch {best.Epoch}, what export ships");
    }

    // A click log's sample shape [fields] and its two classes, without rows: what the model is built for.
    private static Dataset ShapeOf(ClickLogData clickLog) =>
        new("click log", [], [], [clickLog.Test.FieldCount], 2, ["no click", "click"]);
}
