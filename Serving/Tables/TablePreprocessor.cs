using System.Globalization;
using System.Text.Json;

namespace RocketNet.Serving.Tables;

/// <summary>
/// Turns raw table rows into model inputs, exactly as it was fitted on a training part; it is saved in the
/// model file (<see cref="ToJson"/>) so a served model takes raw records. A row becomes
/// <c>[F categorical ids | numeric features]</c>: the ids of the categorical columns in column order, then each
/// numeric column's standardised value (and its missing indicator, if it has one).
/// </summary>
public sealed class TablePreprocessor
{
    /// <summary>Names the kind of preprocessing in the model file.</summary>
    public string Kind => PreprocessingKinds.Table;

    /// <summary>The target column's name.</summary>
    public required string Target { get; init; }

    /// <summary>Class labels as written in the target column; class k is <c>ClassNames[k]</c>.</summary>
    public required string[] ClassNames { get; init; }

    /// <summary>The feature columns in input order: every categorical column, then every numeric one.</summary>
    public required ColumnPlan[] Columns { get; init; }

    /// <summary>Categorical columns F (the first F input values are their ids).</summary>
    public int CategoricalCount => Columns.Count(c => c.Kind == ColumnKind.Categorical);

    /// <summary>Embedding table sizes of the categorical columns.</summary>
    public int[] VocabularySizes =>
        Columns.Where(c => c.Kind == ColumnKind.Categorical).Select(c => c.IdCount).ToArray();

    /// <summary>Numeric input values (standardised values and missing indicators).</summary>
    public int NumericWidth => Columns.Sum(c => c.NumericWidth);

    /// <summary>Values per encoded row.</summary>
    public int RowWidth => CategoricalCount + NumericWidth;

    /// <summary>
    /// Fits on <paramref name="rows"/> of <paramref name="table"/> (the training part). Types are inferred unless
    /// fixed in <paramref name="options"/>, on <paramref name="typingRows"/> (default: the training part; give
    /// every labelled row of the file so that both parts read alike): numeric when every non-missing cell is a
    /// number, categorical otherwise (see <see cref="ColumnTyping"/>). Constant columns and ID-like ones (a
    /// distinct value in nearly every row) are dropped. Drops and decisions that were not obvious (a mostly
    /// numeric column read as categorical, whole numbers with few values read as amounts) are added to
    /// <paramref name="notes"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The target or a named column is not in the header, a numeric column
    /// holds a non-finite number, a column forced numeric holds text, no feature column is left, or the target has
    /// fewer than two classes.</exception>
    public static TablePreprocessor Fit(RawTable table, IReadOnlyList<int> rows, TableOptions options,
        ICollection<string> notes, IReadOnlyList<int>? typingRows = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        int target = RequireColumn(table, options.Target, "--target");
        foreach (string name in options.Categorical.Concat(options.Numeric).Concat(options.Ignore))
            RequireColumn(table, name, "a column option");
        var classNames = ClassNamesOf(table, rows.Select(r => table.Rows[r][target]));
        if (classNames.Length < 2)
            throw new InvalidDataException(
                $"File '{table.Path}': the target column '{options.Target}' has {classNames.Length} class(es) in the " +
                "training part; at least two are needed.");

        var categorical = new List<ColumnPlan>();
        var numeric = new List<ColumnPlan>();
        var fewValued = new List<string>();
        for (int c = 0; c < table.Header.Count; c++)
        {
            string name = table.Header[c];
            if (c == target || options.Ignore.Contains(name)) continue;
            var cells = rows.Select(r => table.Rows[r][c]).ToArray();
            var decisions = new List<string>();
            var few = new List<string>();
            bool isNumeric = ColumnTyping.IsNumeric(table, typingRows ?? rows, c, options.Numeric.Contains(name),
                options.Categorical.Contains(name), decisions, few);
            var plan = isNumeric ? ColumnPlan.FitNumeric(name, cells) : ColumnPlan.FitCategorical(name, cells,
                options.MinimumCategoryCount);
            if (plan is null)
            {
                notes.Add($"column '{name}' dropped: constant in the training part");
                continue;
            }
            if (IsIdLike(cells, isNumeric) && !options.Categorical.Contains(name) && !options.Numeric.Contains(name))
            {
                notes.Add($"column '{name}' dropped: looks like an identifier (a different value in almost every " +
                    "row; keep it with --categorical or --numeric)");
                continue;
            }
            foreach (string decision in decisions) notes.Add(decision);
            fewValued.AddRange(few);
            (isNumeric ? numeric : categorical).Add(plan);
        }
        if (fewValued.Count > 0) notes.Add(ColumnTyping.FewValuedNote(fewValued));
        if (categorical.Count + numeric.Count == 0)
            throw new InvalidDataException(
                $"File '{table.Path}': no feature column is left besides the target '{options.Target}'.");
        return new TablePreprocessor
        {
            Target = options.Target,
            ClassNames = classNames,
            Columns = [.. categorical, .. numeric]
        };
    }

    // A column with a distinct value in ≥ 95 % of at least 50 rows: text such as names or keys, or whole
    // numbers that number the rows. Continuous measurements (fractional values) are kept.
    private static bool IsIdLike(string[] cells, bool isNumeric)
    {
        if (cells.Length < 50) return false;
        var present = cells.Where(c => !ColumnPlan.IsMissing(c)).Select(c => c.Trim()).ToArray();
        if (isNumeric && present.Any(c => ColumnPlan.TryParseNumber(c, out double v) && v != Math.Floor(v)))
            return false;
        return present.Distinct(StringComparer.Ordinal).Count() >= 0.95 * cells.Length;
    }

