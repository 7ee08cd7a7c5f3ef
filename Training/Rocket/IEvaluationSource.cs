namespace RocketNet.Training.Rocket;

/// <summary>
/// Labelled samples evaluated whole (a validation or test part), batch by batch in a fixed order: an in-memory
/// <see cref="Data.Dataset"/>, or a part of a click log read from its files as it is evaluated
/// (<see cref="Data.ClickLogPart"/>), so that a test part of millions of rows is never held in memory. The evaluator
/// keeps one score and one label per sample, for the AUC.
/// </summary>
public interface IEvaluationSource
{
    /// <summary>Human-readable name (used in messages).</summary>
    string Name { get; }

    /// <summary>Number of samples <see cref="Batches"/> yields.</summary>
    int Count { get; }

    /// <summary>Number of classes; labels are in [0, ClassCount).</summary>
    int ClassCount { get; }

    /// <summary>Optional group id of each sample in order (e.g. a user, for GAUC), or null.</summary>
    int[]? Groups { get; }

    /// <summary>
    /// The samples in order, <paramref name="batchSize"/> at a time (the last batch may be smaller): inputs
    /// [B, ...sample shape] and B labels. The evaluator advances the enumerator inside each batch's
    /// <see cref="TensorScope"/>, so the input may be a scoped tensor; a batch is used only until the next one.
    /// </summary>
    IEnumerable<(Tensor Input, int[] Labels)> Batches(int batchSize);
}
