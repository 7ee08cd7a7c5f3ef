using System.Collections.Concurrent;
using RocketNet.Kernels;

namespace RocketNet.Layers;

/// <summary>
/// A network of fully connected layers and activations, optionally behind a multi-field embedding (the paper's
/// CTR light net: ids → embeddings → tower; an MLP light net) compiled for serving: its eval-mode forward pass
/// as a list of span-level steps over ping-pong buffers sized once for the largest batch. No tensors, graph,
/// scope or allocation per call, and the same kernels as <see cref="Module.Forward"/>, so the same bits.
/// <para>
/// A snapshot: the plan copies the weights when it is created (each Linear weight packed once into the
/// layout the GEMM reads, <see cref="PackedLinearWeight"/>), like an inference session in other runtimes.
/// Later changes to the module (training, loading a checkpoint into it) are not seen; create a new plan.
/// </para>
/// <para>
/// Thread-safe: any number of threads may call <see cref="Run"/> at once. Each call borrows a workspace
/// (the buffers) from a pool that grows to the number of concurrent callers; the weights are shared.
/// </para>
/// <para>
/// A batch of at least 2 × <see cref="MinRowsPerBlock"/> samples on several threads
/// (<see cref="Parallelism.ThreadCount"/>) is cut into one block of rows per thread, each run through every
/// step on its own thread: a thread then reads only the activations it wrote itself, where splitting each
/// layer's GEMM over the threads moves every activation between the cores' caches once per layer. Only where
/// <see cref="DenseInferenceKernels.RowBlocksMatch"/> holds for every layer, so each sample still gets the bits
/// of the whole batch at once. A call of fewer than <see cref="Parallelism.MinParallelWork"/> multiply-adds runs
/// entirely on the caller's thread (<see cref="Parallelism.InlineBelow"/>).
/// </para>
/// </summary>
public sealed unsafe class DenseInferencePlan : IInferencePlan
{
    /// <summary>Fewest samples per block when a batch is split over the threads.</summary>
    public const int MinRowsPerBlock = 32;

    private readonly Step[] _steps;
    private readonly int _maxWidth;
    private readonly long _workPerSample; // multiply-adds of one sample's pass
    private readonly ConcurrentBag<Workspace> _idle = [];

    private DenseInferencePlan(Step[] steps, int inputSize, int outputSize, int maxWidth, int maxBatchSize)
    {
        _steps = steps;
        (InputSize, OutputSize, MaxBatchSize) = (inputSize, outputSize, maxBatchSize);
        _maxWidth = maxWidth;
        int width = inputSize;
        foreach (var step in steps)
        {
            if (step.Linear is not null) _workPerSample += (long)width * step.OutFeatures;
            width = step.OutFeatures;
        }
        _idle.Add(new Workspace(this));
    }

    /// <summary>Values per input sample.</summary>
    public int InputSize { get; }

    /// <summary>Values per output sample.</summary>
    public int OutputSize { get; }

    /// <summary>Largest batch one <see cref="Run"/> accepts.</summary>
    public int MaxBatchSize { get; }

