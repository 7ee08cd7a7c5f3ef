using System.Collections.Concurrent;
using RocketNet.Layers;
using RocketNet.Shapes;
using RocketNet.Serving.Images;
using RocketNet.Serving.Tables;

namespace RocketNet.Serving;

/// <summary>
/// Serves a trained (light) network: puts the module in evaluation mode and predicts single samples or
/// batches. Networks of linear layers and activations, optionally behind a multi-field embedding (CTR light
/// nets fed category ids, MLPs), run through a <see cref="DenseInferencePlan"/>: span-level kernels over
/// buffers made once, no graph, no allocation per call, same results as <see cref="Module.Forward"/>. Wide
/// ResNets (the convolutional light nets) fed [C, H, W] samples run through a <see cref="ConvInferencePlan"/>:
/// batch norms folded into the convolutions, equal to <see cref="Module.Forward"/> within
/// <see cref="ConvInferencePlan.RelativeBound"/>, no allocation per call. Other networks run
/// <see cref="Module.Forward"/> under <see cref="GradMode.NoGrad"/> and a <see cref="TensorScope"/>
/// with cached input tensors.
/// <para>
/// A serving model is a snapshot: a predictor with a plan serves the weights the module had when the
/// predictor was made (copied, and packed once into the layout the kernels read); later changes to the module
/// are not seen until <see cref="Refresh"/> or a new predictor. Other networks run the module itself, so
/// their weights must not change while calls are in flight (evaluation during training uses the module directly).
/// </para>
/// Thread-safe: one predictor may serve any number of threads at once; each call borrows its own scratch (a
/// plan's buffers or input tensors) from a pool that grows to the number of concurrent callers, and every call
/// gets exactly the result of a single-threaded call.
/// </summary>
public sealed partial class Predictor
{
    private readonly int[] _inputShape;
    // The compiled snapshot (thread-safe by itself), or null for networks served through the graph; swapped
    // whole by Refresh, so a call in flight finishes on the snapshot it started with.
    private volatile IInferencePlan? _plan;
    // Graph path: cached input tensors, one session per concurrent caller: a call rents one, uses it alone and
    // gives it back, so any number of threads can share the predictor; the module's weights are shared.
    private readonly ConcurrentBag<Session> _sessions = [];

