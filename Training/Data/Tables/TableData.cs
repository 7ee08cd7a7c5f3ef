using RocketNet.Serving;
using RocketNet.Serving.Tables;
namespace RocketNet.Training.Data.Tables;

/// <summary>A table split for training: encoded parts, the fitted preprocessing, and notes on what was done.</summary>
/// <param name="Train">The training part (the preprocessing was fitted on it).</param>
/// <param name="Test">The test part: a stratified share of the file, or the separate test file.</param>
/// <param name="Preprocessor">Saved with the model, so it serves raw rows.</param>
/// <param name="Notes">Dropped columns and rows, in plain words.</param>
public sealed record TableData(Dataset Train, Dataset Test, TablePreprocessor Preprocessor, IReadOnlyList<string> Notes)
{
    /// <summary>
    /// Reads <paramref name="path"/>, splits it (seeded, stratified by class) unless <paramref name="testPath"/>
    /// gives the test rows, fits the preprocessing on the training part and encodes both parts.
    /// Rows whose target is missing are left out (noted); in a test file, so are rows of a class the
    /// training part does not have.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or a cell cannot be read as its column's
    /// type.</exception>
    public static TableData Load(string path, TableOptions options, string? testPath = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TestFraction is <= 0 or >= 1 && testPath is null)
            throw new ArgumentOutOfRangeException(nameof(options), options.TestFraction,
                "The test fraction must be between 0 and 1.");
        var notes = new List<string>();
        var table = RawTable.Read(path);
        int target = table.ColumnIndex(options.Target);
        if (target < 0)
            throw new InvalidDataException(
                $"File '{path}': no column '{options.Target}' (named by --target); the columns are " +
                $"{string.Join(", ", table.Header)}.");
        var labelled =
            Enumerable.Range(0, table.Rows.Count).Where(r => !ColumnPlan.IsMissing(table.Rows[r][target])).ToArray();
        if (labelled.Length < table.Rows.Count)
            notes.Add($"{table.Rows.Count - labelled.Length} row(s) of '{path}' left out: no target value");
        if (labelled.Length == 0)
            throw new InvalidDataException(
                $"File '{path}': no row has a value in the target column '{options.Target}'.");

        RefuseContinuousTarget(table, labelled, target);

        int[] trainRows, testRows = [];
        if (testPath is null)
        {
            (trainRows, testRows) = StratifiedSplit(table, labelled, target, options.TestFraction, options.SplitSeed);
            // A class gives the test part a row only when it has two; the split of a file with none would hand
            // training an empty test part and fail later with a message about encoding, not about the file.
            if (testRows.Length == 0)
                throw new InvalidDataException(
                    $"File '{path}': its {labelled.Length:N0} labelled row(s) leave no test part: a class gives the " +
                    "test part a row only when it has at least two rows, and no class here has. Expected more rows " +
                    "per class, or the test rows in a file of their own (--test FILE).");
        }
        else
            trainRows = labelled;
        var preprocessor = TablePreprocessor.Fit(table, trainRows, options, notes, typingRows: labelled);
        var train = Encode(table, trainRows, preprocessor, notes);
        Dataset test;
        if (testPath is null)
        {
            test = Encode(table, testRows, preprocessor, notes);
        }
        else
        {
            var testTable = RawTable.Read(testPath);
            if (testTable.ColumnIndex(options.Target) < 0)
                throw new InvalidDataException(
                    $"File '{testPath}': no column '{options.Target}' (the target); the columns are " +
                    $"{string.Join(", ", testTable.Header)}.");
            test = Encode(testTable, Enumerable.Range(0, testTable.Rows.Count).ToArray(), preprocessor, notes);
        }
        return new TableData(train, test, preprocessor, notes);
    }

    // A classifier needs classes with several rows each. When most labelled rows have a label of their own the
    // column holds measurements or identifiers, and the split would leave a class per row (an empty test part).
    private static void RefuseContinuousTarget(RawTable table, int[] labelled, int target)
    {
        var labels = labelled.Select(r => table.Rows[r][target].Trim()).ToArray();
        int distinct = labels.Distinct(StringComparer.Ordinal).Count();
        // Under 20 rows a class per row or two says little about the column: the file is just small.
        if (labelled.Length < 20 || distinct <= labelled.Length / 2) return;
        bool numbers = labels.All(l => ColumnPlan.TryParseNumber(l, out _));
        string name = table.Header[target];
        throw new InvalidDataException(
            $"File '{table.Path}': the target column '{name}' has {distinct:N0} distinct values over " +
            $"{labelled.Length:N0} labelled rows (e.g. '{labels[0]}'): it looks " +
            $"{(numbers ? "continuous (a measurement)" : "like an identifier")}, not like classes. RocketNet " +
            "trains classifiers: expected a target with a few values, each on many rows (bin the values into " +
            "classes, or choose another column with --target).");
    }

    // Per class, a seeded shuffle and the first round(fraction · count) rows to the test part (at least one
    // when the class has two or more rows), so both parts keep the class balance of the file.
    private static (int[] Train, int[] Test) StratifiedSplit(RawTable table, int[] rows, int target,
        double fraction, ulong seed)
    {
        var (train, test) = Data.StratifiedSplit.Split(rows, r => table.Rows[r][target].Trim(), fraction, seed,
            StringComparer.Ordinal, StringComparer.Ordinal);
        train.Sort();
        test.Sort();
        return ([.. train], [.. test]);
    }

    private static Dataset Encode(RawTable table, int[] rows, TablePreprocessor preprocessor, List<string> notes)
    {
        int width = preprocessor.RowWidth, target = table.ColumnIndex(preprocessor.Target);
        var positions = preprocessor.Bind(table.Header, table.Path);
        var features = new float[rows.Length * width];
        var labels = new int[rows.Length];
        int kept = 0, unknown = 0;
        foreach (int r in rows)
        {
            int label = preprocessor.ClassOf(table.Rows[r][target]);
            if (label < 0)
            {
                if (!ColumnPlan.IsMissing(table.Rows[r][target])) unknown++;
                continue;
            }
            preprocessor.Encode(table.Rows[r], positions, features.AsSpan(kept * width, width),
                table.Path, table.Lines[r]);
            labels[kept++] = label;
        }
        if (unknown > 0)
            notes.Add($"{unknown} row(s) of '{table.Path}' left out: a target value the training part does not have");
        if (kept == 0)
            throw new InvalidDataException(
                $"File '{table.Path}': no row left to encode: of {rows.Length:N0} row(s), {unknown:N0} have a target " +
                "value the training part does not have (its classes: " +
                $"{string.Join(", ", preprocessor.ClassNames.Take(10))}" +
                $"{(preprocessor.ClassNames.Length > 10 ? ", …" : "")}) and the others none.");
        string name = Path.GetFileName(table.Path);
        return new Dataset(name, features[..(kept * width)], labels[..kept], [width], preprocessor.ClassNames.Length,
            preprocessor.ClassNames);
    }
}
