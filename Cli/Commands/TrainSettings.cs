using RocketNet.Serving;
using System.Globalization;
using RocketNet.Training.Data;
using RocketNet.Serving.Images;
using RocketNet.Training.Data.Images;
using RocketNet.Serving.Tables;
using RocketNet.Training.Data.Tables;
using RocketNet.Training.Losses;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>Every option of <c>rocketnet train</c>, parsed and checked before any work starts.</summary>
public sealed record TrainSettings
{
    /// <summary>Dataset name (see <see cref="DataSources.Names"/>).</summary>
    public required string Data { get; init; }
    /// <summary>
    /// For an image folder as <see cref="Data"/>: image size and bad-image handling, if given; null otherwise.
    /// </summary>
    public ImageFolderOptions? Images { get; init; }
    /// <summary>For a table file as <see cref="Data"/>: target, column types and test part; null otherwise.</summary>
    public TableRequest? Table { get; init; }
    /// <summary>File or folder of the dataset, if it needs one.</summary>
    public string? DataPath { get; init; }
    /// <summary>
    /// For <c>--data criteo</c> or <c>avazu</c> with <c>--shuffle-buffer</c>: how to stream the click log; else null.
    /// </summary>
    public ClickLogRequest? ClickLog { get; init; }
    /// <summary>At most this many samples per part (quick runs).</summary>
    public int Limit { get; init; }
    /// <summary>
    /// At most this many training samples (the first ones; the test part stays whole unless <see cref="Limit"/> cuts
    /// it).
    /// </summary>
    public int TrainLimit { get; init; }
    /// <summary>Training impressions of <c>--data synthetic-clicks</c> (the test part is a quarter as many).</summary>
    public int Impressions { get; init; }
    /// <summary>Seed of <c>--data synthetic-clicks</c> (users, ads, impressions and clicks).</summary>
    public int DataSeed { get; init; }
    /// <summary>
    /// Size and seed of <c>--data synthetic-clicks</c>, from <see cref="Impressions"/> and <see cref="DataSeed"/>.
    /// </summary>
    public SyntheticClickLogOptions SyntheticClicks =>
        SyntheticClickLogOptions.ForImpressions(Impressions, (ulong)DataSeed);
    /// <summary>
    /// Fraction of the training part held out as a validation split (0: none; a user's own table holds out
    /// <see cref="OwnDataDefaults.Table"/>'s share unless told otherwise). With one, epochs are evaluated on it, the
    /// best one is kept as best.safetensors, and the test part is read once, after the last epoch.
    /// </summary>
    public double Validation { get; init; }
    /// <summary>
    /// With a validation split: evaluate the test part after the last epoch (off for model-selection pilots, which must
    /// not see it).
    /// </summary>
    public bool FinalTest { get; init; }
    /// <summary>Seed of the validation split (the same split for every run seed by default).</summary>
    public int ValidationSeed { get; init; }
    /// <summary>
    /// Evaluate (on the validation split, else the test part) after every this many epochs (and always after the last).
    /// </summary>
    public int EvalEvery { get; init; }
    /// <summary>"mlp", "wrn", "ctr", or a full architecture description.</summary>
    public required string Architecture { get; init; }
    /// <summary>WRN sharing scheme: interval, bottom or none.</summary>
    public required string Sharing { get; init; }
    /// <summary>WRN booster depth, light depth and widening factor.</summary>
    public int BoosterDepth { get; init; }
    /// <inheritdoc cref="BoosterDepth"/>
    public int LightDepth { get; init; }
    /// <inheritdoc cref="BoosterDepth"/>
    public int Widen { get; init; }
    /// <summary>MLP widths (shared trunk, booster head, light head) as 200x80 lists.</summary>
    public required string Shared { get; init; }
    /// <inheritdoc cref="Shared"/>
    public required string BoosterHidden { get; init; }
    /// <inheritdoc cref="Shared"/>
    public required string LightHidden { get; init; }
    /// <summary>Batch norm in the CTR booster tower (the paper's booster has it).</summary>
    public bool BoosterBatchNorm { get; init; }
    /// <summary>Standard deviation of the CTR embedding initialisation.</summary>
    public float EmbeddingStd { get; init; }
    /// <summary>Embedding width per field for CTR towers.</summary>
    public int EmbeddingDim { get; init; }
    /// <summary>Training method.</summary>
    public TrainingMethod Method { get; init; }
    /// <summary>Loss settings (hint kind, λ, gradient block, T, α).</summary>
    public required LossOptions Loss { get; init; }
    /// <summary>Checkpoint of a separately trained booster (for kd, rocket-kd, no-joint).</summary>
    public string? Teacher { get; init; }
    /// <summary>Optimisation.</summary>
    public int Epochs { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public int BatchSize { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public double LearningRate { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public required string Schedule { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public required string Optimizer { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public double Momentum { get; init; }
    /// <inheritdoc cref="Epochs"/>
    public double WeightDecay { get; init; }
    /// <summary>Augment images (random crop with reflect padding, horizontal flip).</summary>
    public bool Augment { get; init; }
    /// <summary>Seed of initialisation and batch order.</summary>
    public int Seed { get; init; }
    /// <summary>Engine threads.</summary>
    public int Threads { get; init; }
    /// <summary>Whether eligible 3×3 convolutions run as Winograd (<c>--winograd on|off</c>, default on).</summary>
    public bool Winograd { get; init; } = true;
    /// <summary>Folder for the checkpoint, CSV log and learning curve.</summary>
    public required string CheckpointDirectory { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="CheckpointDirectory"/>.</summary>
    public bool Resume { get; init; }
    /// <summary>
    /// End this invocation after this epoch (the schedule still spans <see cref="Epochs"/>); continue with
    /// <see cref="Resume"/>.
    /// </summary>
    public int StopAfter { get; init; }
    /// <summary>
    /// End the run after this many evaluated epochs without a better validation metric (0: never); needs
    /// <see cref="Validation"/>.
    /// </summary>
    public int EarlyStop { get; init; }
    /// <summary>
    /// Stop a run whose epoch loss exceeds this many times its lowest epoch loss (a finite blow-up), before saving.
    /// </summary>
    public double DivergenceFactor { get; init; } = DefaultDivergenceFactor;

    /// <summary>Default <c>--divergence-factor</c>: three orders of magnitude.</summary>
    public const double DefaultDivergenceFactor = 1000;

    /// <summary>
    /// Default <c>--impressions</c>: the full-size synthetic click log (2,000,000 train / 500,000 test).
    /// </summary>
    public const int DefaultImpressions = 2_000_000;

    /// <summary>Reads the options (rejecting unknown ones).</summary>
    /// <exception cref="UsageException">A bad value or an unknown option.</exception>
    public static TrainSettings Parse(CliOptions o)
    {
        var method = o.Choice("method", "rocket", "base", "booster", "kd", "rocket", "rocket-kd",
            "no-joint", "at") switch
        {
            "base" => TrainingMethod.Base,
            "booster" => TrainingMethod.Booster,
            "kd" => TrainingMethod.Kd,
            "rocket-kd" => TrainingMethod.RocketKd,
            "no-joint" => TrainingMethod.NoJoint,
            "at" => TrainingMethod.AttentionTransfer,
            _ => TrainingMethod.Rocket,
        };
        var hint = o.Choice("hint", "logit-mse", "logit-mse", "prob-mse", "kd") switch
        {
            "prob-mse" => HintKind.ProbabilityMse,
            "kd" => HintKind.Kd,
            _ => HintKind.LogitMse,
        };
        string data = DataSources.ParseData(o.String("data", "digits"));
        // A user's own table or image folder trains with the settings launch --data evaluates on it.
        var own = DataSources.IsTableFile(data) || DataSources.IsImageFolder(data)
            ? OwnDataDefaults.For(DataSources.IsImageFolder(data)) : null;
        var settings = new TrainSettings
        {
            Data = data,
            Table = TableRequestFrom(o),
            Images = ImageOptionsFrom(o),
            DataPath = o.StringOrNull("path"),
            ClickLog = ClickLogRequest.From(o, data),
            Limit = o.Int("limit", int.MaxValue, 1),
            TrainLimit = o.Int("train-limit", int.MaxValue, 1),
            EvalEvery = o.Int("eval-every", 1, 1),
            Validation = o.Double("validation", own?.Validation ?? 0, 0, 0.9),
            ValidationSeed = o.Int("validation-seed", 0, 0),
            FinalTest = o.Choice("final-test", "on", "on", "off") == "on",
            Impressions = o.Int("impressions", DefaultImpressions, 1),
            DataSeed = o.Int("data-seed", 1, 0),
            Architecture = o.String("arch", "mlp"),
            Sharing = o.Choice("sharing", "interval", "interval", "bottom", "none"),
            BoosterDepth = o.Int("booster-depth", 40, 10, 1000),
            LightDepth = o.Int("light-depth", 16, 10, 1000),
            Widen = o.Int("widen", 1, 1, 64),
            Shared = o.String("shared", "64"),
            BoosterHidden = o.String("booster-hidden", "512"),
            LightHidden = o.String("light-hidden", ""),
            EmbeddingDim = o.Int("embedding-dim", 8, 1, 1024),
            EmbeddingStd = (float)o.Double("embedding-std", 0.01, 1e-6, 10),
            BoosterBatchNorm = o.Choice("booster-bn", "on", "on", "off") == "on",
            Method = method,
            Loss = new LossOptions
            {
                Hint = hint,
                Lambda = (float)o.Double("lambda", 0.03, 0, 1000),
                GradientBlock = o.Choice("grad-block", "on", "on", "off") == "on",
                Temperature = (float)o.Double("temperature", 4, 1e-3, 1000),
                Alpha = (float)o.Double("alpha", 0.9, 0, 1),
                AttentionBeta = (float)o.Double("at-beta", 1e3, 0, 1e9),
                SharedGradient = o.Choice("shared-grad", "both", "both", "booster") == "booster"
                    ? SharedGradient.Booster : SharedGradient.Both,
                FeatureHint = o.Choice("feature-hint", "none", "none", "cosine", "l2") switch
                {
                    "cosine" => FeatureHintKind.Cosine,
                    "l2" => FeatureHintKind.L2,
                    _ => FeatureHintKind.None,
                },
                FeatureLambda = (float)o.Double("feature-lambda", 1, 0, 1e6),
            },
            Teacher = o.StringOrNull("teacher"),
            Epochs = o.Int("epochs", own?.Epochs ?? 10, 1, 100_000),
            BatchSize = o.Int("batch-size", own?.BatchSize ?? 128, 1, 65_536),
            LearningRate = o.Double("lr", own?.LearningRate ?? 0.1, 1e-8, 100),
            Schedule = o.Choice("schedule", own?.Schedule ?? "multistep", "multistep", "cosine", "constant"),
            Optimizer = o.Choice("optimizer", own?.Optimizer ?? "sgd", "sgd", "adam", "adamw", "lazy-adam"),
            Momentum = o.Double("momentum", 0.9, 0, 0.9999),
            WeightDecay = o.Double("weight-decay", own?.WeightDecay ?? 5e-4, 0, 1),
            Augment = o.Flag("augment"),
            Seed = o.Int("seed", 1, 0),
            Threads = o.Int("threads", Environment.ProcessorCount, 1, 256),
            Winograd = o.Choice("winograd", "on", "on", "off") == "on",
            CheckpointDirectory =
                o.String("checkpoint-dir",
                Path.Combine("runs", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture))),
            Resume = o.Flag("resume"),
            StopAfter = o.Int("stop-after", int.MaxValue, 1),
            EarlyStop = o.Int("early-stop", 0, 1, 1_000_000),
            DivergenceFactor = o.Double("divergence-factor", DefaultDivergenceFactor, 2, 1e300),
        };
        o.RejectUnknown("train");
        bool needsTeacher = method is TrainingMethod.Kd or TrainingMethod.RocketKd or TrainingMethod.NoJoint
            or TrainingMethod.AttentionTransfer;
        if (needsTeacher && settings.Teacher is null)
            throw new UsageException(
                $"--method {MethodName(method)} needs --teacher <checkpoint of a booster " +
                "trained with --method booster>");
        if (!needsTeacher && settings.Teacher is not null)
            throw new UsageException(
                $"--teacher is only used by kd, rocket-kd, no-joint and at, not {MethodName(method)}");
        if (settings.EarlyStop > 0 && settings.Validation == 0)
            throw new UsageException(
                $"--early-stop {settings.EarlyStop} needs --validation FRACTION: it watches the validation metric " +
                "epoch by epoch, and the test part may only be read once");
        bool joint = method is TrainingMethod.Rocket or TrainingMethod.RocketKd;
        if (!joint && settings.Loss.SharedGradient != SharedGradient.Both)
            throw new UsageException(
                $"--shared-grad booster applies to joint training (rocket, rocket-kd), not {MethodName(method)}");
        if (!joint && settings.Loss.FeatureHint != FeatureHintKind.None)
            throw new UsageException(
                $"--feature-hint applies to joint training (rocket, rocket-kd), not {MethodName(method)}");
        return settings;
    }

    /// <summary>
    /// The table options (<c>--target --categorical --numeric --ignore --test --test-fraction --min-category-count</c>;
    /// the split seed is <c>--data-seed</c>), or null when none is given.
    /// </summary>
    /// <exception cref="UsageException">Table options without <c>--target</c>.</exception>
    public static TableRequest? TableRequestFrom(CliOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string? target = o.StringOrNull("target");
        string[] Names(string key) =>
            (o.StringOrNull(key) ?? "").Split(',',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var categorical = Names("categorical");
        var numeric = Names("numeric");
        var ignore = Names("ignore");
        string? testFile = o.StringOrNull("test");
        double testFraction = o.Double("test-fraction", 0.2, 0.01, 0.9);
        int minimumCount = o.Int("min-category-count", 2, 1);
        if (target is null)
        {
            if (categorical.Length + numeric.Length + ignore.Length > 0 || testFile is not null)
                throw new UsageException(
                    "--categorical, --numeric, --ignore and --test describe a table: give its " +
                    "target column with --target");
            return null;
        }
        var overlap =
            categorical.Intersect(numeric).Concat(categorical.Concat(numeric).Intersect(ignore)).Distinct().ToArray();
        if (overlap.Length > 0)
            throw new UsageException(
                $"column(s) {string.Join(", ", overlap)} given to more than one of --categorical, --numeric, --ignore");
        if (testFile is not null && !File.Exists(testFile))
            throw new FileNotFoundException($"Test file '{testFile}' not found.", testFile);
        return new TableRequest(new TableOptions
        {
            Target = target,
            Categorical = categorical,
            Numeric = numeric,
            Ignore = ignore,
            TestFraction = testFraction,
            MinimumCategoryCount = minimumCount,
            SplitSeed = (ulong)o.Int("data-seed", 1, 0),
        }, testFile);
    }

    /// <summary>
    /// The image folder options (<c>--image-size --skip-bad-images</c>; split as for tables), or null when the data is
    /// not a folder.
    /// </summary>
    public static ImageFolderOptions? ImageOptionsFrom(CliOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        int? size = o.StringOrNull("image-size") is null ? null : o.Int("image-size", 32, 4, 1024);
        bool skip = o.Flag("skip-bad-images");
        string data = o.StringOrNull("data") ?? "";
        if (!DataSources.IsImageFolder(data))
        {
            if (size is not null || skip)
                throw new UsageException("--image-size and --skip-bad-images apply to an image folder given as --data");
            return null;
        }
        return new ImageFolderOptions
        {
            ImageSize = size,
            SkipBadImages = skip,
            TestFraction = o.Double("test-fraction", 0.2, 0.01, 0.9),
            SplitSeed = (ulong)o.Int("data-seed", 1, 0),
        };
    }

    /// <summary>The command-line name of a method.</summary>
    public static string MethodName(TrainingMethod method) => method switch
    {
        TrainingMethod.Base => "base",
        TrainingMethod.Booster => "booster",
        TrainingMethod.Kd => "kd",
        TrainingMethod.RocketKd => "rocket-kd",
        TrainingMethod.NoJoint => "no-joint",
        TrainingMethod.AttentionTransfer => "at",
        _ => "rocket",
    };
}
