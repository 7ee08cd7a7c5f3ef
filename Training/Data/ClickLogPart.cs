using RocketNet.Serving.ClickLogs;
using RocketNet.Training.Rocket;

namespace RocketNet.Training.Data;

/// <summary>
/// Rows [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>) of a click log's stream, read from the files
/// each time they are evaluated, batch by batch, instead of held in memory: a temporal test part of 5,000,000 Criteo
/// rows is 780 MB as float ids but costs here only what the evaluator keeps (one score and one label a row). The
/// batches are those of the in-memory part (<see cref="ClickLogFiles.ReadDataset"/>): the same ids as floats in the
/// same order, so the same scores.
/// </summary>
public sealed class ClickLogPart : IEvaluationSource
{
    private readonly IReadOnlyList<string> _files;
    private readonly IClickLogLayout _layout;
    private readonly RareIdMap? _rareIds;

    /// <summary>
    /// The part of <paramref name="count"/> rows from row <paramref name="start"/> (0-based over the stream of
    /// <paramref name="files"/>), with rare ids mapped by <paramref name="rareIds"/> if given. The caller has counted
    /// the rows: a stream that ends sooner fails when evaluated.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The start is negative or the count not positive.</exception>
    public ClickLogPart(IReadOnlyList<string> files, IClickLogLayout layout, long start, int count, string name,
        RareIdMap? rareIds = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        (_files, _layout, _rareIds, Start, Count, Name) = (files, layout, rareIds, start, count, name);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The first row of the part, 0-based over the stream.</summary>
    public long Start { get; }

    /// <inheritdoc/>
    public int Count { get; }

    /// <inheritdoc/>
    public int ClassCount => 2;

    /// <inheritdoc/>
    public int[]? Groups => null;

    /// <summary>Ids per row: the sample shape is [FieldCount].</summary>
    public int FieldCount => _layout.FieldCount;

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">(While enumerating) a row is invalid, or the stream holds fewer than
    /// <see cref="Count"/> rows from <see cref="Start"/> on.</exception>
    public IEnumerable<(Tensor Input, int[] Labels)> Batches(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int width = _layout.FieldCount, read = 0;
        using var rows = ClickLogFiles.ReadRows(_files, _layout, Start, _rareIds).GetEnumerator();
        while (read < Count)
        {
            int n = Math.Min(batchSize, Count - read);
            var input = Tensor.Zeros(n, width);
            var values = input.Data;
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                if (!rows.MoveNext())
                    throw new InvalidDataException(
                        $"Click log {string.Join(", ", _files)}: the {Name} part ends after {read + i} of its " +
                        $"{Count} rows from row {Start} (were the files changed?).");
                var row = rows.Current;
                for (int f = 0; f < width; f++) values[i * width + f] = row.FieldIds[f]; // exact below 2^24
                labels[i] = row.Label;
            }
            read += n;
            yield return (input, labels);
        }
    }
}
