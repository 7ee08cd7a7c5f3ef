using RocketNet.Layers;
using RocketNet.Shapes;

namespace RocketNet.Serving;

/// <summary>What loading a state dict by name did.</summary>
/// <param name="Loaded">Module tensors (parameters and buffers) given values from the file.</param>
/// <param name="Missing">Module tensors the file does not have (they keep their values).</param>
/// <param name="Unexpected">File tensors the module does not have.</param>
/// <param name="Skipped">Integer tensors of the file that were not read (e.g. PyTorch's
/// <c>num_batches_tracked</c>).</param>
public sealed record StateDictReport(IReadOnlyList<string> Loaded, IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> Skipped)
{
    /// <summary>One line: counts and the names that did not match.</summary>
    public override string ToString() =>
        $"{Loaded.Count} tensors loaded; missing [{string.Join(", ", Missing)}]; unexpected " +
        $"[{string.Join(", ", Unexpected)}]; " +
        $"skipped integer tensors [{string.Join(", ", Skipped)}]";
}

/// <summary>
/// Loads a plain safetensors file (a PyTorch <c>state_dict</c> saved with <c>safetensors.torch.save_file</c>, or any
/// file of named tensors) into a module by name, like PyTorch's <c>load_state_dict</c>: strict by default (every
/// module tensor present, no file tensor left over), shapes always checked. No RocketNet metadata is needed.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Reads <paramref name="path"/> and loads it into <paramref name="module"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">A shape differs, or (with <paramref name="strict"/>) a name is missing or
    /// unexpected;
    /// the message lists every such name and the file. Nothing is loaded then.</exception>
    public static StateDictReport Load(Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var content = SafeTensorsReader.Load(path);
        return Load(module, content.Tensors, content.SkippedTensors, path, strict);
    }

    /// <summary>
    /// Loads named arrays into <paramref name="module"/>; <paramref name="source"/> names them in errors.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="Load(Module, string, bool)"/>.</exception>
    public static StateDictReport Load(Module module, IReadOnlyDictionary<string, NamedArray> tensors,
        IReadOnlyList<string> skipped, string source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);
        var own = module.StateDict();
        var (missing, unexpected, misShaped) = Match(own, tensors, "file");
        if (misShaped.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
            throw new ArgumentException(
                $"'{source}' does not fit {module.GetType().Name}{(strict ? " (strict)" : "")}: missing " +
                $"[{string.Join(", ", missing)}], " +
                $"unexpected [{string.Join(", ", unexpected)}], shape mismatches [{string.Join("; ", misShaped)}]" +
                (skipped.Count > 0 ? $"; integer tensors skipped [{string.Join(", ", skipped)}]." : "."),
                    nameof(tensors));
        var loaded = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!tensors.TryGetValue(name, out var array)) continue;
            array.Values.CopyTo(target.Data);
            loaded.Add(name);
        }
        return new StateDictReport(loaded, missing, unexpected, skipped);
    }

    /// <summary>
    /// The module tensors the file lacks, the file tensors the module lacks (both sorted) and every name whose
    /// shapes differ, as "name: <paramref name="fileLabel"/> [..] vs module [..]".
    /// </summary>
    internal static (List<string> Missing, List<string> Unexpected, List<string> MisShaped) Match(
        IReadOnlyDictionary<string, Tensor> own, IReadOnlyDictionary<string, NamedArray> tensors, string fileLabel)
    {
        var missing = own.Keys.Where(k => !tensors.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = tensors.Keys.Where(k => !own.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var misShaped = own.Where(p => tensors.TryGetValue(p.Key, out var a)
            && !a.Shape.AsSpan().SequenceEqual(p.Value.Shape))
            .Select(p =>
                $"{p.Key}: {fileLabel} {ShapeMath.Format(tensors[p.Key].Shape)} vs module " +
                $"{ShapeMath.Format(p.Value.Shape)}").ToList();
        return (missing, unexpected, misShaped);
    }
}
