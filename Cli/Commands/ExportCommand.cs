using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Serving.Onnx;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet export --checkpoint F|DIR [--which best|last] --out G [--format safetensors|onnx]</c>: writes the
/// light net of a pair checkpoint (in a run folder, <c>best.safetensors</c> when the run kept one) as a standalone
/// model file (booster-only parameters dropped) that <see cref="Predictor"/> loads with
/// <c>ArchitectureRegistry.BuildLight</c>, or as an ONNX model for other runtimes (<see cref="OnnxExporter"/>).
/// </summary>
public static class ExportCommand
{
    /// <summary>Exports and prints what was written.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        string given = options.StringOrNull("checkpoint")
            ?? throw new UsageException("export needs --checkpoint <file or run folder>");
        string outPath = options.StringOrNull("out") ?? throw new UsageException("export needs --out <file>");
        string format = options.Choice("format", "safetensors", "safetensors", "onnx");
        string? which = options.StringOrNull("which") is null ? null : options.Choice("which", "best", "best", "last");
        options.RejectUnknown("export");
        string path = Choose(given, which, output);
        OutputPath.CheckNotSource(outPath, path, "--checkpoint");

        var checkpoint = Checkpoint.Load(path);
        output.WriteLine($"from {path}: epoch {checkpoint.Epoch}" + Selection(checkpoint));
        // An exported light net converts to ONNX too; a pair gives up its booster-only parameters.
        bool exported = CheckpointNets.IsLightNet(checkpoint);
        var pair = exported ? null : CheckpointNets.LoadPair(checkpoint);
        var light = pair?.ExtractLight() ?? CheckpointNets.LoadLightNet(checkpoint);
        if (format == "onnx")
        {
            var shape = checkpoint.InputShape
                ?? throw new InvalidDataException($"Checkpoint '{path}' records no input shape; ONNX needs one.");
            light.Eval();
            OnnxExporter.Save(outPath, light, shape);
            output.WriteLine(
                $"exported the light net ({light.ParameterCount():N0} parameters) as ONNX (opset " +
                $"{OnnxExporter.Opset}; input " +
                $"'{OnnxExporter.InputName}' [batch, {string.Join(", ", shape)}], output " +
                $"'{OnnxExporter.OutputName}') to {outPath}" +
                             (checkpoint.Preprocessing is null
                                 ? "" : "; the ONNX model takes encoded inputs: the saved preprocessing stays " +
                                 "in the safetensors export"));
            return 0;
        }
        var metrics = checkpoint.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value);
        metrics[Checkpoint.RoleMetric] = Checkpoint.LightRole;
        Checkpoint.Save(outPath, light, checkpoint.Architecture, checkpoint.Epoch, metrics,
            inputShape: checkpoint.InputShape,
            preprocessing: checkpoint.Preprocessing);
        output.WriteLine(
            $"exported the light net ({light.ParameterCount():N0} parameters" +
            (pair is null ? ", already a light net" : $" of the pair's {pair.ParameterCount():N0}") +
            $") to {outPath}");
        return 0;
    }

    // A file is taken as it is; in a run folder, best.safetensors unless --which last or the run kept none.
    private static string Choose(string given, string? which, TextWriter output)
    {
        if (File.Exists(given))
        {
            if (which is not null)
                throw new UsageException(
                    $"--which {which} chooses a file inside a run folder, but --checkpoint '{given}' is a file");
            return given;
        }
        if (!Directory.Exists(given))
            throw new FileNotFoundException($"Checkpoint '{given}' not found (expected a checkpoint file or a run " +
                "folder holding best.safetensors or last.safetensors).", given);
        string best = Path.Combine(given, TrainCommand.BestCheckpointFile),
            last = Path.Combine(given, TrainCommand.CheckpointFile);
        if (which != "last" && File.Exists(best)) return best;
        if (which == "best")
            throw new FileNotFoundException(
                $"Run folder '{given}' holds no {TrainCommand.BestCheckpointFile} (it is written only by runs " +
                "with --validation); use --which last.", best);
        if (!File.Exists(last))
            throw new FileNotFoundException(
                $"Run folder '{given}' holds neither {TrainCommand.BestCheckpointFile} nor " +
                $"{TrainCommand.CheckpointFile}; expected the --checkpoint-dir of a train run.", last);
        if (which is null)
            output.WriteLine($"note: '{given}' has no {TrainCommand.BestCheckpointFile} (the run had no " +
                "--validation): exporting the last epoch");
        return last;
    }

    // ", the best by val_light_accuracy 0.9512" for a best.safetensors, nothing otherwise.
    private static string Selection(Checkpoint checkpoint) =>
        checkpoint.Metrics.TryGetValue(RunMonitor.SelectedByMetric, out string? metric)
        && checkpoint.Metrics.TryGetValue(RunMonitor.BestEpochMetric, out string? bestEpoch)
        && bestEpoch == checkpoint.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)
        && checkpoint.Metrics.TryGetValue(metric, out string? value)
            ? $", the best epoch by {metric} {value}" : "";
}