    /// <summary>
    /// Wraps <paramref name="module"/> (switched to eval mode) for inputs of one-sample shape
    /// <paramref name="inputShape"/>.
    /// </summary>
    /// <param name="module">The network; its <see cref="Module.Forward"/> maps [B, ...inputShape] to logits [B,
    /// K].</param>
    /// <param name="inputShape">Shape of one sample, e.g. [3, 32, 32].</param>
    /// <param name="maxBatchSize">Largest batch run at once by the batch methods (larger inputs are processed in
    /// chunks).</param>
    /// <exception cref="ArgumentException">The shape is empty or not positive, or the module's output for a test input
    /// is not [1, K].</exception>
    /// <exception cref="InvalidOperationException">Called inside a <see cref="TensorScope"/> (the cached input would be
    /// recycled by it).</exception>
    public Predictor(Module module, int[] inputShape, int maxBatchSize = 256)
    {
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"Input shape {ShapeMath.Format(inputShape)} must have positive dimensions.",
                nameof(inputShape));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        Module = module;
        module.Eval();
        _inputShape = (int[])inputShape.Clone();
        SampleSize = ShapeMath.ElementCount(inputShape);
        MaxBatchSize = maxBatchSize;
        // One forward pass on zeros finds the number of outputs K and checks the module accepts the shape.
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
        {
            var output = module.Forward(CreateInput(1));
            if (output.Rank != 2 || output.Size(0) != 1)
                throw new ArgumentException(
                    $"{module.GetType().Name} maps a [1, {string.Join(", ", inputShape)}] input to " +
                    $"{ShapeMath.Format(output.Shape)}; expected logits [1, K].", nameof(module));
            OutputSize = output.Size(1);
        }
        _plan = CompilePlan();
        if (_plan is null) _sessions.Add(CreateSession());
    }

    /// <summary>True when predictions run through a <see cref="DenseInferencePlan"/> rather than the graph.</summary>
    public bool UsesDensePlan => _plan is DenseInferencePlan;

    /// <summary>
    /// True when predictions run through a <see cref="ConvInferencePlan"/> (a Wide ResNet with its batch norms folded,
    /// equal to the graph's results within <see cref="ConvInferencePlan.RelativeBound"/>) rather than the graph.
    /// </summary>
    public bool UsesConvolutionPlan => _plan is ConvInferencePlan;

    /// <summary>
    /// Takes a new snapshot of the module's weights for the dense or convolution plan (after training on, or loading
    /// weights into, the module). Calls already running finish on the old snapshot; calls starting after this returns
    /// see the new one. Networks served through the graph read the module directly and need no refresh.
    /// </summary>
    /// <exception cref="InvalidOperationException">The module was switched back to training mode.</exception>
    public void Refresh()
    {
        if (_plan is null) return;
        ThrowIfTraining();
        _plan = CompilePlan() ?? throw new InvalidOperationException(
            $"{Module.GetType().Name} no longer compiles to an inference plan for " +
            $"{ShapeMath.Format(_inputShape)}; create a new predictor.");
    }

    private IInferencePlan? CompilePlan()
    {
        // Dense plans take [N, in] inputs only: Linear's own contract (a plan would silently flatten other shapes).
        IInferencePlan? plan = _inputShape.Length == 1
            ? DenseInferencePlan.TryCreate(Module, SampleSize, MaxBatchSize)
            : ConvInferencePlan.TryCreate(Module, _inputShape, MaxBatchSize);
        return plan is not null && plan.OutputSize == OutputSize ? plan : null;
    }

    /// <summary>One graph-path caller's scratch: its own input tensors.</summary>
    private sealed class Session
    {
        public required Tensor Single;
        public readonly Dictionary<int, Tensor> BatchInputs = [];
    }

    private Session CreateSession() => new() { Single = CreateInput(1) };

    /// <summary>
    /// Builds the module with <paramref name="moduleFactory"/> from the checkpoint's architecture description,
    /// loads its state and wraps it. The input shape comes from the checkpoint unless given.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint file is invalid.</exception>
    /// <exception cref="ArgumentException">No input shape is known, or the state does not fit the module
    /// built.</exception>
    public static Predictor FromCheckpoint(string path, Func<string, Module> moduleFactory, int[]? inputShape = null,
        int maxBatchSize = 256)
    {
        var checkpoint = Checkpoint.Load(path);
        var shape = inputShape ?? checkpoint.InputShape
            ?? throw new ArgumentException($"Checkpoint '{path}' records no input_shape; pass the sample shape.",
                nameof(inputShape));
        var module = moduleFactory(checkpoint.Architecture);
        checkpoint.LoadInto(module);
        var (table, image) = SavedPreprocessing(checkpoint);
        var clickLog = SavedClickLog(checkpoint);
        int values = ShapeMath.ElementCount(shape);
        int? made = table?.RowWidth ?? image?.SampleSize ?? clickLog?.RowWidth;
        if ((made ?? values) != values)
            throw new InvalidDataException(
                $"Checkpoint '{path}': its preprocessing makes inputs of {made} values, but the model takes " +
                $"{ShapeMath.Format(shape)}.");
        return new Predictor(module, shape, maxBatchSize)
        {
            Checkpoint = checkpoint,
            Table = table,
            Image = image,
            ClickLog = clickLog,
        };
    }

    /// <summary>
    /// Serves the light net of <paramref name="architecture"/> (an <see cref="ArchitectureRegistry"/> description such
    /// as
    /// <c>"wrn-interval 40-1/16-1 classes=10 in=3"</c>) with the weights of a plain safetensors file — a PyTorch
    /// <c>state_dict</c> under RocketNet's names, no RocketNet metadata needed. <see cref="LoadReport"/> says what
    /// matched.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">The architecture is invalid, or the file does not fit it (see
    /// <see cref="StateDictLoader"/>).</exception>
    public static Predictor FromSafeTensors(string path, string architecture, int[] inputShape, bool strict = true,
        int maxBatchSize = 256) =>
        FromSafeTensors(path, ArchitectureRegistry.BuildLight(architecture, new RandomGenerator(0)), inputShape,
            strict, maxBatchSize);

    /// <summary>
    /// As the other overload, for a module built by the caller (e.g. a pair's booster, or a custom net).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    /// <exception cref="ArgumentException">The file does not fit the module (see
    /// <see cref="StateDictLoader"/>).</exception>
    public static Predictor FromSafeTensors(string path, Module module, int[] inputShape, bool strict = true,
        int maxBatchSize = 256)
    {
        var report = StateDictLoader.Load(module, path, strict);
        return new Predictor(module, inputShape, maxBatchSize) { LoadReport = report };
    }

    /// <summary>
    /// What <see cref="FromSafeTensors(string, Module, int[], bool, int)"/> loaded, or null for other predictors.
    /// </summary>
    public StateDictReport? LoadReport { get; private init; }

    /// <summary>
    /// The table or image preprocessing saved in <paramref name="checkpoint"/> (both null when it has none or has a
    /// click log's, see <see cref="SavedClickLog"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">The saved preprocessing is of an unknown kind or malformed; the message
    /// names the file.</exception>
    public static (TablePreprocessor? Table, ImagePreprocessor? Image) SavedPreprocessing(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Preprocessing is not { } json) return (null, null);
        return PreprocessingKinds.Of(json) switch
        {
            PreprocessingKinds.Table => (TablePreprocessor.FromJson(json, checkpoint.Path), null),
            PreprocessingKinds.Image => (null, ImagePreprocessor.FromJson(json, checkpoint.Path)),
            PreprocessingKinds.ClickLog => (null, null),
            var kind => throw new InvalidDataException(
                $"Checkpoint '{checkpoint.Path}': its preprocessing is of an unknown kind '{kind}' (expected " +
                $"'{PreprocessingKinds.Table}', '{PreprocessingKinds.Image}' or '{PreprocessingKinds.ClickLog}')."),
        };
    }

    /// <summary>Turns logits into probabilities in place (max-subtracted for stability).</summary>
    public static void Softmax(Span<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += logits[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(logits[i] / sum);
    }

    /// <summary>The wrapped module (in eval mode).</summary>
    public Module Module { get; }

    /// <summary>The checkpoint it was loaded from, if any.</summary>
    public Checkpoint? Checkpoint { get; private init; }

    /// <summary>Shape of one sample.</summary>
    public ReadOnlySpan<int> InputShape => _inputShape;

    /// <summary>Values per sample.</summary>
    public int SampleSize { get; }

    /// <summary>Logits per sample K.</summary>
    public int OutputSize { get; }

    /// <summary>Largest batch run in one forward pass.</summary>
    public int MaxBatchSize { get; }

    /// <summary>Writes the K logits of one sample to <paramref name="logitsOut"/>.</summary>
    /// <exception cref="ArgumentException">The sample does not have <see cref="SampleSize"/> values or the output span
    /// is not K long.</exception>
    public void Predict(ReadOnlySpan<float> sample, Span<float> logitsOut)
    {
        if (sample.Length != SampleSize)
            throw new ArgumentException(
                $"A sample of shape {ShapeMath.Format(_inputShape)} has {SampleSize} values, got {sample.Length}.",
                nameof(sample));
        if (logitsOut.Length != OutputSize)
            throw new ArgumentException(
                $"The model outputs {OutputSize} logits, the output span holds {logitsOut.Length}.", nameof(logitsOut));
        Run(1, sample, logitsOut);
    }

    /// <summary>The arg-max class of one sample.</summary>
    public int PredictClass(ReadOnlySpan<float> sample)
    {
        Span<float> logits = OutputSize <= 1024 ? stackalloc float[OutputSize] : new float[OutputSize];
        Predict(sample, logits);
        return ArgMax(logits);
    }

    /// <summary>Logits [n, K] of n samples given back to back ([n, ...inputShape] flattened).</summary>
    /// <exception cref="ArgumentException">The input is not a whole number of samples, or the output span is not n·K
    /// long.</exception>
    public void PredictBatch(ReadOnlySpan<float> samples, Span<float> logitsOut)
    {
        int count = CountSamples(samples);
        if (logitsOut.Length != count * OutputSize)
            throw new ArgumentException(
                $"{count} samples need {count * OutputSize} logits, the output span holds {logitsOut.Length}.",
                nameof(logitsOut));
        for (int start = 0; start < count; start += MaxBatchSize)
        {
            int n = Math.Min(MaxBatchSize, count - start);
            Run(n, samples.Slice(start * SampleSize, n * SampleSize),
                logitsOut.Slice(start * OutputSize, n * OutputSize));
        }
    }

    /// <summary>The arg-max class of each of n samples given back to back.</summary>
    /// <exception cref="ArgumentException">The input is not a whole number of samples, or <paramref name="classesOut"/>
    /// is not n long.</exception>
    public void PredictClasses(ReadOnlySpan<float> samples, Span<int> classesOut)
    {
        int count = CountSamples(samples);
        if (classesOut.Length != count)
            throw new ArgumentException($"{count} samples need {count} class slots, got {classesOut.Length}.",
                nameof(classesOut));
        var logits = new float[Math.Min(count, MaxBatchSize) * OutputSize];
        for (int start = 0; start < count; start += MaxBatchSize)
        {
            int n = Math.Min(MaxBatchSize, count - start);
            var chunk = logits.AsSpan(0, n * OutputSize);
            Run(n, samples.Slice(start * SampleSize, n * SampleSize), chunk);
            for (int i = 0; i < n; i++) classesOut[start + i] = ArgMax(chunk.Slice(i * OutputSize, OutputSize));
        }
    }

    private void ThrowIfTraining()
    {
        if (Module.IsTraining)
            throw new InvalidOperationException(
                $"{Module.GetType().Name} was switched back to training mode after the predictor was built; call " +
                "Eval() on it before predicting.");
    }

    private void Run(int batch, ReadOnlySpan<float> values, Span<float> logitsOut)
    {
        if (_clickLog?.RareIds is { } rareIds)
        {
            RunMapped(batch, values, logitsOut, rareIds);
            return;
        }
        RunEncoded(batch, values, logitsOut);
    }

    // Runs rows that need no mapping: through the plan, or the graph with a borrowed session.
    private void RunEncoded(int batch, ReadOnlySpan<float> values, Span<float> logitsOut)
    {
        if (_plan is { } plan)
        {
            // A snapshot in eval mode whatever the module does now.
            plan.Run(values, logitsOut, batch);
            return;
        }
        ThrowIfTraining();
        var session = _sessions.TryTake(out var idle) ? idle : CreateSession();
        try
        {
            var input = BatchInput(session, batch);
            values.CopyTo(input.Data);
            using (GradMode.NoGrad())
            using (TensorScope.Begin())
            {
                var output = Module.Forward(input);
                if (output.Count != logitsOut.Length)
                    throw new InvalidOperationException(
                        $"{Module.GetType().Name} returned {ShapeMath.Format(output.Shape)} for a batch of " +
                        $"{input.Size(0)}; expected [{input.Size(0)}, {OutputSize}].");
                output.Data.CopyTo(logitsOut);
            }
        }
        finally
        {
            _sessions.Add(session);
        }
    }

    private Tensor BatchInput(Session session, int n)
    {
        if (n == 1) return session.Single;
        if (!session.BatchInputs.TryGetValue(n, out var input))
        {
            input = CreateInput(n);
            // Keep at most the full-chunk tensor and one tail size, so varied tail sizes do not accumulate.
            if (n != MaxBatchSize) foreach (int key in session.BatchInputs.Keys.Where(k => k != MaxBatchSize).ToList())
                session.BatchInputs.Remove(key);
            session.BatchInputs[n] = input;
        }
        return input;
    }

    private Tensor CreateInput(int batch)
    {
        // Cached across calls, so it must outlive any scope the caller is in.
        using var unscoped = TensorScope.Unscoped();
        return Tensor.Zeros([batch, .. _inputShape]);
    }

    private int CountSamples(ReadOnlySpan<float> samples)
    {
        if (samples.Length == 0 || samples.Length % SampleSize != 0)
            throw new ArgumentException(
                $"{samples.Length} values are not a positive whole number of samples of {SampleSize} values " +
                $"({ShapeMath.Format(_inputShape)}).", nameof(samples));
        return samples.Length / SampleSize;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
