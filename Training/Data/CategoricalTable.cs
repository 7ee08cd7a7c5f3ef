namespace RocketNet.Training.Data;

/// <summary>
/// A table read by <see cref="CategoricalCsvReader"/>: samples of shape [F] holding one id per field (exact
/// integers stored as floats), 2 classes, and what a multi-field embedding needs — each field's
/// vocabulary size. Id 0 of every field is reserved for unseen (OOV) or missing values.
/// </summary>
public sealed class CategoricalTable
{
    internal CategoricalTable(Dataset training, Dataset? test, string[] fieldNames, int[] vocabularySizes,
        IReadOnlyList<IReadOnlyDictionary<string, int>> vocabularies)
    {
        Training = training;
        Test = test;
        FieldNames = fieldNames;
        VocabularySizes = vocabularySizes;
        Vocabularies = vocabularies;
    }

    /// <summary>The training rows (vocabularies were built on them).</summary>
    public Dataset Training { get; }

    /// <summary>The rows after <see cref="CategoricalCsvOptions.TrainingRows"/>, or null if there are none.</summary>
    public Dataset? Test { get; }

    /// <summary>Column name of each field, in sample order.</summary>
    public IReadOnlyList<string> FieldNames { get; }

    /// <summary>
    /// Number of ids of each field, including the reserved id 0: field f's ids lie in [0, VocabularySizes[f]).
    /// </summary>
    public IReadOnlyList<int> VocabularySizes { get; }

    /// <summary>Value → id of each categorical field (empty for bucketised numeric fields).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, int>> Vocabularies { get; }
}
