namespace RocketNet.Training.Data;

/// <summary>How <see cref="CategoricalCsvReader"/> turns a table's columns into field ids.</summary>
public sealed class CategoricalCsvOptions
{
    /// <summary>Name of the binary target column (header name).</summary>
    public required string TargetColumn { get; init; }

    /// <summary>Target cell values meaning class 1 (compared case-insensitively).</summary>
    public IReadOnlyCollection<string> PositiveValues { get; init; } = ["1", "yes", "true"];

    /// <summary>Target cell values meaning class 0 (compared case-insensitively).</summary>
    public IReadOnlyCollection<string> NegativeValues { get; init; } = ["0", "no", "false"];

    /// <summary>
    /// Numeric columns to bucketise, by name, with their ascending bucket boundaries b₀ &lt; b₁ &lt; …: a value v
    /// gets id 1 + (number of boundaries ≤ v); an empty cell gets the reserved id 0. Columns not listed
    /// here are categorical.
    /// </summary>
    public IReadOnlyDictionary<string, double[]> NumericBuckets { get; init; } = new Dictionary<string, double[]>();

    /// <summary>Columns to leave out of the fields.</summary>
    public IReadOnlyCollection<string> IgnoredColumns { get; init; } = [];

    /// <summary>
    /// Number of leading data rows forming the training part, on which vocabularies are built; the rest is
    /// the test part. Null: all rows are training rows.
    /// </summary>
    public int? TrainingRows { get; init; }

    /// <summary>Categorical values seen fewer times than this in the training part map to the OOV id 0.</summary>
    public int MinimumCount { get; init; } = 1;

    /// <summary>Cell delimiter.</summary>
    public char Delimiter { get; init; } = ',';
}
