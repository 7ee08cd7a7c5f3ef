using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Serving;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>The per-epoch CSV log of a run, and the learning curve drawn from it.</summary>
public sealed class RunLog
{
    private readonly string _path;
    private readonly List<string> _lines;

    /// <summary>
    /// File name of the one-time test evaluation written beside the log when a validation split is used.
    /// </summary>
    public const string TestFile = "test.csv";

    /// <summary>
    /// Starts a log (writing the header) or, when resuming after <paramref name="keepEpochs"/> checkpointed
    /// epochs, keeps the header and those epochs' rows: a row written just before a kill, for an epoch whose
    /// checkpoint was never saved, is dropped because that epoch runs again. Every write replaces the file
    /// atomically, so a kill leaves the previous log whole.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// Resuming, the log is missing, is not this version's, or holds fewer epoch rows than the checkpoint has epochs:
    /// its history was lost, and starting it again would hide that.
    /// </exception>
    public RunLog(string path, int keepEpochs)
    {
        _path = path;
        _lines = [EpochRecord.CsvHeader];
        if (keepEpochs > 0) _lines = Kept(path, keepEpochs);
        Save();
    }

    // The header and the first keepEpochs rows, which must be epochs 0 … keepEpochs − 1 in order.
    private static List<string> Kept(string path, int keepEpochs)
    {
        string[] lines = File.Exists(path) ? File.ReadAllLines(path) : [];
        string expected = $"{keepEpochs} epoch rows (one per epoch of the checkpoint)";
        if (lines.Length == 0)
            throw new InvalidDataException(
                $"--resume: the run log '{path}' is {(File.Exists(path) ? "empty" : "missing")} but the " +
                $"checkpoint is after epoch {keepEpochs}; expected its header and {expected}. The history is " +
                "lost: restore the log, or start the run again in a new --checkpoint-dir.");
        if (lines[0] != EpochRecord.CsvHeader)
            throw new InvalidDataException(
                $"--resume: the run log '{path}' starts with '{lines[0]}', expected this version's header " +
                $"'{EpochRecord.CsvHeader}'.");
        int rows = 0;
        while (rows < keepEpochs && rows + 1 < lines.Length && EpochOf(lines[rows + 1]) == rows) rows++;
        if (rows < keepEpochs)
            throw new InvalidDataException(
                $"--resume: the run log '{path}' holds {rows} epoch rows but the checkpoint is after epoch " +
                $"{keepEpochs}; expected {expected}. The history is cut short: restore the log, or start the " +
                "run again in a new --checkpoint-dir.");
        return [.. lines.Take(1 + keepEpochs)];
    }

    private static int EpochOf(string row) =>
        int.TryParse(row.AsSpan(0, Math.Max(0, row.IndexOf(','))), NumberStyles.None, CultureInfo.InvariantCulture,
            out int epoch) ? epoch : -1;

