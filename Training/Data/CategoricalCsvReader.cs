using RocketNet.Serving;
using System.Globalization;

namespace RocketNet.Training.Data;

/// <summary>
/// Reads a CSV table with a header and a binary target column into field ids for CTR / response models
/// (e.g. CoIL 2000 <c>ticdata.csv</c>): each categorical column's values are numbered 1, 2, … in order of
/// first appearance in the training part, unseen values get the reserved OOV id 0, and listed numeric
/// columns are bucketised.
/// </summary>
public static class CategoricalCsvReader
{
    /// <summary>Reads <paramref name="path"/> (plain or gzip) as described by <paramref name="options"/>.</summary>
    /// <exception cref="InvalidDataException">A row has the wrong number of cells, a target value is not a known
    /// positive/negative value, or a numeric cell does not parse, or the file has fewer rows than the training rows its
    /// layout expects; the message names the file (and line and column where there is one).</exception>
    /// <exception cref="ArgumentException">A named column is not in the header, or the options are
    /// inconsistent.</exception>
    public static CategoricalTable Read(string path, CategoricalCsvOptions options)
    {
        var (header, rows) = ReadRows(path, options.Delimiter);
        int target = ColumnIndex(header, options.TargetColumn, path);
        foreach (var name in options.NumericBuckets.Keys.Concat(options.IgnoredColumns))
            ColumnIndex(header, name, path);
        var fields = Enumerable.Range(0, header.Length)
            .Where(c => c != target && !options.IgnoredColumns.Contains(header[c])).ToArray();
        int trainingRows = options.TrainingRows ?? rows.Count;
        if (trainingRows <= 0)
            throw new ArgumentException($"TrainingRows {trainingRows} must be positive.", nameof(options));
        // A file with fewer rows than its layout promises (a truncated download) is a data error, not a caller's.
        if (trainingRows > rows.Count)
            throw DataFileErrors.At(path, "its end",
                $"the file has {rows.Count} data rows, fewer than the {trainingRows} training rows " +
                "this table layout expects.");

        var encoders = fields.Select(c => options.NumericBuckets.TryGetValue(header[c], out var bounds)
            ? FieldEncoder.Numeric(bounds, header[c])
            : FieldEncoder.Categorical(rows.Take(trainingRows).Select(r => r.Cells[c]),
                options.MinimumCount)).ToArray();

        var positive = new HashSet<string>(options.PositiveValues, StringComparer.OrdinalIgnoreCase);
        var negative = new HashSet<string>(options.NegativeValues, StringComparer.OrdinalIgnoreCase);
        Dataset Encode(int start, int count, string name)
        {
            var features = new float[(long)count * fields.Length];
            var labels = new int[count];
            for (int r = 0; r < count; r++)
            {
                var (cells, line) = rows[start + r];
                string t = cells[target];
                labels[r] = positive.Contains(t) ? 1 : negative.Contains(t) ? 0
                    : throw DataFileErrors.AtCell(path, line, target + 1, header[target],
                        $"target value '{t}' is neither positive ({string.Join("/", positive)}) nor negative " +
                        $"({string.Join("/", negative)}).");
                for (int f = 0; f < fields.Length; f++)
                    features[(long)r * fields.Length + f] = encoders[f].Encode(cells[fields[f]], path,
                        line, fields[f] + 1);
            }
            return new Dataset(name, features, labels, [fields.Length], 2, ["negative", "positive"]);
        }

        string baseName = Path.GetFileNameWithoutExtension(path);
        var training = Encode(0, trainingRows, baseName + "/train");
        var test = trainingRows < rows.Count
            ? Encode(trainingRows, rows.Count - trainingRows, baseName + "/test") : null;
        return new CategoricalTable(training, test, fields.Select(c => header[c]).ToArray(),
            encoders.Select(e => e.VocabularySize).ToArray(), encoders.Select(e => e.Vocabulary).ToArray());
    }

    private static (string[] Header, List<(string[] Cells, long Line)> Rows) ReadRows(string path, char delimiter)
    {
        using var reader = new StreamReader(CompressedFile.OpenRead(path));
        var csv = new CsvRecordReader(reader, path, delimiter);
        var cells = new List<string>();
        if (!csv.Read(cells)) throw DataFileErrors.At(path, "line 1", "the file is empty; expected a header row.");
        var header = cells.ToArray();
        var rows = new List<(string[], long)>();
        while (csv.Read(cells))
        {
            if (cells.Count != header.Length)
                throw DataFileErrors.At(path,
                    $"line {csv.RecordLine}, column {Math.Min(cells.Count, header.Length) + 1}",
                    $"the row has {cells.Count} cells but the header has {header.Length} columns " +
                    "(truncated or malformed record).");
            rows.Add((cells.ToArray(), csv.RecordLine));
        }
        if (rows.Count == 0) throw DataFileErrors.At(path, "line 2", "the table has a header but no rows.");
        return (header, rows);
    }

    private static int ColumnIndex(string[] header, string name, string path)
    {
        int index = Array.IndexOf(header, name);
        return index >= 0 ? index
            : throw new ArgumentException(
                $"Column '{name}' is not in the header of '{path}' (columns: " +
                $"{string.Join(", ", header.Take(12))}{(header.Length > 12 ? ", …" : "")}).");
    }

    /// <summary>Maps one column's cells to ids.</summary>
    private sealed class FieldEncoder
    {
        private double[]? _bounds;
        private string _column = "";

        public IReadOnlyDictionary<string, int> Vocabulary { get; private init; } = new Dictionary<string, int>();

        public int VocabularySize { get; private init; }

        public static FieldEncoder Numeric(double[] bounds, string column)
        {
            for (int i = 1; i < bounds.Length; i++)
                if (!(bounds[i] > bounds[i - 1]))
                    throw new ArgumentException(
                        $"Bucket boundaries of column '{column}' must be strictly ascending, got " +
                        $"[{string.Join(", ", bounds)}].");
            return new FieldEncoder { _bounds = bounds, _column = column, VocabularySize = bounds.Length + 2 };
        }

        public static FieldEncoder Categorical(IEnumerable<string> trainingCells, int minimumCount)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var firstSeen = new List<string>();
            foreach (string cell in trainingCells)
            {
                if (cell.Length == 0) continue; // missing → id 0
                if (counts.TryGetValue(cell, out int n)) counts[cell] = n + 1;
                else { counts[cell] = 1; firstSeen.Add(cell); }
            }
            var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string value in firstSeen)
                if (counts[value] >= minimumCount) vocabulary[value] = vocabulary.Count + 1;
            return new FieldEncoder { Vocabulary = vocabulary, VocabularySize = vocabulary.Count + 1 };
        }

        public float Encode(string cell, string path, long line, int column)
        {
            if (_bounds is null) return Vocabulary.TryGetValue(cell, out int id) ? id : 0;
            if (cell.Length == 0) return 0;
            if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture,
                out double v) || double.IsNaN(v))
                throw DataFileErrors.AtCell(path, line, column, _column,
                    $"'{cell}' is not a number (the column is bucketised as numeric).");
            int bucket = 0;
            while (bucket < _bounds.Length && _bounds[bucket] <= v) bucket++;
            return 1 + bucket;
        }
    }
}
