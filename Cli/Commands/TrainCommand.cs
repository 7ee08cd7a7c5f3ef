using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Layers;
using RocketNet.Training.Checkpoints;
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
        bool flatten = s.Architecture == "mlp" || s.Architecture.StartsWith("mlp ", StringComparison.Ordinal);
        var data = DataSources.Load(s.Data, s.DataPath, s.Limit, flatten, s.Augment, s.SyntheticClicks);
        data = data with { Train = DataSources.Take(data.Train, s.TrainLimit) };
        string architecture = ModelFactory.Describe(s, data);
        var teacher = s.Teacher is null ? null : ModelFactory.LoadTeacher(s.Teacher);

        Directory.CreateDirectory(s.CheckpointDirectory);
        string checkpointPath = Path.Combine(s.CheckpointDirectory, CheckpointFile);
        string logPath = Path.Combine(s.CheckpointDirectory, "log.csv");
        var pair = ArchitectureRegistry.BuildPair(architecture, new RandomGenerator((ulong)s.Seed));
        var optimizer = ModelFactory.CreateOptimizer(s, pair, s.Method);
        int startEpoch = 0;
        if (s.Resume)
        {
            if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"--resume: no checkpoint at '{checkpointPath}'.", checkpointPath);
            var checkpoint = Checkpoint.Load(checkpointPath);
            if (checkpoint.Architecture != architecture)
                throw new UsageException($"--resume: the checkpoint is a '{checkpoint.Architecture}' but these options describe '{architecture}'");
            checkpoint.LoadInto(pair);
            optimizer.LoadState(checkpoint.Extra
                .Where(e => e.Key.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[Checkpoint.OptimizerPrefix.Length..], e => e.Value.Values));
            startEpoch = checkpoint.Epoch;
            output.WriteLine($"resuming from {checkpointPath} after epoch {startEpoch}");
        }
        else if (File.Exists(logPath))
        {
            throw new UsageException($"'{s.CheckpointDirectory}' already holds a run; pass --resume to continue it or choose another --checkpoint-dir");
        }

        output.WriteLine($"rocketnet train: {s.Data} ({data.Train.Count} train / {data.Test.Count} test), {architecture}, method {TrainSettings.MethodName(s.Method)}, " +
                         $"{s.Epochs} epochs, batch {s.BatchSize}, {s.Optimizer} lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)} ({s.Schedule}), seed {s.Seed}, {s.Threads} threads");
        if (data.Reference is not null) output.WriteLine(data.Reference);
        output.WriteLine($"parameters: booster {pair.Booster.ParameterCount():N0}, light {pair.Light.ParameterCount():N0} " +
                         $"(shared {pair.SharedParameters().Sum(p => (long)p.Count):N0}, light-only {pair.LightOnlyParameters().Sum(p => (long)p.Count):N0})");

        var progress = new ProgressReporter(output);
        string label = TrainSettings.MethodName(s.Method);
        var trainer = new RocketTrainer(pair, optimizer, ModelFactory.CreateSchedule(s), new TrainerOptions
        {
            Method = s.Method,
            Loss = s.Loss,
            Epochs = s.Epochs,
            Teacher = teacher,
            OnBatch = b => progress.Batch(label, b.Epoch + 1, s.Epochs, b.Batch, b.BatchesPerEpoch, b.Loss, b.Accuracy, b.Samples),
        });
        var loader = new BatchLoader(data.Train, s.BatchSize, shuffle: true, seed: (ulong)s.Seed, augmentation: data.Augmentation);
        var log = new RunLog(logPath, append: s.Resume);
        int stop = Math.Min(s.Epochs, s.StopAfter);
        for (int epoch = startEpoch; epoch < stop; epoch++)
        {
            bool evaluate = (epoch + 1) % s.EvalEvery == 0 || epoch + 1 == s.Epochs;
            var record = trainer.RunEpoch(epoch, loader, evaluate ? data.Test : null);
            log.Append(record);
            var metrics = RunLog.Metrics(record);
            metrics[DataSources.DataMetric] = s.Data;
            if (s.Data == "synthetic-clicks")
            {
                metrics[DataSources.ImpressionsMetric] = s.Impressions.ToString(CultureInfo.InvariantCulture);
                metrics[DataSources.DataSeedMetric] = s.DataSeed.ToString(CultureInfo.InvariantCulture);
            }
            var extra = optimizer.GetState().ToDictionary(kv => Checkpoint.OptimizerPrefix + kv.Key, kv => NamedArray.Vector(kv.Value));
            Checkpoint.Save(checkpointPath, pair, architecture, record.Epoch + 1, metrics, extra, data.Train.SampleShape);
            progress.Epoch(RunLog.Describe(record, s.Epochs));
        }
        if (stop < s.Epochs) output.WriteLine($"stopped after epoch {stop} of {s.Epochs} (--stop-after); continue with --resume");
        log.WriteCurve(Path.Combine(s.CheckpointDirectory, "curve.svg"), $"{s.Data}: {architecture}, {label}");
        output.WriteLine($"done: checkpoint {checkpointPath}, log {logPath}, curve {Path.Combine(s.CheckpointDirectory, "curve.svg")}");
        return 0;
    }
}
