using System.Globalization;
using RocketNet.Cli.Reporting;
using RocketNet.Training.Rocket;

namespace RocketNet.Cli.Commands;

/// <summary>The per-epoch CSV log of a run, and the learning curve drawn from it.</summary>
public sealed class RunLog
{
    private readonly string _path;

    /// <summary>Starts a log (writing the header) or continues one when resuming.</summary>
    public RunLog(string path, bool append)
    {
        _path = path;
        if (!append || !File.Exists(path)) File.WriteAllText(path, EpochRecord.CsvHeader + "\n");
    }

    /// <summary>Appends one epoch's row.</summary>
    public void Append(EpochRecord record) => File.AppendAllText(_path, record.ToCsvRow() + "\n");

    /// <summary>Checkpoint metrics of an epoch.</summary>
    public static Dictionary<string, string> Metrics(EpochRecord r)
    {
        var metrics = new Dictionary<string, string> { ["train_loss"] = F(r.TrainLoss.Total) };
        if (r.Validation is { } v)
        {
            if (!double.IsNaN(v.Light.Accuracy)) metrics["test_light_accuracy"] = F(v.Light.Accuracy);
            if (!double.IsNaN(v.Booster.Accuracy)) metrics["test_booster_accuracy"] = F(v.Booster.Accuracy);
            if (!double.IsNaN(v.Light.Auc)) metrics["test_light_auc"] = F(v.Light.Auc);
            if (!double.IsNaN(v.Booster.Auc)) metrics["test_booster_auc"] = F(v.Booster.Auc);
            if (!double.IsNaN(v.Light.GroupAuc)) metrics["test_light_gauc"] = F(v.Light.GroupAuc);
            if (!double.IsNaN(v.Booster.GroupAuc)) metrics["test_booster_gauc"] = F(v.Booster.GroupAuc);
        }
        return metrics;
    }

    /// <summary>One plain line about an epoch.</summary>
    public static string Describe(EpochRecord r, int epochs)
    {
        string test = r.Validation is { } v
            ? $" | test light {Percent(v.Light.Accuracy)} booster {Percent(v.Booster.Accuracy)}" +
              (double.IsNaN(v.Light.Auc) && double.IsNaN(v.Booster.Auc) ? "" : $" AUC light {Number(v.Light.Auc)} booster {Number(v.Booster.Auc)}" +
                 (double.IsNaN(v.Light.GroupAuc) && double.IsNaN(v.Booster.GroupAuc) ? "" : $" GAUC light {Number(v.Light.GroupAuc)} booster {Number(v.Booster.GroupAuc)}"))
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch + 1}/{epochs} lr {r.LearningRate:G3} loss {r.TrainLoss.Total:F4} (hint {r.TrainLoss.Hint:F4}) " +
            $"train light {Percent(r.TrainLightAccuracy)} booster {Percent(r.TrainBoosterAccuracy)}{test} [{r.Seconds:F1} s]");
    }

    /// <summary>Draws train loss and test accuracies per epoch from the CSV log as an SVG chart.</summary>
    public void WriteCurve(string svgPath, string title)
    {
        var lines = File.ReadAllLines(_path);
        var header = lines[0].Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var series = new List<(string, IReadOnlyList<(double, double)>)>();
        foreach (var (column, name) in new[] { ("val_light_acc", "test accuracy, light"), ("val_booster_acc", "test accuracy, booster"), ("train_light_acc", "train accuracy, light") })
        {
            int c = Column(column), e = Column("epoch");
            if (c < 0 || e < 0) continue;
            var points = lines.Skip(1).Select(l => l.Split(','))
                .Select(f => (X: double.Parse(f[e], CultureInfo.InvariantCulture) + 1, Y: Parse(f[c])))
                .Where(p => double.IsFinite(p.Y)).Select(p => (p.X, p.Y)).ToList();
            if (points.Count > 0) series.Add((name, points));
        }
        if (series.Count == 0) return;
        File.WriteAllText(svgPath, SvgChart.Render(title, "epoch", "accuracy", series));
    }

    private static double Parse(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static string Number(double v) => double.IsNaN(v) ? "-" : v.ToString("F4", CultureInfo.InvariantCulture);

    private static string Percent(double v) => double.IsNaN(v) ? "-" : (v * 100).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
