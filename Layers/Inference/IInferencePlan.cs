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
