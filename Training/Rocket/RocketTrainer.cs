using System.Diagnostics;
using RocketNet.Layers;
using RocketNet.Memory;
using RocketNet.Training.Losses;
using RocketNet.Training.Metrics;
using RocketNet.Training.Optim;
using RocketNet.Training.Schedules;

namespace RocketNet.Training.Rocket;

/// <summary>
/// Trains a <see cref="RocketPair"/> with one of the paper's methods. Each step runs in its own
/// <see cref="TensorScope"/>: forward, loss, backward, optimiser step; the learning rate is set from the
/// schedule before every step (at epoch + batch/batches), and the optimiser state is reset at the epochs
/// where the schedule asks for it. Deterministic for a deterministic pair and batch source.
/// </summary>
public sealed class RocketTrainer
{
    private readonly Tensor[] _pairParameters;

    /// <summary>Creates a trainer; build <paramref name="optimizer"/> over <see cref="TrainableParameters"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The optimiser holds a parameter the method must not train, a teacher is missing or superfluous, or
    /// the teacher is part of the pair.
    /// </exception>
    public RocketTrainer(RocketPair pair, Optimizer optimizer, LearningRateSchedule schedule, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(pair);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        options.Loss.Validate();
        if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs,
            "Epochs must be non-negative.");
        if (options.EvaluationBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.EvaluationBatchSize,
                "Evaluation batch size must be positive.");
        bool needsTeacher = options.Method.NeedsTeacher();
        if (needsTeacher && options.Teacher is null)
            throw new ArgumentException($"Method {options.Method} needs a pre-trained, frozen Teacher in the options.",
                nameof(options));
        if (!needsTeacher && options.Teacher is not null)
            throw new ArgumentException(
                $"Method {options.Method} uses no teacher, but one was given.", nameof(options));
        if (options.Method == TrainingMethod.AttentionTransfer
            && (pair.Light is not IFeatureMapNetwork || options.Teacher is not IFeatureMapNetwork))
            throw new ArgumentException(
                "Attention transfer needs a light net and a teacher that expose feature maps " +
                $"({nameof(IFeatureMapNetwork)}, e.g. Wide ResNets); got {pair.Light.GetType().Name} and " +
                $"{options.Teacher?.GetType().Name}.", nameof(options));
        if (!options.Method.IsJoint()
            && (options.Loss.SharedGradient != SharedGradient.Both || options.Loss.FeatureHint != FeatureHintKind.None))
            throw new ArgumentException(
                "Shared-gradient and feature-hint settings apply to joint training (Rocket, " +
                $"RocketKd), not {options.Method}.", nameof(options));
        _pairParameters = pair.Parameters().ToArray();
        if (options.Teacher is { } teacher)
        {
            var own = new HashSet<Tensor>(_pairParameters, ReferenceEqualityComparer.Instance);
            if (teacher.Parameters().Any(own.Contains))
                throw new ArgumentException(
                    "The teacher shares parameters with the pair being trained, so it would not stay frozen; give a " +
                    "separately trained network.", nameof(options));
        }
        var allowed = new HashSet<Tensor>(TrainableParameters(pair, options.Method),
            ReferenceEqualityComparer.Instance);
        for (int i = 0; i < optimizer.Parameters.Count; i++)
        {
            if (!allowed.Contains(optimizer.Parameters[i]))
                throw new ArgumentException(
                    $"Optimizer parameter {i} ({optimizer.Parameters[i]}) is not trained by method {options.Method}; " +
                    "build the optimiser over RocketTrainer.TrainableParameters(pair, method).",
                    nameof(optimizer));
        }
        (Pair, Optimizer, Schedule, Options) = (pair, optimizer, schedule, options);
    }

    /// <summary>The pair being trained.</summary>
    public RocketPair Pair { get; }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning-rate schedule.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>The run's settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>
    /// The parameters a method optimises: the light net's (shared included) for Base, Kd, NoJoint and
    /// AttentionTransfer, the
    /// booster's (shared included) for Booster, and all of the pair's for Rocket and RocketKd.
    /// </summary>
    public static IReadOnlyList<Tensor> TrainableParameters(RocketPair pair, TrainingMethod method)
    {
        if (!Enum.IsDefined(method)) throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown method.");
        if (method.IsJoint()) return pair.Parameters().ToList();
        return method.TrainsBooster() ? pair.Booster.Parameters().ToList() : pair.Light.Parameters().ToList();
    }

    /// <summary>
    /// Runs epochs <paramref name="startEpoch"/> … <see cref="TrainerOptions.Epochs"/> − 1, calling
    /// <paramref name="onEpoch"/> after each (e.g. to log CSV or save a checkpoint).
    /// </summary>
    public IReadOnlyList<EpochRecord> Fit(IBatchSource train, IEvaluationSource? validation = null,
        Action<EpochRecord>? onEpoch = null, int startEpoch = 0)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (startEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startEpoch), startEpoch,
            "Start epoch must be non-negative.");
        var records = new List<EpochRecord>();
        for (int epoch = startEpoch; epoch < Options.Epochs; epoch++)
        {
            var record = RunEpoch(epoch, train, validation);
            records.Add(record);
            onEpoch?.Invoke(record);
        }
        return records;
    }

    /// <summary>Trains one epoch and, if <paramref name="validation"/> is given, evaluates on it.</summary>
    /// <exception cref="InvalidOperationException">The batch source yields no batch.</exception>
    /// <exception cref="TrainingDivergedException">A loss term or a parameter became NaN or infinite.</exception>
    public EpochRecord RunEpoch(int epoch, IBatchSource train, IEvaluationSource? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var clock = Stopwatch.StartNew();
        if (Schedule.ResetsMomentumAt(epoch)) Optimizer.ResetState();
        Pair.Train();
        Options.Teacher?.Eval();
        int batchesPerEpoch = Math.Max(1, train.BatchesPerEpoch);
        double firstRate = Schedule.LearningRate(epoch);
        var totals = new LossValues();
        long samples = 0, lightCorrect = 0, boosterCorrect = 0;
        int batchIndex = 0;
        var collapsed = CollapsedNets.None;
        using (var batches = train.Batches(epoch).GetEnumerator())
        {
            while (true)
            {
                using var scope = TensorScope.Begin();
                if (!batches.MoveNext()) break;
                var (input, labels) = batches.Current;
                Optimizer.LearningRate =
                    Schedule.LearningRate(epoch + (double)Math.Min(batchIndex, batchesPerEpoch - 1) / batchesPerEpoch);
                var step = Step(input, labels);
                RequireFinite(step.Loss, epoch, batchIndex + 1, batchesPerEpoch);
                totals += step.Loss * labels.Length;
                lightCorrect += step.LightCorrect;
                boosterCorrect += step.BoosterCorrect;
                collapsed = step.Collapsed; // the last batch's verdict: a net that collapsed stays collapsed
                samples += labels.Length;
                batchIndex++;
                Options.OnBatch?.Invoke(new BatchProgress(epoch, batchIndex, batchesPerEpoch, totals.Total / samples,
                    (double)(Options.Method.TrainsLight() ? lightCorrect : boosterCorrect) / samples,
                        samples));
            }
        }
        if (samples == 0) throw new InvalidOperationException($"The batch source yielded no batch for epoch {epoch}.");
        RequireFiniteParameters(epoch);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        bool trainsLight = Options.Method.TrainsLight(), runsBooster = Options.Method.TrainsBooster();
        PairEvaluation? evaluation = null;
        if (validation is not null)
        {
            // Training and evaluation rent different shapes (batch sizes, no saved activations): release one
            // phase's buffers before the other starts, so the process never holds both.
            BufferPool.Release(collect: true);
            evaluation = Evaluate(validation);
            BufferPool.Release(collect: true);
        }
        return new EpochRecord(epoch, firstRate, totals * (1.0 / samples),
            trainsLight ? (double)lightCorrect / samples : double.NaN,
            runsBooster ? (double)boosterCorrect / samples : double.NaN,
            evaluation, clock.Elapsed.TotalSeconds, trainSeconds, collapsed);
    }

    // A non-finite loss term stops training at once: the step's update already ran, so nothing of this epoch
    // may be saved; the caller's last checkpoint stays the last good state.
    private static void RequireFinite(LossValues loss, int epoch, int batch, int batches)
    {
        foreach (var (name, value) in new[] { ("total", loss.Total),
            ("booster cross-entropy", loss.BoosterCrossEntropy),
                     ("light cross-entropy", loss.LightCrossEntropy), ("hint", loss.Hint),
                         ("distillation", loss.Distillation) })
        {
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(
                    $"Training diverged at epoch {epoch + 1}, step {batch} of {batches}: the {name} loss is {value}. " +
                    "Nothing of this epoch was saved; lower the learning rate (or the hint weight λ) " +
                    "and start again or resume.");
        }
    }

    // Checked once per epoch (a pass over every parameter), before the caller saves a checkpoint: a step can
    // leave a non-finite weight behind even when its own loss was finite.
    private void RequireFiniteParameters(int epoch)
    {
        foreach (var (name, parameter) in Pair.NamedParameters())
        {
            foreach (float v in parameter.Data)
            {
                if (!float.IsFinite(v))
                    throw new TrainingDivergedException(
                        $"Training diverged in epoch {epoch + 1}: parameter '{name}' holds {v}. Nothing of this " +
                        "epoch was saved; lower the learning rate (or λ).");
            }
        }
    }

    /// <summary>Evaluates, on <paramref name="data"/>, the nets this trainer's method trains (the light net unless
    /// it is Booster, the booster for Booster, Rocket and RocketKd).</summary>
    public PairEvaluation Evaluate(IEvaluationSource data) => Evaluate(data, Pair);

    /// <summary>Evaluates, on <paramref name="data"/>, the nets of <paramref name="pair"/> this trainer's method
    /// trains, as <see cref="Evaluate(IEvaluationSource)"/> does for its own pair (e.g. a saved earlier state of
    /// it).</summary>
    public PairEvaluation Evaluate(IEvaluationSource data, RocketPair pair) =>
        Evaluator.Evaluate(pair, data, Options.EvaluationBatchSize,
            light: Options.Method.TrainsLight(), booster: Options.Method.TrainsBooster());

    /// <summary>One step's loss values and correct-prediction counts.</summary>
    private readonly record struct StepResult(LossValues Loss, int LightCorrect, int BoosterCorrect,
        CollapsedNets Collapsed);

    /// <summary>Forward, loss, backward and update for one batch (inside the caller's scope).</summary>
    private StepResult Step(Tensor input, int[] labels)
    {
        foreach (var p in _pairParameters) p.ZeroGrad();
        Tensor? booster = null, light = null;
        LossTerms terms;
        switch (Options.Method)
        {
            case TrainingMethod.Base:
                light = Pair.Light.Forward(input);
                terms = RocketLosses.CrossEntropyOnly(light, labels, isBooster: false);
                break;
            case TrainingMethod.Booster:
                booster = Pair.Booster.Forward(input);
                terms = RocketLosses.CrossEntropyOnly(booster, labels, isBooster: true);
                break;
            case TrainingMethod.Rocket:
            case TrainingMethod.RocketKd:
                var loss = Options.Loss;
                var outputs = Pair.ForwardPair(input, new PairForwardOptions(
                    LightDetachesShared: loss.SharedGradient == SharedGradient.Booster,
                    CollectHiddenFeatures: loss.FeatureHint != FeatureHintKind.None));
                (booster, light) = (outputs.BoosterLogits, outputs.LightLogits);
                terms = Options.Method == TrainingMethod.Rocket
                    ? RocketLosses.Rocket(booster, light, labels, loss)
                    : RocketLosses.RocketKd(booster, light, TeacherLogits(input), labels, loss);
                if (loss.FeatureHint != FeatureHintKind.None)
                    terms = terms.WithFeatureHint(FeatureHint.Loss(loss.FeatureHint, outputs.LightHidden,
                        outputs.BoosterHidden) * loss.FeatureLambda);
                break;
            case TrainingMethod.Kd:
                light = Pair.Light.Forward(input);
                terms = RocketLosses.HintonKd(light, TeacherLogits(input), labels, Options.Loss);
                break;
            case TrainingMethod.NoJoint:
                light = Pair.Light.Forward(input);
                terms = RocketLosses.FrozenBoosterHint(light, TeacherLogits(input), labels, Options.Loss);
                break;
            case TrainingMethod.AttentionTransfer:
                IReadOnlyList<Tensor> lightMaps, teacherMaps;
                (light, lightMaps) = ((IFeatureMapNetwork)Pair.Light).ForwardWithFeatureMaps(input);
                using (GradMode.NoGrad())
                    teacherMaps = ((IFeatureMapNetwork)Options.Teacher!).ForwardWithFeatureMaps(input).FeatureMaps;
                terms = RocketLosses.AttentionTransferLoss(light, lightMaps, teacherMaps, labels, Options.Loss);
                break;
            default:
                throw new InvalidOperationException($"Unknown method {Options.Method}.");
        }
        var values = terms.Values();
        int lightCorrect = light is null ? 0 : ClassificationMetrics.CountCorrect(light.Data, light.Size(1), labels);
        int boosterCorrect = booster is null ? 0 : ClassificationMetrics.CountCorrect(booster.Data,
            booster.Size(1), labels);
        // A batch whose samples are all the same (a last batch of two duplicate table rows) says nothing.
        bool varied = !IsConstantAcrossBatch(input);
        var collapsed = (varied && light is not null && IsConstantAcrossBatch(light)
                            ? CollapsedNets.Light : CollapsedNets.None)
                        | (varied && booster is not null && IsConstantAcrossBatch(booster)
                            ? CollapsedNets.Booster : CollapsedNets.None);
        terms.Total.Backward();
        Optimizer.Step();
        return new StepResult(values, lightCorrect, boosterCorrect, collapsed);
    }

    // logits: [N, K] (or inputs: [N, ...]). True when every sample equals the first (exactly: a collapsed ReLU net
    // computes the same bias-only sums for every sample). A batch of one sample says nothing.
    private static bool IsConstantAcrossBatch(Tensor logits)
    {
        int n = logits.Size(0), k = logits.Data.Length / Math.Max(1, n);
        if (n < 2) return false;
        ReadOnlySpan<float> data = logits.Data, first = data[..k];
        for (int row = 1; row < n; row++)
        {
            if (!data.Slice(row * k, k).SequenceEqual(first)) return false;
        }
        return true;
    }

    private Tensor TeacherLogits(Tensor input)
    {
        using var noGrad = GradMode.NoGrad();
        return Options.Teacher!.Forward(input);
    }
}
