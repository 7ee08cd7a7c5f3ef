using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Training.Optim;
using RocketNet.Training.Rocket;
using RocketNet.Training.Schedules;

namespace RocketNet.Cli.Commands;

/// <summary>
/// Turns <c>train</c> settings into an architecture description, a pair, an optimiser and a schedule.
/// </summary>
public static class ModelFactory
{
    /// <summary>
    /// The registry description for the settings and data (shortcuts mlp / wrn / ctr, or a full description).
    /// </summary>
    /// <exception cref="UsageException">The architecture does not fit the data.</exception>
    public static string Describe(TrainSettings s, LoadedData data)
    {
        int classes = data.Train.ClassCount;
        var shape = data.Train.SampleShape;
        if (data.Table is { } table)
        {
            if (s.Architecture is not ("mlp" or "table")
                && !s.Architecture.StartsWith("table-towers ", StringComparison.Ordinal))
                throw new UsageException(
                    $"--data {s.Data} is a table: use the default --arch (table towers) or a 'table-towers …' " +
                    $"description, not '{s.Architecture}'");
            return s.Architecture.StartsWith("table-towers ", StringComparison.Ordinal)
                ? s.Architecture : TableDescription(s, table);
        }
        switch (s.Architecture)
        {
            case "mlp":
                if (data.Vocabulary is not null)
                    throw new UsageException($"--data {s.Data} is categorical: use --arch ctr");
                return $"mlp in={data.Train.SampleSize} shared={s.Shared} booster={s.BoosterHidden} " +
                    $"light={s.LightHidden} classes={classes} booster-bn=1" +
                       // MLPs share their lower layers for interval and bottom alike
                       (s.Sharing == "none" ? " sharing=none" : "");
            case "wrn":
                if (shape.Length != 3)
                    throw new UsageException(
                        $"--arch wrn needs image data [C, H, W]; --data {s.Data} has samples of shape " +
                        $"[{string.Join(", ", shape)}]");
                return s.Sharing switch
                {
                    "bottom" => $"wrn-bottom {s.BoosterDepth}-{s.Widen} classes={classes} in={shape[0]}",
                    "none" => $"wrn-none {s.BoosterDepth}-{s.Widen}/{s.LightDepth}-{s.Widen} " +
                    $"classes={classes} in={shape[0]}",
                    _ => $"wrn-interval {s.BoosterDepth}-{s.Widen}/{s.LightDepth}-{s.Widen} " +
                        $"classes={classes} in={shape[0]}",
                };
            case "ctr":
                if (data.Vocabulary is null)
                    throw new UsageException(
                        $"--arch ctr needs categorical data (ticdata, criteo, avazu, synthetic-clicks), not {s.Data}");
                return $"ctr-towers vocab={string.Join("x", data.Vocabulary)} dim={s.EmbeddingDim} " +
                    $"booster={(s.BoosterHidden == "512" ? "720x360x240x180x90" : s.BoosterHidden)} " +
                    $"light={(s.LightHidden.Length == 0 ? "200x80" : s.LightHidden)} classes={classes} " +
                    $"std={s.EmbeddingStd.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" +
                       (s.BoosterBatchNorm ? "" : " booster-bn=0");
            default:
                if (!s.Architecture.Contains('='))
                    throw new UsageException(
                        "--arch must be mlp, wrn, ctr or a full description (e.g. 'mlp in=64 shared=8 booster=256 " +
                        $"light= classes=10'); got '{s.Architecture}'");
                return s.Architecture;
        }
    }

    /// <summary>
    /// The table towers for a fitted table: one embedding per categorical column (<c>--embedding-dim</c>), the
    /// numeric features beside them; booster 256×128 with batch norm and light 32 unless <c>--booster-hidden</c>
    /// and <c>--light-hidden</c> say otherwise.
    /// </summary>
    public static string TableDescription(TrainSettings s, Serving.Tables.TablePreprocessor table)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TableDescription(table, s.BoosterHidden == "512" ? "256x128" : s.BoosterHidden,
            s.LightHidden.Length == 0 ? "32" : s.LightHidden, s.EmbeddingDim, s.EmbeddingStd, s.BoosterBatchNorm);
    }

    /// <summary>Default <c>--embedding-std</c>: the initial standard deviation of embedding rows.</summary>
    public const float DefaultEmbeddingStd = 0.01f;

    /// <summary>
    /// The table towers for a fitted table with the given hidden layers (e.g. "256x128" and "32"; a light tower of
    /// "none" has no hidden layer: a linear model of the embedded and standardised columns, logistic regression for
    /// two classes), embedding width and initial standard deviation, and batch norm in the booster or not;
    /// <c>train</c> and <c>launch</c> share it.
    /// </summary>
    public static string TableDescription(Serving.Tables.TablePreprocessor table, string booster, string light,
        int dimension, float embeddingStd, bool boosterBatchNorm)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"table-towers vocab={string.Join("x", table.VocabularySizes)} numeric={table.NumericWidth} " +
            $"dim={dimension} booster={booster} light={(light == "none" ? "" : light)} " +
            $"classes={table.ClassNames.Length} " +
            $"std={embeddingStd.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}" +
               (boosterBatchNorm ? "" : " booster-bn=0");
    }

    /// <summary>The optimiser over the parameters <paramref name="method"/> trains.</summary>
    public static Optimizer CreateOptimizer(TrainSettings s, RocketPair pair, TrainingMethod method)
    {
        var parameters = RocketTrainer.TrainableParameters(pair, method);
        return s.Optimizer switch
        {
            "adam" => new Adam(parameters, s.LearningRate, weightDecay: s.WeightDecay),
            "adamw" => new AdamW(parameters, s.LearningRate, weightDecay: s.WeightDecay),
            "lazy-adam" => new LazyAdam(parameters, EmbeddingTables(pair).Where(t => parameters.Contains(t)),
            s.LearningRate, weightDecay: s.WeightDecay),
            _ => new Sgd(parameters, s.LearningRate, s.Momentum, weightDecay: s.WeightDecay),
        };
    }

    // Every embedding table in the pair, the row-sparse parameters of lazy-adam.
    private static IEnumerable<Tensor> EmbeddingTables(Module module)
    {
        if (module is MultiFieldEmbedding multi) yield return multi.Weight;
        if (module is Embedding single) yield return single.Weight;
        foreach (var (_, child) in module.NamedChildren())
            foreach (var table in EmbeddingTables(child)) yield return table;
    }

    /// <summary>Multi-step is the paper's ×0.2 at 60/120/160 of 200 epochs, compressed to the run's length.</summary>
    public static LearningRateSchedule CreateSchedule(TrainSettings s) => s.Schedule switch
    {
        "cosine" => new CosineSchedule(s.LearningRate, s.Epochs),
        "constant" => new ConstantSchedule(s.LearningRate),
        _ => MultiStepSchedule.PaperCifar(s.Epochs, s.LearningRate, resetMomentumAtDrops: s.Optimizer == "sgd"),
    };

    /// <summary>The booster of a pair checkpoint, as a frozen teacher.</summary>
    /// <exception cref="FileNotFoundException">The checkpoint does not exist.</exception>
    public static Module LoadTeacher(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Teacher checkpoint '{path}' not found.", path);
        var checkpoint = Checkpoint.Load(path);
        var teacher = CheckpointNets.LoadPair(checkpoint).Booster;
        teacher.Eval();
        return teacher;
    }
}