    // Sorted numerically when every label is an integer (so 2 < 10), else ordinally; missing labels are not classes.
    private static string[] ClassNamesOf(RawTable table, IEnumerable<string> labels)
    {
        var distinct = labels.Where(l => !ColumnPlan.IsMissing(l)).Select(l => l.Trim()).Distinct(
            StringComparer.Ordinal).ToArray();
        bool integers = distinct.All(l => long.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
        return integers
            ? [.. distinct.OrderBy(l => long.Parse(l, CultureInfo.InvariantCulture))]
            : [.. distinct.Order(StringComparer.Ordinal)];
    }

    private static int RequireColumn(RawTable table, string name, string origin)
    {
        int index = table.ColumnIndex(name);
        return index >= 0 ? index
            : throw new InvalidDataException(
                $"File '{table.Path}': no column '{name}' (named by {origin}); the columns are " +
                $"{string.Join(", ", table.Header)}.");
    }

    /// <summary>
    /// The class index of a target cell, or −1 when it is missing or a label the training part did not have.
    /// </summary>
    public int ClassOf(string cell) => ColumnPlan.IsMissing(cell) ? -1 : Array.IndexOf(ClassNames, cell.Trim());

    /// <summary>
    /// For each feature column, its index in <paramref name="header"/>: the columns a file must have to be encoded.
    /// </summary>
    /// <exception cref="InvalidDataException">A feature column is missing; the message names it and
    /// <paramref name="path"/>.</exception>
    public int[] Bind(IReadOnlyList<string> header, string path)
    {
        var names = header.ToList();
        var positions = new int[Columns.Length];
        for (int i = 0; i < Columns.Length; i++)
        {
            positions[i] = names.IndexOf(Columns[i].Name);
            if (positions[i] < 0)
                throw new InvalidDataException(
                    $"File '{path}': the model needs column '{Columns[i].Name}', which is not in the header " +
                    $"({string.Join(", ", header)}).");
        }
        return positions;
    }

    /// <summary>Encodes one raw row into <paramref name="destination"/> (<see cref="RowWidth"/> values).</summary>
    /// <param name="cells">The row's cells.</param>
    /// <param name="positions">From <see cref="Bind"/>: where each feature column sits in
    /// <paramref name="cells"/>.</param>
    /// <param name="destination">The encoded row.</param>
    /// <param name="path">File named in errors.</param>
    /// <param name="line">Line named in errors.</param>
    /// <exception cref="InvalidDataException">A numeric cell does not parse; the message names file, line and
    /// column.</exception>
    public void Encode(IReadOnlyList<string> cells, int[] positions, Span<float> destination, string path, long line)
    {
        int id = 0, value = CategoricalCount;
        for (int i = 0; i < Columns.Length; i++)
        {
            var column = Columns[i];
            string cell = cells[positions[i]];
            if (column.Kind == ColumnKind.Categorical)
            {
                destination[id++] = column.IdOf(cell);
                continue;
            }
            int at = positions[i];
            column.EncodeNumber(cell, destination.Slice(value, column.NumericWidth),
                problem => DataFileErrors.AtCell(path, line, at + 1, column.Name, problem));
            value += column.NumericWidth;
        }
    }

    /// <summary>Encodes a record given as column name → cell (columns the model does not use are ignored).</summary>
    /// <exception cref="ArgumentException">A feature column is missing from <paramref name="record"/>, or a numeric
    /// cell does not parse.</exception>
    public float[] Encode(IReadOnlyDictionary<string, string> record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var cells = new string[Columns.Length];
        for (int i = 0; i < Columns.Length; i++)
            cells[i] = record.TryGetValue(Columns[i].Name, out string? cell) ? cell
                : throw new ArgumentException(
                    $"The record has no value for column '{Columns[i].Name}' (the model's columns: " +
                    $"{string.Join(", ", Columns.Select(c => c.Name))}).", nameof(record));
        var row = new float[RowWidth];
        try
        {
            Encode(cells, [.. Enumerable.Range(0, cells.Length)], row, "the record", 1);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(e.Message, nameof(record), e);
        }
        return row;
    }

    /// <summary>One line per column: how it enters the model.</summary>
    public IEnumerable<string> Describe() => Columns.Select(c => c.Kind == ColumnKind.Categorical
        ? $"{c.Name}: categorical, {c.Vocabulary.Length} values (+ out-of-vocabulary, missing)"
        : FormattableString.Invariant($"{c.Name}: numeric, mean {c.Mean:G4}, std {c.Std:G4}") +
            (c.HasMissingIndicator ? ", with a missing indicator" : ""));

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The preprocessing as JSON, for the model file's metadata.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a table preprocessing description;
    /// <paramref name="source"/> names where it came from.</exception>
    public static TablePreprocessor FromJson(string json, string source)
    {
        try
        {
            if (PreprocessingKinds.Of(json) != PreprocessingKinds.Table)
                throw new JsonException("not a table preprocessing");
            var p = JsonSerializer.Deserialize<TablePreprocessor>(json, Json) ?? throw new JsonException("null");
            if (p.ClassNames.Length < 2 || p.Columns.Length == 0
                || p.Columns.Any(c => c.Kind == ColumnKind.Numeric && !(c.Std > 0)))
                throw new JsonException("incomplete description");
            return p;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"'{source}': the table preprocessing stored in it is not valid ({e.Message}).", e);
        }
    }
}
