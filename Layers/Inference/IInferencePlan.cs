namespace RocketNet.Layers;

/// <summary>
/// A network compiled for serving (<see cref="DenseInferencePlan"/>, <see cref="ConvInferencePlan"/>): a snapshot of
/// its eval-mode forward pass over buffers made once, called with spans. Thread-safe.
/// </summary>
public interface IInferencePlan
{
    /// <summary>Values per input sample.</summary>
    int InputSize { get; }

    /// <summary>Values per output sample.</summary>
    int OutputSize { get; }

    /// <summary>Largest batch one <see cref="Run"/> accepts.</summary>
    int MaxBatchSize { get; }

    /// <summary>Writes the outputs [batch, OutputSize] of <paramref name="batch"/> samples back to back.</summary>
    /// <exception cref="ArgumentException">The batch is out of range or a span's length does not match it.</exception>
    void Run(ReadOnlySpan<float> input, Span<float> output, int batch);
}

/// <summary>The argument check every <see cref="IInferencePlan.Run"/> makes before touching its buffers.</summary>
internal static class InferencePlanArguments
{
    /// <summary>Throws unless <paramref name="batch"/> fits the plan's buffers and the spans hold exactly that many
    /// samples.</summary>
    /// <exception cref="ArgumentException">The batch is out of range or a span's length does not match it.</exception>
    public static void Check(IInferencePlan plan, int inputLength, int outputLength, int batch)
    {
        if (batch < 1 || batch > plan.MaxBatchSize)
            throw new ArgumentException(
                $"Batch {batch} is outside [1, {plan.MaxBatchSize}] (the plan's buffers).", nameof(batch));
        if (inputLength != batch * plan.InputSize)
            throw new ArgumentException(
                $"{batch} samples of {plan.InputSize} values need {batch * plan.InputSize} inputs, got {inputLength}.",
                "input");
        if (outputLength != batch * plan.OutputSize)
            throw new ArgumentException(
                $"{batch} samples need {batch * plan.OutputSize} outputs, the span holds {outputLength}.", "output");
    }
}
