namespace RocketNet.Serving.Tables;

/// <summary>How to read a table for training: its target and any column types the user fixes.</summary>
public sealed record TableOptions
{
    /// <summary>The column to predict (binary or multi-class; strings or integers).</summary>
    public required string Target { get; init; }

    /// <summary>Columns to treat as categorical whatever their content.</summary>
    public IReadOnlyList<string> Categorical { get; init; } = [];

    /// <summary>Columns to treat as numeric (every non-missing cell must parse as a number).</summary>
    public IReadOnlyList<string> Numeric { get; init; } = [];

    /// <summary>Columns to leave out.</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>
    /// Category values seen fewer times than this in the training part map to the out-of-vocabulary id.
    /// </summary>
    public int MinimumCategoryCount { get; init; } = 2;

    /// <summary>Share of each class held out as the test part when no test file is given.</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of the stratified train/test split.</summary>
    public ulong SplitSeed { get; init; } = 1;
}
