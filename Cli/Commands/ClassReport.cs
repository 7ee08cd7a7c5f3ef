using System.Globalization;
using System.Text;

namespace RocketNet.Cli.Commands;

/// <summary>
/// Precision, recall and a compact confusion matrix from confusion counts, as console lines for <c>predict</c>.
/// Precision of a class: the share right among the rows predicted as it; recall: the share found among the rows
/// truly of it ("-" when there is no such row).
/// </summary>
internal static class ClassReport
{
    /// <summary>The most classes whose confusion matrix is printed; a wider one would wrap on a console.</summary>
    public const int MaxMatrixClasses = 20;

    /// <summary>The report's lines; <paramref name="count"/>(truth, predicted) gives the confusion counts.</summary>
    public static IEnumerable<string> Lines(string[] classNames, Func<int, int, long> count)
    {
        int k = classNames.Length;
        var truths = new long[k];
        var predictions = new long[k];
        for (int t = 0; t < k; t++)
        {
            for (int p = 0; p < k; p++)
            {
                truths[t] += count(t, p);
                predictions[p] += count(t, p);
            }
        }
        int nameWidth = Math.Max(5, classNames.Max(n => n.Length));
        yield return "per class (precision: right among the rows predicted as the class; recall: found among the " +
                     "rows of the class):";
        yield return $"  {"class".PadRight(nameWidth)}  precision     recall      count";
        for (int c = 0; c < k; c++)
            yield return $"  {classNames[c].PadRight(nameWidth)}  {Percent(count(c, c), predictions[c]),9}  " +
                         $"{Percent(count(c, c), truths[c]),9}  {truths[c],9:N0}";
        if (k > MaxMatrixClasses)
        {
            yield return $"  (confusion matrix left out: {k} classes, more than {MaxMatrixClasses})";
            yield break;
        }
        yield return "confusion matrix (rows: true class, columns: predicted class):";
        long most = 0;
        for (int t = 0; t < k; t++) for (int p = 0; p < k; p++) most = Math.Max(most, count(t, p));
        int cell = Math.Max(most.ToString(CultureInfo.InvariantCulture).Length, classNames.Max(n => n.Length)) + 1;
        var line = new StringBuilder("  ").Append(' ', nameWidth);
        foreach (string name in classNames) line.Append(name.PadLeft(cell));
        yield return line.ToString();
        for (int t = 0; t < k; t++)
        {
            line.Clear().Append("  ").Append(classNames[t].PadRight(nameWidth));
            for (int p = 0; p < k; p++) line.Append(count(t, p).ToString(CultureInfo.InvariantCulture).PadLeft(cell));
            yield return line.ToString();
        }
    }

    private static string Percent(long part, long whole) =>
        whole == 0 ? "-" : (100.0 * part / whole).ToString("F2", CultureInfo.InvariantCulture) + "%";
}
