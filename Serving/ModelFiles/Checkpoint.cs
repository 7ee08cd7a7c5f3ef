using System.Globalization;
using System.Text.Json;
using RocketNet.Layers;
using RocketNet.Shapes;

namespace RocketNet.Serving;

/// <summary>
/// A saved training state: a module's parameters and buffers (its <see cref="Module.StateDict"/>) under
/// their hierarchical names, extra named arrays (e.g. optimiser state under <see cref="OptimizerPrefix"/>)
/// for exact resume, and metadata — architecture description, epoch, metrics, input shape. Stored as a
/// safetensors file whose <c>__metadata__</c> holds <c>format</c>, <c>format_version</c>, <c>architecture</c>,
/// <c>epoch</c>, <c>input_shape</c>, <c>metric.&lt;name&gt;</c> and <c>extra_tensors</c> (a JSON list of the extra
/// names).
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Conventional name prefix for optimiser state arrays.</summary>
    public const string OptimizerPrefix = "optimizer.";

    /// <summary>Value of the <c>format</c> metadata key.</summary>
    public const string FormatName = "rocketnet-checkpoint";

    /// <summary>Value of the <c>format_version</c> metadata key written by this version.</summary>
    public const int FormatVersion = 1;

    private const string MetricPrefix = "metric.";

    /// <summary>
    /// Name of the metric that says what a file holds; <see cref="LightRole"/> marks an exported light net (no
    /// booster).
    /// </summary>
    public const string RoleMetric = "role";

    /// <summary>Value of <see cref="RoleMetric"/> for an exported light net.</summary>
    public const string LightRole = "light";

    internal Checkpoint(string path, string architecture, int epoch, int[]? inputShape,
        IReadOnlyDictionary<string, string> metrics,
        IReadOnlyDictionary<string, NamedArray> modelState, IReadOnlyDictionary<string, NamedArray> extra,
            IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        Architecture = architecture;
        Epoch = epoch;
        InputShape = inputShape;
        Metrics = metrics;
        ModelState = modelState;
        Extra = extra;
        Metadata = metadata;
    }

    /// <summary>The file it was loaded from.</summary>
    public string Path { get; }

    /// <summary>Architecture description given when saving (what a module factory turns back into a module).</summary>
    public string Architecture { get; }

    /// <summary>Epoch recorded when saving.</summary>
    public int Epoch { get; }

    /// <summary>Shape of one input sample, if recorded.</summary>
    public int[]? InputShape { get; }

    /// <summary>
    /// Metadata key of the preprocessing a model applies to raw records (see <see cref="Preprocessing"/>).
    /// </summary>
    public const string PreprocessingKey = "preprocessing";

    /// <summary>
    /// The preprocessing saved with the model (for a table model, a <see cref="Tables.TablePreprocessor"/> as
    /// JSON), or null when the model takes encoded inputs only.
    /// </summary>
    public string? Preprocessing => Metadata.TryGetValue(PreprocessingKey, out string? json) ? json : null;

    /// <summary>Metrics recorded when saving, as strings.</summary>
    public IReadOnlyDictionary<string, string> Metrics { get; }

    /// <summary>The module's parameters and buffers by name.</summary>
    public IReadOnlyDictionary<string, NamedArray> ModelState { get; }

    /// <summary>The extra arrays (e.g. optimiser state) by name.</summary>
    public IReadOnlyDictionary<string, NamedArray> Extra { get; }

    /// <summary>The raw metadata map.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Saves <paramref name="module"/>'s state atomically to <paramref name="path"/> (an interrupted save keeps the
    /// previous file).
    /// </summary>
    /// <param name="path">Target file (conventionally <c>.safetensors</c>).</param>
    /// <param name="module">The module whose parameters and buffers are saved.</param>
    /// <param name="architecture">Description from which the caller's factory can rebuild the module.</param>
    /// <param name="epoch">Epoch reached.</param>
    /// <param name="metrics">Metrics to record (e.g. "test_accuracy" → "0.9512").</param>
    /// <param name="extra">Extra arrays for exact resume; names must not clash with the module's.</param>
    /// <param name="inputShape">Shape of one input sample, recorded for <see cref="Predictor"/>.</param>
    /// <param name="preprocessing">What the model applies to raw records (see <see cref="Preprocessing"/>), or
    /// null.</param>
    /// <exception cref="ArgumentException">An extra name clashes with a module tensor.</exception>
    public static void Save(string path, Module module, string architecture, int epoch = 0,
        IReadOnlyDictionary<string, string>? metrics = null,
        IReadOnlyDictionary<string, NamedArray>? extra = null, int[]? inputShape = null,
            string? preprocessing = null) =>
        Save(path, module, architecture, epoch, metrics, extra, inputShape, wrap: null, preprocessing);

    internal static void Save(string path, Module module, string architecture, int epoch,
        IReadOnlyDictionary<string, string>? metrics,
        IReadOnlyDictionary<string, NamedArray>? extra, int[]? inputShape, Func<Stream, Stream>? wrap,
            string? preprocessing = null)
    {
        var tensors = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        // Views, not copies: the file is written before this returns, and a copy would hold the table twice.
        foreach (var (name, tensor) in module.StateDict()) tensors[name] = NamedArray.ViewOf(tensor);
        foreach (var (name, array) in extra ?? new Dictionary<string, NamedArray>())
            if (!tensors.TryAdd(name, array))
                throw new ArgumentException(
                    $"Extra array '{name}' has the same name as a module tensor.", nameof(extra));
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["architecture"] = architecture,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["extra_tensors"] = JsonSerializer.Serialize((extra?.Keys ?? []).Order(StringComparer.Ordinal).ToArray()),
        };
        if (inputShape is not null) metadata["input_shape"] = string.Join(",", inputShape);
        if (preprocessing is not null) metadata[PreprocessingKey] = preprocessing;
        foreach (var (key, value) in metrics ?? new Dictionary<string, string>()) metadata[MetricPrefix + key] = value;
        SafeTensorsWriter.Save(path, tensors, metadata, wrap);
    }

    /// <summary>Loads and validates a checkpoint.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file or lacks the checkpoint
    /// metadata; the message names the file and what is wrong.</exception>
    public static Checkpoint Load(string path)
    {
        var content = SafeTensorsReader.Load(path);
        var meta = content.Metadata;
        string Require(string key) => meta.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException(
                $"Checkpoint '{path}': metadata key '{key}' is missing (not a {FormatName} file?).");
        if (Require("format") != FormatName)
            throw new InvalidDataException(
                $"Checkpoint '{path}': metadata format is '{meta["format"]}', expected '{FormatName}'.");
        if (!int.TryParse(Require("format_version"), CultureInfo.InvariantCulture, out int version)
            || version > FormatVersion)
            throw new InvalidDataException(
                $"Checkpoint '{path}': format_version '{meta["format_version"]}' is not one this version " +
                $"reads (≤ {FormatVersion}).");
        if (!int.TryParse(Require("epoch"), CultureInfo.InvariantCulture, out int epoch) || epoch < 0)
            throw new InvalidDataException(
                $"Checkpoint '{path}': metadata epoch '{meta["epoch"]}' is not a non-negative integer.");
        string[] extraNames;
        try
        {
            extraNames = JsonSerializer.Deserialize<string[]>(Require("extra_tensors")) ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"Checkpoint '{path}': metadata extra_tensors is not a JSON list of names: {e.Message}");
        }
        int[]? inputShape = null;
        if (meta.TryGetValue("input_shape", out var shapeText))
        {
            var parts = shapeText.Length == 0 ? [] : shapeText.Split(',');
            inputShape = parts.Select(p => int.TryParse(p, CultureInfo.InvariantCulture, out int d) && d > 0 ? d
                : throw new InvalidDataException(
                    $"Checkpoint '{path}': metadata input_shape '{shapeText}' is not a list of positive " +
                    "integers.")).ToArray();
        }
        var extra = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        var model = new Dictionary<string, NamedArray>(StringComparer.Ordinal);
        foreach (string name in extraNames)
            extra[name] = content.Tensors.TryGetValue(name, out var array) ? array
                : throw new InvalidDataException(
                    $"Checkpoint '{path}': extra tensor '{name}' listed in the metadata is not in the file.");
        foreach (var (name, array) in content.Tensors)
            if (!extra.ContainsKey(name)) model[name] = array;
        var metrics = meta.Where(p => p.Key.StartsWith(MetricPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[MetricPrefix.Length..], p => p.Value, StringComparer.Ordinal);
        string architecture = Require("architecture");
        bool lightOnly = metrics.TryGetValue(RoleMetric, out string? role) && role == LightRole;
        RequireArchitectureFitsTheData(path, architecture, model.Values.Sum(a => (long)a.Values.Length), lightOnly);
        return new Checkpoint(path, architecture, epoch, inputShape, metrics, model, extra, meta);
    }

    // The metadata's architecture is checked against the values the file holds before anyone builds it: a
    // 10 KB file describing a 10⁷-wide layer would otherwise allocate that net first and fail only afterwards.
    // Kinds the registry does not know are left to the caller's own factory.
    private static void RequireArchitectureFitsTheData(string path, string architecture, long values, bool lightOnly)
    {
        PairSpec spec;
        try
        {
            spec = ArchitectureRegistry.Parse(architecture);
        }
        catch (ArgumentException)
        {
            return;
        }
        long needed = spec.MinimumLightParameters() + (lightOnly ? 0 : spec.MinimumBoosterOnlyParameters());
        if (needed > values)
            throw new InvalidDataException(
                $"Checkpoint '{path}': its architecture '{architecture}' needs at least {needed:N0} " +
                $"{(lightOnly ? "light-net" : "pair")} parameters, but the file holds {values:N0} values; the " +
                "metadata does not describe this file.");
    }

    /// <summary>
    /// Copies the saved state into <paramref name="module"/>. Every module tensor must be in the checkpoint
    /// with the same shape, and (with <paramref name="strict"/>) every checkpoint tensor must exist in the module.
    /// </summary>
    /// <exception cref="ArgumentException">Names or shapes do not match; the message lists every missing, unexpected
    /// and mis-shaped name and the file.</exception>
    public void LoadInto(Module module, bool strict = true)
    {
        var own = module.StateDict();
        var (missing, unexpected, misShaped) = StateDictLoader.Match(own, ModelState, "checkpoint");
        if (!strict) unexpected.Clear(); // non-strict: extra checkpoint tensors are fine; missing ones never are
        if (missing.Count > 0 || unexpected.Count > 0 || misShaped.Count > 0)
            throw new ArgumentException(
                $"Checkpoint '{Path}' (architecture '{Architecture}') does not fit {module.GetType().Name}: " +
                $"missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}], shape " +
                $"mismatches [{string.Join("; ", misShaped)}].",
                nameof(module));
        foreach (var (name, target) in own) ModelState[name].Values.CopyTo(target.Data);
    }
}
