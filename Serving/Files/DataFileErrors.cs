namespace RocketNet.Serving;

/// <summary>
/// Builds the <see cref="InvalidDataException"/>s of the readers so every message has the same form:
/// the file, the position (byte offset, record, or line/column), what was wrong and what was expected.
/// </summary>
internal static class DataFileErrors
{
    /// <summary>"File 'x': at {position}: {problem}".</summary>
    public static InvalidDataException At(string file, string position, string problem) =>
        new($"File '{file}': at {position}: {problem}");

    /// <summary>An error at a byte offset of a (possibly decompressed) stream.</summary>
    public static InvalidDataException AtByte(string file, long offset, string problem) =>
        At(file, $"byte offset {offset}", problem);

    /// <summary>An error in a text cell, with 1-based line and column numbers.</summary>
    public static InvalidDataException AtCell(string file, long line, int column, string columnName, string problem) =>
        At(file, $"line {line}, column {column} ('{columnName}')", problem);
}
