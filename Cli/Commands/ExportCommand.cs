using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Serving.Onnx;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet export --checkpoint F --out G [--format safetensors|onnx]</c>: writes the light net of a pair
/// checkpoint as a standalone model file (booster-only parameters dropped) that <see cref="Predictor"/> loads with
/// <c>ArchitectureRegistry.BuildLight</c>, or as an ONNX model for other runtimes (<see cref="OnnxExporter"/>).
/// </summary>
public static class ExportCommand
{
    /// <summary>Exports and prints what was written.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        string path = options.StringOrNull("checkpoint")
            ?? throw new UsageException("export needs --checkpoint <file>");
        string outPath = options.StringOrNull("out") ?? throw new UsageException("export needs --out <file>");
        string format = options.Choice("format", "safetensors", "safetensors", "onnx");
        options.RejectUnknown("export");
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' not found.", path);
        OutputPath.CheckNotSource(outPath, path, "--checkpoint");

        var checkpoint = Checkpoint.Load(path);
        var pair = CheckpointNets.LoadPair(checkpoint);
        var light = pair.ExtractLight();
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
            $"exported the light net ({light.ParameterCount():N0} parameters of the pair's " +
            $"{pair.ParameterCount():N0}) to {outPath}");
        return 0;
    }
}
