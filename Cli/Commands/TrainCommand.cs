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
/// <c>--resume</c> continues exactly), a per-epoch CSV log (<c>log.csv</c>) and a learning curve
/// (<c>curve.svg</c>).
/// </summary>
public static class TrainCommand
{
    /// <summary>Checkpoint file name inside the run folder.</summary>
    public const string CheckpointFile = "last.safetensors";

    /// <summary>Parses the options, trains, reports.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        var s = TrainSettings.Parse(options);
        Parallelism.ThreadCount = s.Threads;
        Kernels.ConvolutionKernels.WinogradEnabled = s.Winograd;
        bool flatten = s.Architecture == "mlp" || s.Architecture.StartsWith("mlp ", StringComparison.Ordinal);
        var data = DataSources.Load(s.Data, s.DataPath, s.Limit, flatten, s.Augment,
            s.SyntheticClicks, s.Table, s.Images);
        foreach (string note in data.Notes ?? []) output.WriteLine($"note: {note}");
        data = data with { Train = DataSources.Take(data.Train, s.TrainLimit) };
        // The validation split comes from the training part with its own seed, so every run seed sees the same split.
        Dataset? validation = null;
        if (s.Validation > 0)
        {
            var (train, held) = data.Train.Split(s.Validation, (ulong)s.ValidationSeed);
            data = data with { Train = train };
            validation = held;
        }
        string architecture = ModelFactory.Describe(s, data);
        var teacher = s.Teacher is null ? null : ModelFactory.LoadTeacher(s.Teacher);

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
            output.WriteLine($"resuming from {checkpointPath} after epoch {startEpoch}");
        }
        else if (!s.Resume && File.Exists(checkpointPath))
        {
            throw new UsageException(
                $"'{s.CheckpointDirectory}' already holds a run; pass --resume to continue it or choose " +
                "another --checkpoint-dir");
        }

        output.WriteLine(
            $"rocketnet train: {s.Data} ({data.Train.Count} " +
            $"train{(validation is null ? "" : $" / {validation.Count} validation")} / {data.Test.Count} test), " +
            $"{architecture}, method {TrainSettings.MethodName(s.Method)}, " +
            $"{s.Epochs} epochs, batch {s.BatchSize}, {s.Optimizer} lr " +
            $"{s.LearningRate.ToString(CultureInfo.InvariantCulture)} ({s.Schedule}), seed " +
            $"{s.Seed}, {s.Threads} threads");
        if (data.Reference is not null) output.WriteLine(data.Reference);
        output.WriteLine(
            $"parameters: booster {pair.Booster.ParameterCount():N0}, light {pair.Light.ParameterCount():N0} " +
            $"(shared {pair.SharedParameters().Sum(p => (long)p.Count):N0}, light-only " +
            $"{pair.LightOnlyParameters().Sum(p => (long)p.Count):N0})");

        var progress = new ProgressReporter(output);
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
        var loader = new BatchLoader(data.Train, s.BatchSize, shuffle: true, seed: (ulong)s.Seed,
            augmentation: data.Augmentation);
        var log = new RunLog(logPath, resume ? startEpoch : 0);
        int stop = Math.Min(s.Epochs, s.StopAfter);
        // travels in every checkpoint, so a served model takes raw rows or image files
        string? preprocessing = data.PreprocessingJson;
        for (int epoch = startEpoch; epoch < stop; epoch++)
        {
            bool evaluate = (epoch + 1) % s.EvalEvery == 0 || epoch + 1 == s.Epochs;
            var record = trainer.RunEpoch(epoch, loader, evaluate ? validation ?? data.Test : null);
            log.Append(record);
            var metrics = RunLog.Metrics(record, validation is null ? "test" : "val");
            if (validation is not null && s.FinalTest && epoch + 1 == s.Epochs)
            {
                // The test part is read once, after the last epoch, when settings are chosen on a validation split.
                var test = trainer.Evaluate(data.Test);
                RunLog.WriteTest(Path.Combine(s.CheckpointDirectory, RunLog.TestFile), test);
                foreach (var (key, value) in RunLog.Metrics(record with { Validation = test }, "test"))
                    metrics[key] = value;
                output.WriteLine(RunLog.DescribeTest(test));
            }
            metrics[DataSources.DataMetric] = s.Data;
            if (s.Data == "synthetic-clicks")
            {
                metrics[DataSources.ImpressionsMetric] = s.Impressions.ToString(CultureInfo.InvariantCulture);
                metrics[DataSources.DataSeedMetric] = s.DataSeed.ToString(CultureInfo.InvariantCulture);
            }
            var extra = optimizer.GetState().ToDictionary(kv => Checkpoint.OptimizerPrefix + kv.Key,
                kv => NamedArray.Vector(kv.Value));
            Checkpoint.Save(checkpointPath, pair, architecture, record.Epoch + 1, metrics, extra,
                data.Train.SampleShape, preprocessing);
            progress.Epoch(RunLog.Describe(record, s.Epochs, validation is null ? "test" : "val"));
            if (record.Collapsed != CollapsedNets.None) output.WriteLine(RunLog.DescribeCollapse(record.Collapsed));
        }
        if (stop < s.Epochs)
            output.WriteLine($"stopped after epoch {stop} of {s.Epochs} (--stop-after); continue with --resume");
        log.WriteCurve(Path.Combine(s.CheckpointDirectory, "curve.svg"), $"{s.Data}: {architecture}, {label}");
        output.WriteLine(
            $"done: checkpoint {checkpointPath}, log {logPath}, curve " +
            $"{Path.Combine(s.CheckpointDirectory, "curve.svg")}");
        return 0;
    }
}