    /// <summary>
    /// Compiles <paramref name="module"/> for inputs of <paramref name="inputSize"/> values, or returns null when
    /// some part of it has no span-level description (convolutions, batch norm, embeddings, custom modules)
    /// or its widths do not chain from <paramref name="inputSize"/>; the caller then uses <see cref="Module.Forward"/>.
    /// The plan computes the eval-mode forward pass (dropout off) whatever mode the module is in.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static DenseInferencePlan? TryCreate(Module module, int inputSize, int maxBatchSize)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        var builder = new Builder(inputSize);
        if (!module.TryAddInferenceSteps(builder) || !builder.Valid) return null;
        return new DenseInferencePlan([.. builder.Steps], inputSize, builder.Width, builder.MaxWidth, maxBatchSize);
    }

    /// <summary>
    /// Writes the outputs [batch, OutputSize] of <paramref name="batch"/> samples [batch, InputSize] given back to
    /// back.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is out of range or a span's length does not match it.</exception>
    public void Run(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        InferencePlanArguments.Check(this, input.Length, output.Length, batch);

        var workspace = _idle.TryTake(out var idle) ? idle : new Workspace(this);
        // A small call runs on the caller's thread: a hand-off would cost more than the split saves.
        using var inline = Parallelism.InlineBelow(batch * _workPerSample);
        try
        {
            int blocks = RowBlocks(batch);
            if (blocks == 1)
            {
                RunRows(workspace, input, output, 0, batch);
                return;
            }
            // The caller blocks until every block is done, so the pins hold for the workers.
            fixed (float* inputStart = input, outputStart = output)
            {
                workspace.RowBlocks.Set(inputStart, outputStart, batch, blocks);
                try
                {
                    Parallelism.For(blocks, workspace.RowBlocks);
                }
                finally
                {
                    workspace.RowBlocks.Set(null, null, 0, 0);
                }
            }
        }
        finally
        {
            _idle.Add(workspace);
        }
    }

    /// <summary>
    /// Blocks of rows to cut <paramref name="batch"/> into: one per thread, or 1 where splitting would not pay or would
    /// change bits.
    /// </summary>
    private int RowBlocks(int batch)
    {
        int blocks = Math.Min(Parallelism.ThreadCount, batch / MinRowsPerBlock);
        if (blocks < 2) return 1;
        int width = InputSize;
        foreach (var step in _steps)
        {
            if (step.Linear is not null && !DenseInferenceKernels.RowBlocksMatch(batch, batch / blocks,
                width, step.OutFeatures))
                return 1;
            width = step.OutFeatures;
        }
        return blocks;
    }

    /// <summary>
    /// Samples [first, first + rows) of the batch through every step: <paramref name="input"/> and
    /// <paramref name="output"/> hold just those samples; the workspace's rows [first, first + rows) are theirs alone.
    /// </summary>
    private void RunRows(Workspace workspace, ReadOnlySpan<float> input, Span<float> output, int first, int rows)
    {
        float[] ping = workspace.Ping, pong = workspace.Pong;
        // The current activations: the caller's input until the first step writes a buffer.
        ReadOnlySpan<float> current = input;
        bool inBuffer = false, inPing = false;
        int width = InputSize, region = first * _maxWidth;
        foreach (var step in _steps)
        {
            if (step.Embedding is { } embedding)
            {
                // ids [rows, F] → the F embedding rows of each sample side by side [rows, F·D].
                var target = (inPing ? pong : ping).AsSpan(region, rows * step.OutFeatures);
                ReadOnlySpan<float> table = step.Table;
                int fields = embedding.FieldCount, dimension = embedding.Dimension;
                for (int sample = 0, i = 0; sample < rows; sample++)
                    for (int field = 0; field < fields; field++, i++)
                        table.Slice(embedding.LookupRow(first + sample, field, current[i]) * dimension, dimension)
                            .CopyTo(target.Slice(i * dimension, dimension));
                current = target;
                (inBuffer, inPing, width) = (true, !inPing, step.OutFeatures);
                continue;
            }
            if (step.Linear is { } weight)
            {
                var target = (inPing ? pong : ping).AsSpan(region, rows * step.OutFeatures);
                DenseInferenceKernels.Linear(current, weight, step.Bias, target, rows);
                current = target;
                (inBuffer, inPing, width) = (true, !inPing, step.OutFeatures);
                continue;
            }
            if (!inBuffer)
            {
                // An activation before any linear layer: the caller's input is read-only.
                var copy = ping.AsSpan(region, rows * width);
                input.CopyTo(copy);
                current = copy;
                (inBuffer, inPing) = (true, true);
            }
            DenseInferenceKernels.Activate(step.Activation, (inPing ? ping : pong).AsSpan(region, rows * width));
        }
        current.CopyTo(output);
    }

    /// <summary>
    /// One caller's buffers: two ping-pong activations [MaxBatchSize, widest layer] and its row-block job.
    /// </summary>
    private sealed class Workspace
    {
        public Workspace(DenseInferencePlan plan)
        {
            Ping = new float[plan._maxWidth * plan.MaxBatchSize];
            Pong = new float[plan._maxWidth * plan.MaxBatchSize];
            RowBlocks = new RowBlockJob(plan, this);
        }

        public float[] Ping { get; }

        public float[] Pong { get; }

        public RowBlockJob RowBlocks { get; }
    }

    /// <summary>
    /// One block of rows per index; block b holds samples [b·batch / blocks, (b + 1)·batch / blocks).
    /// </summary>
    private sealed class RowBlockJob(DenseInferencePlan plan, Workspace workspace) : ParallelJob
    {
        private float* _input, _output;
        private int _batch, _blocks;

        public void Set(float* input, float* output, int batch, int blocks)
        {
            _input = input;
            _output = output;
            (_batch, _blocks) = (batch, blocks);
        }

        public override void Run(int index)
        {
            int first = (int)((long)index * _batch / _blocks), end = (int)((long)(index + 1) * _batch / _blocks);
            int rows = end - first;
            plan.RunRows(workspace, new ReadOnlySpan<float>(_input + (long)first * plan.InputSize,
                rows * plan.InputSize),
                new Span<float>(_output + (long)first * plan.OutputSize, rows * plan.OutputSize), first, rows);
        }
    }

    /// <summary>
    /// One step: an embedding lookup (Embedding set, its table copied), a linear layer (Linear set, its weight
    /// packed and its bias copied, empty for none) or an in-place activation.
    /// </summary>
    internal readonly record struct Step(PackedLinearWeight? Linear, float[] Bias, int OutFeatures,
        DenseActivation Activation,
        MultiFieldEmbedding? Embedding = null, float[]? Table = null);

    /// <summary>
    /// Collects the steps while modules describe themselves (<see cref="Module.TryAddInferenceSteps"/>) and checks
    /// that each linear layer's input width is the width so far.
    /// </summary>
    public sealed class Builder
    {
        internal Builder(int inputSize) => Width = MaxWidth = inputSize;

        internal List<Step> Steps { get; } = [];

        internal bool Valid { get; private set; } = true;

        internal int MaxWidth { get; private set; }

        /// <summary>Values per sample after the steps added so far.</summary>
        public int Width { get; private set; }

        /// <summary>
        /// Adds y = x·Wᵀ + b with copies of W and b (packed once); false (and the plan is abandoned) if W's input width
        /// is not <see cref="Width"/>.
        /// </summary>
        /// <param name="weight">[out, in].</param>
        /// <param name="bias">[out], or null.</param>
        public bool AddLinear(Tensor weight, Tensor? bias)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (weight.Rank != 2 || weight.Size(1) != Width
                || (bias is not null && (bias.Rank != 1 || bias.Size(0) != weight.Size(0))))
                return Valid = false;
            Width = weight.Size(0);
            MaxWidth = Math.Max(MaxWidth, Width);
            Steps.Add(new Step(new PackedLinearWeight(weight.Data, Width, weight.Size(1)), bias?.Data.ToArray()
                ?? [], Width, default));
            return true;
        }

        /// <summary>
        /// Adds the lookup of one id per field (width F → F·D) in a copy of the table; false (plan abandoned) unless
        /// the width so far is the
        /// field count. Invalid ids throw from <see cref="Run"/> with the sample and field named, as Forward does.
        /// </summary>
        public bool AddEmbedding(MultiFieldEmbedding embedding)
        {
            ArgumentNullException.ThrowIfNull(embedding);
            if (Width != embedding.FieldCount) return Valid = false;
            Width = embedding.OutputWidth;
            MaxWidth = Math.Max(MaxWidth, Width);
            Steps.Add(new Step(null, [], Width, default, embedding, embedding.Weight.Data.ToArray()));
            return true;
        }

        /// <summary>Adds an elementwise activation (width unchanged).</summary>
        public bool AddActivation(DenseActivation activation)
        {
            if (!Enum.IsDefined(activation)) throw new ArgumentOutOfRangeException(nameof(activation), activation,
                "Unknown activation.");
            Steps.Add(new Step(null, [], Width, activation));
            return true;
        }
    }
}
