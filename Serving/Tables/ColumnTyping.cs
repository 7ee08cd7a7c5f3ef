using System.Globalization;

namespace RocketNet.Serving.Tables;

/// <summary>
/// Decides whether a feature column is numeric or categorical, and says why when it was not obvious. Every
/// non-missing cell is a finite number, a non-finite one (overflowing, like <c>1e400</c>, or an infinity, like
/// <c>Infinity</c> or <c>inf</c>) or text. Text makes a column categorical; a column of numbers is numeric,
/// and then a non-finite value is refused wherever it is (training part, test part, served rows), since it
/// cannot be standardised. The decision is made on every labelled row of the file, so the two parts of a split
/// file cannot disagree.
/// </summary>
internal static class ColumnTyping
{
    // Whole-number columns with this few distinct values may be codes rather than amounts: worth a note.
    private const int FewValues = 10;

    /// <summary>How a cell reads as a number.</summary>
    internal enum CellKind
    {
        /// <summary>Empty, NA and the other missing markers.</summary>
        Missing,

        /// <summary>A finite number.</summary>
        Finite,

        /// <summary>A number a double cannot hold finitely: overflowing, or an infinity.</summary>
        NonFinite,

        /// <summary>Anything else.</summary>
        Text,
    }

    /// <summary>Classifies one cell.</summary>
    public static CellKind KindOf(string cell)
    {
        if (ColumnPlan.IsMissing(cell)) return CellKind.Missing;
        if (ColumnPlan.TryParseNumber(cell, out _)) return CellKind.Finite;
        var s = cell.AsSpan().Trim().TrimStart("+-");
        return s.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || double.TryParse(cell.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? CellKind.NonFinite : CellKind.Text;
    }

    /// <summary>
    /// Whether column <paramref name="column"/> of <paramref name="table"/> is
    /// numeric, from its cells in <paramref name="rows"/>; a note goes to <paramref name="notes"/> when the
    /// decision was not obvious, and whole-number columns with few values to <paramref name="fewValued"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A numeric column (inferred, or forced with
    /// <paramref name="forceNumeric"/>) holds a non-finite number, or a forced one holds text; the message names
    /// the file, line, column and value.</exception>
    public static bool IsNumeric(RawTable table, IReadOnlyList<int> rows, int column, bool forceNumeric,
        bool forceCategorical, ICollection<string> notes, ICollection<string> fewValued)
    {
        if (forceCategorical) return false;
        string name = table.Header[column];
        int numbers = 0, text = 0, firstText = -1, firstNonFinite = -1;
        foreach (int r in rows)
        {
            switch (KindOf(table.Rows[r][column]))
            {
                case CellKind.Finite: numbers++; break;
                case CellKind.NonFinite: numbers++; if (firstNonFinite < 0) firstNonFinite = r; break;
                case CellKind.Text: text++; if (firstText < 0) firstText = r; break;
            }
        }
        if (forceNumeric && firstText >= 0)
            throw Refusal(table, firstText, column, "is not a number, but the column was declared numeric (--numeric)");
        if (!forceNumeric && text > 0)
        {
            if (numbers >= text)
                notes.Add($"column '{name}' read as categorical: {text:N0} of {numbers + text:N0} values are not " +
                    $"numbers (e.g. '{Cell(table, firstText, column)}' on line {table.Lines[firstText]}); " +
                    $"--numeric {name} reads it as numbers and refuses such values");
            return false;
        }
        if (firstNonFinite >= 0)
            throw Refusal(table, firstNonFinite, column,
                "is not a finite number; " + (forceNumeric ? "the column was declared numeric (--numeric)"
                    : $"column '{name}' holds numbers, so it is numeric,") + " and a non-finite value " +
                "cannot be standardised; expected a finite number or a missing cell (empty or NA), or " +
                $"--categorical {name} to read the column as categories");
        var distinct = new HashSet<double>();
        foreach (int r in rows)
            if (ColumnPlan.TryParseNumber(table.Rows[r][column], out double v) && distinct.Count <= FewValues)
                distinct.Add(v);
        if (distinct.Count is > 2 and <= FewValues && distinct.All(v => v == Math.Floor(v))) fewValued.Add(name);
        return true;
    }

    /// <summary>The note for the columns <see cref="IsNumeric"/> gathered in its <c>fewValued</c> list.</summary>
    public static string FewValuedNote(IReadOnlyCollection<string> names) =>
        $"{names.Count} numeric column(s) hold only 3 to {FewValues} distinct whole numbers and are read as amounts " +
        $"(standardised): {string.Join(", ", names.Take(12))}{(names.Count > 12 ? ", …" : "")}; if they are codes " +
        "rather than amounts, name them with --categorical";

    private static string Cell(RawTable table, int row, int column)
    {
        string cell = table.Rows[row][column].Trim();
        return cell.Length <= 40 ? cell : cell[..40] + "…";
    }

    private static InvalidDataException Refusal(RawTable table, int row, int column, string problem) =>
        DataFileErrors.AtCell(table.Path, table.Lines[row], column + 1, table.Header[column],
            $"'{Cell(table, row, column)}' {problem}");
}
