using System.Globalization;
using System.Text.Json.Serialization;

namespace RocketNet.Serving.Tables;

/// <summary>How a table column enters the model.</summary>
public enum ColumnKind
{
    /// <summary>Parsed as a number and standardised with the training part's mean and standard deviation.</summary>
    Numeric,

    /// <summary>Mapped to an id through a vocabulary built on the training part, then embedded.</summary>
    Categorical,
}

/// <summary>
/// One feature column's preprocessing, fitted on the training part and saved in the model file.
/// Numeric: <c>(x − Mean) / Std</c>; a missing cell becomes 0 (the mean) and, if the training part had
/// missing cells, a second feature is 1 for missing and 0 otherwise. Categorical: id 0 = out of
/// vocabulary (unseen, or rarer than the minimum count in training), id 1 = missing, then the
/// vocabulary's values from id 2 on.
/// </summary>
public sealed class ColumnPlan
{
    /// <summary>The id of values not in the vocabulary.</summary>
    public const int OutOfVocabularyId = 0;

    /// <summary>The id of a missing (empty or NA) cell.</summary>
    public const int MissingId = 1;

    private Dictionary<string, int>? _ids;

    /// <summary>Column name in the header.</summary>
    public required string Name { get; init; }

    /// <summary>Numeric or categorical.</summary>
    public required ColumnKind Kind { get; init; }

    /// <summary>Training mean of a numeric column.</summary>
    public double Mean { get; init; }

    /// <summary>Training standard deviation of a numeric column (positive).</summary>
    public double Std { get; init; } = 1;

    /// <summary>Whether a numeric column adds a missing-indicator feature.</summary>
    public bool HasMissingIndicator { get; init; }

    /// <summary>A categorical column's values, in id order from id 2.</summary>
    public string[] Vocabulary { get; init; } = [];

    /// <summary>Embedding table rows a categorical column needs: the vocabulary plus the two reserved ids.</summary>
    [JsonIgnore]
    public int IdCount => Vocabulary.Length + 2;

    /// <summary>Numeric features this column produces (0 for categorical).</summary>
    [JsonIgnore]
    public int NumericWidth => Kind == ColumnKind.Numeric ? (HasMissingIndicator ? 2 : 1) : 0;

    /// <summary>True for the cells read as missing: empty, NA, N/A, NaN, null, None and ?, in any case.</summary>
    public static bool IsMissing(string cell)
    {
        var s = cell.AsSpan().Trim();
        return s.Length == 0 || s.Equals("NA", StringComparison.OrdinalIgnoreCase)
            || s.Equals("N/A", StringComparison.OrdinalIgnoreCase) ||
               s.Equals("NaN", StringComparison.OrdinalIgnoreCase)
                   || s.Equals("null", StringComparison.OrdinalIgnoreCase) ||
               s.Equals("None", StringComparison.OrdinalIgnoreCase) || s.SequenceEqual("?");
    }

    /// <summary>Parses a numeric cell in the invariant culture; false if it is not a finite number.</summary>
    public static bool TryParseNumber(string cell, out double value) =>
        double.TryParse(cell.AsSpan().Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);

    /// <summary>The id of a categorical cell.</summary>
    public int IdOf(string cell)
    {
        if (IsMissing(cell)) return MissingId;
        _ids ??= Vocabulary.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i + 2, StringComparer.Ordinal);
        return _ids.TryGetValue(cell.Trim(), out int id) ? id : OutOfVocabularyId;
    }

    /// <summary>
    /// Writes a numeric cell's <see cref="NumericWidth"/> features; <paramref name="where"/> names the cell in errors.
    /// </summary>
    /// <exception cref="InvalidDataException">The cell is neither missing nor a finite number, or lies so far from
    /// the training values that its standardised value overflows a float.</exception>
    public void EncodeNumber(string cell, Span<float> features, Func<string, InvalidDataException> where)
    {
        bool missing = IsMissing(cell);
        double value = 0;
        if (!missing && !TryParseNumber(cell, out value))
            throw where(
                $"'{cell}' is not a finite number; column '{Name}' was read as numeric when the model was trained, " +
                "so expected a finite number or a missing cell (empty or NA)");
        double z = missing ? 0 : (value - Mean) / Std;
        if (!double.IsFinite(z)) z = value / Std - Mean / Std; // value − Mean itself overflowed
        if (!float.IsFinite((float)z))
            throw where(FormattableString.Invariant(
                $"'{cell}' is {Math.Abs(z):G3} standard deviations from the training mean of column '{Name}' ") +
                FormattableString.Invariant($"(mean {Mean:G4}, std {Std:G4}), too far to be a float feature; ") +
                "expected a value on the scale of the training values");
        features[0] = (float)z;
        if (HasMissingIndicator) features[1] = missing ? 1f : 0f;
    }

    /// <summary>
    /// Fits a numeric column on <paramref name="cells"/>, or returns null when it is constant (nothing to learn).
    /// Every non-missing cell must parse; the caller has checked that.
    /// </summary>
    public static ColumnPlan? FitNumeric(string name, IReadOnlyList<string> cells)
    {
        // The sums run on values divided by the largest magnitude: squares of values near 1e308 would overflow
        // to infinity and make every feature NaN.
        var values = new List<double>(cells.Count);
        int missing = 0;
        foreach (string cell in cells)
        {
            if (IsMissing(cell)) { missing++; continue; }
            TryParseNumber(cell, out double v);
            values.Add(v);
        }
        if (values.Count == 0) return null;
        double scale = values.Max(Math.Abs);
        if (scale == 0) scale = 1;
        double sum = 0, sumSquares = 0;
        foreach (double v in values) (sum, sumSquares) = (sum + v / scale, sumSquares + v / scale * (v / scale));
        double mean = sum / values.Count, variance = Math.Max(0, sumSquares / values.Count - mean * mean);
        // Constant: the standard deviation is below 1e-6 of max(1, |mean|) (in unscaled terms).
        if (variance <= 1e-12 * Math.Max(1 / (scale * scale), mean * mean) && missing == 0) return null;
        return new ColumnPlan
        {
            Name = name,
            Kind = ColumnKind.Numeric,
            Mean = mean * scale,
            Std = variance > 0 ? Math.Sqrt(variance) * scale : 1,
            HasMissingIndicator = missing > 0,
        };
    }

    /// <summary>
    /// Fits a categorical column: the values seen at least <paramref name="minimumCount"/> times, most frequent
    /// first (ties in ordinal order). Null when the column is constant.
    /// </summary>
    public static ColumnPlan? FitCategorical(string name, IReadOnlyList<string> cells, int minimumCount)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int missing = 0;
        foreach (string cell in cells)
        {
            if (IsMissing(cell)) { missing++; continue; }
            string v = cell.Trim();
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }
        if (counts.Count + (missing > 0 ? 1 : 0) <= 1) return null;
        var vocabulary = counts.Where(p => p.Value >= minimumCount).OrderByDescending(p => p.Value).ThenBy(p => p.Key,
            StringComparer.Ordinal)
            .Select(p => p.Key).ToArray();
        return new ColumnPlan { Name = name, Kind = ColumnKind.Categorical, Vocabulary = vocabulary };
    }
}
