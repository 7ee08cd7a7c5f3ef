using System.Collections.Concurrent;
using System.Numerics.Tensors;
using RocketNet.Kernels;

namespace RocketNet.Layers;

/// <summary>
/// A pre-activation <see cref="WideResNet"/> (the paper's convolutional light nets, e.g. WRN-16-1) compiled for
/// serving: its eval-mode forward pass as a fixed list of span-level steps over four buffers sized once for the
/// largest batch. No tensors, graph, scope or allocation per call.
/// <para>
/// At creation (a snapshot, like <see cref="DenseInferencePlan"/>) each batch norm becomes a per-channel
/// scale/shift. A block's bn1 follows conv0 directly, so it is folded into conv0's weights and bias
/// (conv0' = s1·conv0, bias t1) and its ReLU runs on conv0's output. bn0 reads the block input x, which the
/// identity shortcut also needs unnormalised, so it stays a separate one-pass max(x·s0 + t0, 0). Per block:
/// o1 = max(x·s0 + t0, 0) (A) → y = max(conv0'(o1), 0) (B) → [S = proj(o1)] → out = conv1(y) + (S or x), the
/// residual added in the convolution's epilogue. Each convolution runs on the kernel picked for its geometry at the
/// batch served (implicit GEMM, Winograd F(2×2, 3×3) or F(4×4, 3×3); <see cref="ConvStep.KernelFor"/>): the
/// dispatcher's choice for training-sized batches, a rule measured on serving batches below 16.
/// </para>
/// <para>
/// Folding changes rounding: results match <see cref="Module.Forward"/> to within <see cref="RelativeBound"/>
/// (tested), not bit for bit. A convolution of fewer than <see cref="Parallelism.MinParallelWork"/> multiply-adds
/// runs on the caller's thread (every batch-1 layer of WRN-16-1 on 32×32 images); results do not depend on the
/// thread count. A batch of more than <see cref="ImagesPerPass"/> images runs in passes of that many. Thread-safe like
/// <see cref="DenseInferencePlan"/>: each call borrows its own buffers.
/// </para>
/// </summary>
public sealed class ConvInferencePlan : IInferencePlan
{
    /// <summary>
    /// Largest difference from <see cref="Module.Forward"/>, relative to the largest logit magnitude (at least 1):
    /// |plan − forward| ≤ RelativeBound·max(1, max|forward|) per logit. The fold rounds each scale and shift once
    /// (≈ 6e-8 relative) and rounds conv0's products once more; through WRN-16-1's 14 convolutions the worst case
    /// measured over the tests' nets, seeds and batches (ConvInferencePlanTests) was 1.1e-6, so 1e-5 leaves a
    /// factor 9 of margin while a wrong fold (a missing shift, a scale on the wrong axis) is off by far more.
    /// </summary>
    public const double RelativeBound = 1e-5;

    /// <summary>
    /// Most images one pass through the net takes; a larger batch is run in passes of this many (the last shorter).
    /// A block's activations for 32 images (2 MB at 16 channels on 32×32) stay nearer the core than for 64 between a
    /// convolution and the pass that reads them back. Measured on WRN-16-1 at batch 64, quiet Zen 4 cores: the
    /// predictor alone, four alternated rounds, one thread 22.4–23.9 ms in passes of 32 against 23.7–26.3 whole;
    /// against ONNX Runtime (`onnx-serving --workload wrn16-1-b64`, three alternated rounds of the two builds) one
    /// thread 22,052–22,523 µs against 22,849–31,084, but two threads 15,536–17,305 against 14,996–15,871 (one
    /// outlier of 25,968 left out): a gain of 4–8 % on one thread, a loss of 3–6 % on two. The size does not depend on
    /// the thread count, so neither do the results: a pass of 32 takes the kernels a batch of 32 takes.
    /// </summary>
    public const int ImagesPerPass = 32;

    private readonly ConvStep _stem;
    private readonly Block[] _blocks;
    private readonly ChannelScaleShift _head;
    private readonly float[] _classifierWeight, _classifierBias;
    private readonly int _features, _headPlane, _bufferLength;
    private readonly ConcurrentBag<float[][]> _idle = [];

    private ConvInferencePlan(ConvStep stem, Block[] blocks, ChannelScaleShift head, Linear classifier, int headPlane,
        int inputSize, int bufferLength, int maxBatchSize)
    {
        (_stem, _blocks, _head, _headPlane) = (stem, blocks, head, headPlane);
        _classifierWeight = classifier.Weight.Data.ToArray();
        _classifierBias = classifier.Bias?.Data.ToArray() ?? [];
        (_features, OutputSize) = (classifier.InFeatures, classifier.OutFeatures);
        (InputSize, MaxBatchSize, _bufferLength) = (inputSize, maxBatchSize, bufferLength);
        _idle.Add(NewBuffers());
    }

    /// <summary>Values per input sample C·H·W.</summary>
    public int InputSize { get; }

    /// <summary>Logits per sample.</summary>
    public int OutputSize { get; }

    /// <summary>Largest batch one <see cref="Run"/> accepts.</summary>
    public int MaxBatchSize { get; }

    /// <summary>
    /// Compiles <paramref name="module"/> for samples of shape [C, H, W], or returns null when it is not a
    /// <see cref="WideResNet"/> or the shape does not fit its stem; the caller then uses <see cref="Module.Forward"/>.
    /// The plan computes the eval-mode forward pass whatever mode the module is in.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    public static ConvInferencePlan? TryCreate(Module module, ReadOnlySpan<int> sampleShape, int maxBatchSize) =>
        TryCreate(module, sampleShape, maxBatchSize, forcedKernel: null);

