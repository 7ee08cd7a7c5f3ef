namespace RocketNet.Training.Data;

/// <summary>
/// Where <see cref="RawLineSkipper.Skip"/> left a file: the rest of it as text, and what was passed.
/// </summary>
/// <param name="Rest">The file from the line after the last skipped row on (owns the file; dispose it).</param>
/// <param name="RowsSkipped">Rows passed: the number asked for, or fewer when the file ended first.</param>
/// <param name="LinesSkipped">Lines passed (header, empty lines and rows), so line numbers continue exactly.</param>
/// <param name="FirstLine">The file's first line as <see cref="StreamReader"/> would read it, or null for an empty
/// file (the layout decides from it whether the file has a header).</param>
public sealed record SkippedRows(TextReader Rest, long RowsSkipped, long LinesSkipped, string? FirstLine);
