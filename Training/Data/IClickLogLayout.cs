namespace RocketNet.Training.Data;

/// <summary>
/// A click-log file layout (<see cref="CriteoOptions"/>, <see cref="AvazuOptions"/>): how one file's lines become
/// rows of field ids. A row's fields are small integer fields first, then the hashed categorical fields
/// [<see cref="FirstHashedField"/>, <see cref="FieldCount"/>) that a frequency threshold applies to.
/// </summary>
public interface IClickLogLayout
{
    /// <summary>Name of the layout, as <c>--data</c> spells it and models record it (e.g. <c>criteo</c>).</summary>
    string Name { get; }

    /// <summary>Field ids per row.</summary>
    int FieldCount { get; }

    /// <summary>Index of the first hashed categorical field; the rest of the row is hashed.</summary>
    int FirstHashedField { get; }

    /// <summary>Ids per hashed field (id 0 = missing).</summary>
    int HashBuckets { get; }

    /// <summary>Ids per field, for a multi-field embedding.</summary>
    int[] VocabularySizes();

    /// <summary>Streams the rows of one file lazily; the file stays open while enumerating.</summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row is malformed; the message names the file,
    /// line and column.</exception>
    IEnumerable<ClickRow> ReadRows(string path);

    /// <summary>
    /// Streams the rows of <paramref name="path"/> after those <see cref="RawLineSkipper.Skip"/> passed (its
    /// <see cref="SkippedRows.Rest"/>, which this owns), with the file's line numbers; the file's first line decides
    /// its header as in <see cref="ReadRows(string)"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">(While enumerating) a row, or the header, is malformed.</exception>
    IEnumerable<ClickRow> ReadRows(string path, SkippedRows skipped);

    /// <summary>True when <paramref name="firstLine"/>, a file's first line, is a header rather than a row.</summary>
    bool IsHeader(string firstLine);
}
