using System.Numerics.Tensors;

namespace RocketNet.Kernels;

/// <summary>The elementwise activations a dense inference step can apply in place.</summary>
public enum DenseActivation
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,

    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>
/// Span-level forward passes of fully connected layers for serving: no tensors, no graph, no scope, no
/// allocation, caller-owned buffers. Each computes exactly what the graph op computes (same kernels, same
/// summation order), so a model served through these gives the same bits as <c>Module.Forward</c>.
/// </summary>
public static class DenseInferenceKernels
{
    /// <summary>
    /// y = x·Wᵀ + b for <paramref name="rows"/> samples, as <see cref="Functional.Linear"/>.
    /// x: [rows, in], weight: [out, in] (PyTorch's layout), bias: [out] or empty for none, y: [rows, out].
    /// One row streams the weights (split over the threads when large); more rows use the packed GEMM.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match its shape.</exception>
    public static void Linear(ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> y,
        int rows, int inFeatures, int outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        if (weight.Length != outFeatures * inFeatures)
            throw new ArgumentException(
                $"Linear: weight holds {weight.Length} floats, [{outFeatures}, {inFeatures}] needs " +
                $"{outFeatures * inFeatures}.", nameof(weight));
        CheckLinearSpans(x, bias, y, rows, inFeatures, outFeatures);
        WriteBias(bias, y, rows, outFeatures);
        Gemm.Multiply(x, weight, y, rows, outFeatures, inFeatures, transB: true, accumulate: true);
    }

    /// <summary>
    /// y = x·Wᵀ + b with a weight packed once (<see cref="PackedLinearWeight"/>): the same bits as the other overload
    /// on the weight as it was when packed. The packed panels replace the GEMM's per-call packing where it would
    /// run on one thread; batches the GEMM would split over several threads, and single rows, use the copy.
    /// x: [rows, in], bias: [out] or empty for none, y: [rows, out].
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match its shape.</exception>
    public static unsafe void Linear(ReadOnlySpan<float> x, PackedLinearWeight weight, ReadOnlySpan<float> bias,
        Span<float> y, int rows)
    {
        ArgumentNullException.ThrowIfNull(weight);
        int inFeatures = weight.InFeatures, outFeatures = weight.OutFeatures;
        long work = (long)rows * outFeatures * inFeatures;
        bool prepacked = weight.Panels != null && Gemm.PathFor(rows, outFeatures, inFeatures) == GemmPath.Packed
            && (GemmDriver.Threads == 1 || work < GemmDriver.ParallelMinWork);
        if (!prepacked)
        {
            Linear(x, weight.Weight, bias, y, rows, inFeatures, outFeatures);
            return;
        }
        CheckLinearSpans(x, bias, y, rows, inFeatures, outFeatures);
        WriteBias(bias, y, rows, outFeatures);
        fixed (float* a = x, c = y)
            GemmPrepacked.MultiplyAccumulate(a, rows, weight, c);
    }

    private static void CheckLinearSpans(ReadOnlySpan<float> x, ReadOnlySpan<float> bias, Span<float> y, int rows,
        int inFeatures, int outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (x.Length != rows * inFeatures)
            throw new ArgumentException(
                $"Linear: x holds {x.Length} floats, [{rows}, {inFeatures}] needs {rows * inFeatures}.", nameof(x));
        if (!bias.IsEmpty && bias.Length != outFeatures)
            throw new ArgumentException($"Linear: bias holds {bias.Length} floats, expected {outFeatures} (or none).",
                nameof(bias));
        if (y.Length != rows * outFeatures)
            throw new ArgumentException(
                $"Linear: y holds {y.Length} floats, [{rows}, {outFeatures}] needs {rows * outFeatures}.", nameof(y));
    }

    // As the graph op: the bias is written first and the GEMM accumulates onto it.
    private static void WriteBias(ReadOnlySpan<float> bias, Span<float> y, int rows, int outFeatures)
    {
        if (bias.IsEmpty) y.Clear();
        else for (int i = 0; i < rows; i++) bias.CopyTo(y.Slice(i * outFeatures, outFeatures));
    }

    /// <summary>
    /// True when
    /// <see cref="Linear(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int, int, int)"/>
    /// on any block of at least <paramref name="blockRows"/> of the
    /// <paramref name="rows"/> samples gives each sample the same bits as on all of them at once: both sizes take
    /// the same GEMM path (the one-row loop, the direct loops and the packed kernel each sum in their own order).
    /// Lets a caller split a batch into row blocks, one per thread, without changing a result.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the block is larger than the
    /// batch.</exception>
    public static bool RowBlocksMatch(int rows, int blockRows, int inFeatures, int outFeatures)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockRows);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockRows, rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        // The path depends on the row count only through m = 1 and m·n·k against one threshold, so the two
        // ends agreeing means every block size in between agrees too.
        return Gemm.PathFor(blockRows, outFeatures, inFeatures) == Gemm.PathFor(rows, outFeatures, inFeatures);
    }

    /// <summary>
    /// Applies <paramref name="activation"/> to <paramref name="values"/> in place, as the graph's elementwise op.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Unknown activation.</exception>
    public static void Activate(DenseActivation activation, Span<float> values)
    {
        switch (activation)
        {
            case DenseActivation.Relu: ElementwiseKernels.Relu(values, values); break;
            case DenseActivation.Sigmoid: TensorPrimitives.Sigmoid(values, values); break;
            case DenseActivation.Tanh: TensorPrimitives.Tanh(values, values); break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation,
                "Expected Relu, Sigmoid or Tanh.");
        }
    }
}