    // The whole log each time (a few kB): a rename over the old file is what makes a kill harmless.
    private void Save() =>
        AtomicFile.Write(_path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (string line in _lines) writer.Write(line + "\n");
        });

    /// <summary>
    /// Writes the one-time test evaluation (light and booster accuracy, loss, AUC, GAUC) as a two-line CSV.
    /// </summary>
    public static void WriteTest(string path, PairEvaluation test)
    {
        var (l, b) = (test.Light, test.Booster);
        double[] values = [l.Accuracy, l.Loss, b.Accuracy, b.Loss, l.Auc, b.Auc, l.GroupAuc, b.GroupAuc];
        File.WriteAllText(path,
            "test_light_acc,test_light_loss,test_booster_acc,test_booster_loss," +
            "test_light_auc,test_booster_auc,test_light_gauc,test_booster_gauc\n" +
                                string.Join(",", values.Select(v => v.ToString("G9", CultureInfo.InvariantCulture)))
                                    + "\n");
    }

    /// <summary>One plain line about a final test evaluation of the nets called <paramref name="what"/>.</summary>
    public static string DescribeTest(PairEvaluation test, string what = "read once, after the last epoch") =>
        $"test ({what}): light {Percent(test.Light.Accuracy)} booster " +
        $"{Percent(test.Booster.Accuracy)}" +
        (double.IsNaN(test.Light.Auc) && double.IsNaN(test.Booster.Auc)
            ? "" : $" AUC light {Number(test.Light.Auc)} booster {Number(test.Booster.Auc)}") +
        (double.IsNaN(test.Light.GroupAuc) && double.IsNaN(test.Booster.GroupAuc)
            ? "" : $" GAUC light {Number(test.Light.GroupAuc)} booster {Number(test.Booster.GroupAuc)}");

    /// <summary>Appends one epoch's row (rewriting the file atomically).</summary>
    public void Append(EpochRecord record)
    {
        _lines.Add(record.ToCsvRow());
        Save();
    }

    /// <summary>
    /// Checkpoint metrics of an epoch; its evaluation is named <paramref name="part"/> ("test" or "val").
    /// </summary>
    public static Dictionary<string, string> Metrics(EpochRecord r, string part = "test")
    {
        var metrics = new Dictionary<string, string> { ["train_loss"] = F(r.TrainLoss.Total) };
        if (r.Validation is { } v)
        {
            foreach (var (key, value) in EvaluationMetrics(v, part)) metrics[key] = value;
        }
        return metrics;
    }

    /// <summary>
    /// Checkpoint metrics of one evaluation (<c>{part}_light_accuracy</c> and so on; NaN values left out).
    /// </summary>
    public static Dictionary<string, string> EvaluationMetrics(PairEvaluation v, string part)
    {
        var metrics = new Dictionary<string, string>();
        if (!double.IsNaN(v.Light.Accuracy)) metrics[$"{part}_light_accuracy"] = F(v.Light.Accuracy);
        if (!double.IsNaN(v.Booster.Accuracy)) metrics[$"{part}_booster_accuracy"] = F(v.Booster.Accuracy);
        if (!double.IsNaN(v.Light.Auc)) metrics[$"{part}_light_auc"] = F(v.Light.Auc);
        if (!double.IsNaN(v.Booster.Auc)) metrics[$"{part}_booster_auc"] = F(v.Booster.Auc);
        if (!double.IsNaN(v.Light.GroupAuc)) metrics[$"{part}_light_gauc"] = F(v.Light.GroupAuc);
        if (!double.IsNaN(v.Booster.GroupAuc)) metrics[$"{part}_booster_gauc"] = F(v.Booster.GroupAuc);
        return metrics;
    }

    /// <summary>One plain line about an epoch.</summary>
    public static string Describe(EpochRecord r, int epochs, string part = "test")
    {
        string test = r.Validation is { } v
            ? $" | {part} light {Percent(v.Light.Accuracy)} booster {Percent(v.Booster.Accuracy)}" +
              (double.IsNaN(v.Light.Auc) && double.IsNaN(v.Booster.Auc)
                  ? "" : $" AUC light {Number(v.Light.Auc)} booster {Number(v.Booster.Auc)}" +
                 (double.IsNaN(v.Light.GroupAuc) && double.IsNaN(v.Booster.GroupAuc)
                     ? "" : $" GAUC light {Number(v.Light.GroupAuc)} booster {Number(v.Booster.GroupAuc)}"))
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch + 1}/{epochs} lr {r.LearningRate:G3} loss {r.TrainLoss.Total:F4} " +
            $"(hint {r.TrainLoss.Hint:F4}) " +
            $"train light {Percent(r.TrainLightAccuracy)} booster " +
            $"{Percent(r.TrainBoosterAccuracy)}{test} [{r.Seconds:F1} s]");
    }

    /// <summary>
    /// Why a run stops after an epoch in which a net's output stopped depending on its input (no full stop at the
    /// end).
    /// </summary>
    public static string DescribeCollapse(CollapsedNets nets)
    {
        string which = nets == (CollapsedNets.Light | CollapsedNets.Booster)
            ? "both nets give" : nets == CollapsedNets.Light ? "the light net gives" : "the booster gives";
        return $"{which} the same logits for every sample of the last batch: collapsed to a constant output " +
               "(typically every unit of a layer dead after too large a step), which training does not undo; " +
               "start again or resume with a lower --lr or --lambda";
    }

    /// <summary>
    /// Draws the learning curve from the CSV log as an SVG chart: accuracies per epoch in one panel, losses (each
    /// net's training cross-entropy and evaluation loss) in a second; <paramref name="evaluatedOn"/> names the part
    /// the epochs were evaluated on ("validation" or "test") in the legend. Epochs are shown 1-based, as on the
    /// console.
    /// </summary>
    public void WriteCurve(string svgPath, string title, string evaluatedOn = "test")
    {
        var lines = File.ReadAllLines(_path);
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        int epoch = Array.IndexOf(header, "epoch");
        if (epoch < 0) return;
        // A net that is not trained logs a training cross-entropy of 0 and an evaluation of NaN: no line for it.
        List<(string, IReadOnlyList<(double, double)>)> Series(params (string Column, string Name)[] wanted)
        {
            var series = new List<(string, IReadOnlyList<(double, double)>)>();
            foreach (var (column, name) in wanted)
            {
                int c = Array.IndexOf(header, column);
                if (c < 0) continue;
                var points = rows.Select(f => (X: double.Parse(f[epoch], CultureInfo.InvariantCulture) + 1,
                        Y: Parse(f[c]))).Where(p => double.IsFinite(p.Y)).Select(p => (p.X, p.Y)).ToList();
                if (points.Count > 0 && points.Any(p => p.Y != 0)) series.Add((name, points));
            }
            return series;
        }
        var accuracy = Series(("val_light_acc", $"{evaluatedOn} accuracy, light"),
            ("val_booster_acc", $"{evaluatedOn} accuracy, booster"), ("train_light_acc", "train accuracy, light"));
        var loss = Series(("train_light_ce", "train loss, light"), ("train_booster_ce", "train loss, booster"),
            ("val_light_loss", $"{evaluatedOn} loss, light"), ("val_booster_loss", $"{evaluatedOn} loss, booster"));
        var panels = new List<ChartPanel>();
        if (accuracy.Count > 0) panels.Add(new ChartPanel("accuracy", accuracy));
        if (loss.Count > 0) panels.Add(new ChartPanel("loss (cross-entropy)", loss));
        if (panels.Count == 0) return;
        File.WriteAllText(svgPath, SvgChart.Render(title, "epoch", panels, integerX: true));
    }

    private static double Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static string Number(double v) => double.IsNaN(v) ? "-" : v.ToString("F4", CultureInfo.InvariantCulture);

    private static string Percent(double v) => double.IsNaN(v)
        ? "-" : (v * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
