using System.Buffers;
using RocketNet.Serving.ClickLogs;

namespace RocketNet.Serving;

// Click-log models: rows of hashed field ids, with rare ids mapped as in training.
public sealed partial class Predictor
{
    private readonly ClickLogPreprocessor? _clickLog;

    /// <summary>
    /// The click-log preprocessing saved with the model (set from the checkpoint by <see cref="FromCheckpoint"/>),
    /// or null. When it holds a rare-id map, every predict call maps the rare ids of its rows (hashed field ids, as
    /// the training readers make them) to the rare id first, exactly as training did; rows already mapped stay as
    /// they are.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a preprocessing whose rows are not <see cref="SampleSize"/>
    /// ids.</exception>
    public ClickLogPreprocessor? ClickLog
    {
        get => _clickLog;
        init => _clickLog = value is null || value.RowWidth == SampleSize ? value
            : throw new ArgumentException(
                $"The click-log preprocessing makes rows of {value.RowWidth} ids; the model takes {SampleSize}.",
                nameof(value));
    }

    /// <summary>
    /// The click-log preprocessing saved in <paramref name="checkpoint"/>, or null when it has another or none.
    /// </summary>
    /// <exception cref="InvalidDataException">The saved click-log preprocessing or its rare-id map is malformed,
    /// truncated or corrupt; the message names the file.</exception>
    public static ClickLogPreprocessor? SavedClickLog(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return checkpoint.Preprocessing is { } json && PreprocessingKinds.Of(json) == PreprocessingKinds.ClickLog
            ? ClickLogPreprocessor.FromJson(json, checkpoint.Path) : null;
    }

    // The rows copied into a pooled buffer (no allocation once the pool is warm), their rare ids mapped, then run.
    private void RunMapped(int batch, ReadOnlySpan<float> values, Span<float> logitsOut, RareIdMap rareIds)
    {
        var mapped = ArrayPool<float>.Shared.Rent(values.Length);
        try
        {
            var rows = mapped.AsSpan(0, values.Length);
            values.CopyTo(rows);
            rareIds.Apply(rows, SampleSize);
            RunEncoded(batch, rows, logitsOut);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(mapped);
        }
    }
}