    /// <summary>
    /// <see cref="TryCreate(Module, ReadOnlySpan{int}, int)"/> with every convolution on
    /// <paramref name="forcedKernel"/> where it can run (implicit GEMM elsewhere) instead of
    /// <see cref="ConvStep.KernelFor"/>'s rule, or on the rule when null: for tests of each kernel choice.
    /// </summary>
    internal static ConvInferencePlan? TryCreate(Module module, ReadOnlySpan<int> sampleShape, int maxBatchSize,
        ConvolutionKernels.ForwardKernel? forcedKernel)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        if (module is not WideResNet net || sampleShape.Length != 3 || sampleShape[0] != net.Stem.InChannels
            || sampleShape[1] <= 0 || sampleShape[2] <= 0)
            return null;
        var (stem, height, width) = ConvStep.Create(net.Stem, null, sampleShape[1], sampleShape[2], maxBatchSize,
            forcedKernel);
        if (stem is null) return null;
        int inputSize = sampleShape[0] * sampleShape[1] * sampleShape[2];
        int largest = Math.Max(inputSize, stem.OutputLength(1));
        var blocks = new List<Block>();
        foreach (var block in net.Groups.SelectMany(group => group.Blocks))
        {
            var bn1 = ChannelScaleShift.Of(block.Bn1);
            var (conv0, h0, w0) = ConvStep.Create(block.Conv0, bn1, height, width, maxBatchSize, forcedKernel);
            if (conv0 is null) return null;
            var (conv1, h1, w1) = ConvStep.Create(block.Conv1, null, h0, w0, maxBatchSize, forcedKernel);
            var (projection, hp, wp) = block.Projection is { } p
                ? ConvStep.Create(p, null, height, width, maxBatchSize, forcedKernel) : (null, h1, w1);
            if (conv1 is null || (h1, w1) != (h0, w0) || (hp, wp) != (h1, w1)
                || (block.Projection is null && (block.InChannels != block.OutChannels || (h1, w1) != (height, width))))
                return null;
            largest = Math.Max(largest, block.InChannels * height * width);
            blocks.Add(new Block(ChannelScaleShift.Of(block.Bn0), conv0, conv1, projection, height * width));
            (height, width) = (h1, w1);
            largest = Math.Max(largest, conv0.OutputLength(1));
        }
        return new ConvInferencePlan(stem, [.. blocks], ChannelScaleShift.Of(net.HeadBatchNorm), net.Classifier,
            height * width, inputSize, largest, maxBatchSize);
    }

    /// <summary>
    /// Writes the logits [batch, OutputSize] of <paramref name="batch"/> samples [batch, C, H, W] given back to back.
    /// </summary>
    /// <exception cref="ArgumentException">The batch is out of range or a span's length does not match it.</exception>
    public void Run(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        InferencePlanArguments.Check(this, input.Length, output.Length, batch);
        var buffers = _idle.TryTake(out var idle) ? idle : NewBuffers();
        try
        {
            for (int first = 0; first < batch; first += ImagesPerPass)
            {
                int count = Math.Min(ImagesPerPass, batch - first);
                Forward(input.Slice(first * InputSize, count * InputSize),
                    output.Slice(first * OutputSize, count * OutputSize), count, buffers);
            }
        }
        finally
        {
            _idle.Add(buffers);
        }
    }

    private void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, float[][] buffers)
    {
        // x: the block input (also the identity shortcut); a: o1, later the block output; b: y; s: the projection.
        float[] x = buffers[0], a = buffers[1], b = buffers[2], s = buffers[3];
        _stem.Run(input, x, batch);
        foreach (var block in _blocks)
        {
            block.Bn0.ApplyRelu(x, a, batch, block.InputPlane);
            block.Conv0.Run(a, b, batch);
            var y = b.AsSpan(0, block.Conv0.OutputLength(batch));
            TensorPrimitives.Max(y, 0f, y); // bn1's ReLU; bn1 itself is in conv0's weights
            ReadOnlySpan<float> shortcut = x.AsSpan(0, block.Conv1.OutputLength(batch));
            if (block.Projection is { } projection)
            {
                projection.Run(a, s, batch);
                shortcut = s.AsSpan(0, projection.OutputLength(batch));
            }
            block.Conv1.Run(b, a, batch, shortcut);
            (x, a) = (a, x);
        }
        // Head: max(h·s + t, 0) → mean over the plane → classifier. h: [batch, F, plane] → pooled [batch, F] in b.
        int features = _features, plane = _headPlane;
        _head.ApplyRelu(x, a, batch, plane);
        var pooled = b.AsSpan(0, batch * features);
        for (int i = 0; i < batch * features; i++) pooled[i] = TensorPrimitives.Sum(a.AsSpan(i * plane, plane)) / plane;
        using var inline = Parallelism.InlineBelow((long)batch * features * OutputSize);
        DenseInferenceKernels.Linear(pooled, _classifierWeight, _classifierBias, output, batch, features, OutputSize);
    }

    private float[][] NewBuffers() => [.. Enumerable.Range(0, 4).Select(_ => new float[_bufferLength * MaxBatchSize])];

    /// <summary>One pre-activation block: bn0 as scale/shift, conv0 with bn1 folded in, conv1, a projection.</summary>
    private sealed record Block(ChannelScaleShift Bn0, ConvStep Conv0, ConvStep Conv1, ConvStep? Projection,
        int InputPlane);
}
