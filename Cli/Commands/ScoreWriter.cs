using System.Globalization;
using System.Text;
using RocketNet.Serving;

namespace RocketNet.Cli.Commands;

/// <summary>
/// The rows <c>predict</c> writes, for tables and image folders alike: an identifier, the predicted class and one
/// probability per class, CSV-quoted where needed; counts, over the rows whose true class is known, the accuracy
/// and a confusion matrix (rows: true class, columns: predicted class) for the per-class report.
/// </summary>
internal sealed class ScoreWriter(TextWriter writer, string idHeader, string[] classNames)
{
    // confusion[truth * k + predicted]: counts of the labelled rows.
    private readonly long[] _confusion = new long[classNames.Length * classNames.Length];

    /// <summary>Rows written whose true class was known.</summary>
    public long Labelled { get; private set; }

    /// <summary>Of those, the rows predicted right.</summary>
    public long Correct { get; private set; }

    /// <summary>The class predicted for the last row written.</summary>
    public string LastPredicted { get; private set; } = "";

    /// <summary>The probability of <see cref="LastPredicted"/>.</summary>
    public float LastProbability { get; private set; }

    /// <summary>
    /// Labelled rows of true class <paramref name="truth"/> predicted as <paramref name="predicted"/>.
    /// </summary>
    public long Confusion(int truth, int predicted) => _confusion[truth * classNames.Length + predicted];

    /// <summary>Writes the header line.</summary>
    public void WriteHeader() =>
        writer.WriteLine(
            string.Join(",", new[] { idHeader, "predicted" }.Concat(classNames.Select(c => "p_" + c)).Select(Quote)));

    /// <summary>
    /// Turns <paramref name="logits"/> into probabilities in place and writes the row; <paramref name="truth"/> is −1
    /// when unknown.
    /// </summary>
    public void Write(string id, Span<float> logits, int truth)
    {
        Predictor.Softmax(logits);
        int best = 0;
        for (int j = 1; j < logits.Length; j++) if (logits[j] > logits[best]) best = j;
        if (truth >= 0)
        {
            (Labelled, Correct) = (Labelled + 1, Correct + (truth == best ? 1 : 0));
            _confusion[truth * classNames.Length + best]++;
        }
        (LastPredicted, LastProbability) = (classNames[best], logits[best]);
        var line = new StringBuilder(Quote(id)).Append(',').Append(Quote(classNames[best]));
        foreach (float v in logits) line.Append(',').Append(v.ToString("G6", CultureInfo.InvariantCulture));
        writer.WriteLine(line.ToString());
    }

    /// <summary>"; accuracy on the N …: P" for the summary line, or empty when no row had a known class.</summary>
    public string AccuracySummary(string what) => Labelled == 0 ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $"; accuracy on the {Labelled:N0} {what}: {(double)Correct / Labelled:P2}");

    /// <summary>
    /// The per-class report of the labelled rows, or nothing when no row had a known class: precision, recall and
    /// count per class, then the confusion matrix (up to <see cref="ClassReport.MaxMatrixClasses"/> classes; wider
    /// ones would not fit a console).
    /// </summary>
    public IEnumerable<string> ClassReportLines() =>
        Labelled == 0 ? [] : ClassReport.Lines(classNames, Confusion);

    /// <summary>A CSV cell, quoted when it holds a comma, a quote or a line break.</summary>
    public static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") < 0 ? cell : "\""
            + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
