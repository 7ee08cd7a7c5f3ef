using System.Globalization;
using RocketNet.Training.Metrics;

namespace RocketNet.Cli.Commands;

/// <summary>What <see cref="LaunchDecision.Choose"/> decided, and why in one line.</summary>
/// <param name="Winner">The arm to ship: a candidate's name, or the light net alone's.</param>
/// <param name="Reason">One sentence a user can read: the gain, its interval and the rule.</param>
/// <param name="Comparisons">Every candidate against the light net alone, paired by seed, with the interval the
/// rule used.</param>
internal sealed record LaunchChoice(string Winner, string Reason, IReadOnlyList<LaunchComparison> Comparisons);

/// <summary>A candidate against the light net alone: the paired mean gain and its simultaneous interval.</summary>
/// <param name="Name">The candidate.</param>
/// <param name="MeanGain">Mean over seeds of candidate − light alone, in the metric's units.</param>
/// <param name="Low">Lower end of the simultaneous (Bonferroni) 95 % t-interval; NaN with one seed.</param>
/// <param name="High">Upper end.</param>
internal sealed record LaunchComparison(string Name, double MeanGain, double Low, double High);

/// <summary>
/// The rule that keeps <c>launch --data</c> from recommending a worse light net: a candidate replaces the light net
/// alone only when its paired gain over the seeds is above zero with 95 % confidence for all candidates at once
/// (Bonferroni: each interval at 1 − 0.05/m for m candidates, Student t with seeds − 1 degrees of freedom). Among
/// those, the largest mean gain wins. Otherwise, the light net alone: the simpler net is the default, and the noise
/// between seeds, not the best-looking median, decides. The seeds share one validation split, so their spread says
/// nothing of that split's own sampling noise: on small tables three seeds can gain the very same three samples
/// (a zero-width interval). So the interval is never narrower than the validation set's standard error of a
/// difference of two scores, at the same simultaneous level (normal quantile).
/// </summary>
internal static class LaunchDecision
{
    /// <summary>
    /// Chooses between <paramref name="alone"/> (the light net alone's metric per seed) and the
    /// <paramref name="candidates"/> (the same seeds, in the same order); <paramref name="metric"/> and
    /// <paramref name="scale"/> only shape the reason's wording (e.g. "accuracy", 100 for points);
    /// <paramref name="validationError"/> is the standard error of one score on the validation split (see
    /// <see cref="AccuracyStandardError"/> and <see cref="AucStandardError"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A candidate's seed count differs from the light net alone's.</exception>
    public static LaunchChoice Choose(IReadOnlyList<double> alone,
        IReadOnlyList<(string Name, IReadOnlyList<double> Values)> candidates, string metric, double scale,
        double validationError = 0)
    {
        ArgumentNullException.ThrowIfNull(alone);
        ArgumentNullException.ThrowIfNull(candidates);
        int seeds = alone.Count, m = Math.Max(1, candidates.Count);
        double t = seeds > 1 ? StudentT.Quantile(1 - 0.025 / m, seeds - 1) : double.NaN;
        // The split's own noise: a difference of two scores on it, at the same simultaneous level.
        double floor = StudentT.Quantile(1 - 0.025 / m, 1e9) * Math.Sqrt(2) * validationError;
        var comparisons = candidates.Select(c =>
        {
            if (c.Values.Count != seeds)
                throw new ArgumentException(
                    $"Candidate '{c.Name}' has {c.Values.Count} seeds, the light net alone {seeds}.",
                    nameof(candidates));
            var gains = c.Values.Zip(alone, (v, a) => v - a).ToArray();
            double mean = gains.Average();
            if (seeds < 2) return new LaunchComparison(c.Name, mean, double.NaN, double.NaN);
            double sd = Math.Sqrt(gains.Sum(g => (g - mean) * (g - mean)) / (seeds - 1));
            double half = Math.Max(t * sd / Math.Sqrt(seeds), floor);
            return new LaunchComparison(c.Name, mean, mean - half, mean + half);
        }).ToList();

        string Points(double v) => (v * scale).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
        string Interval(LaunchComparison c) => $"[{Points(c.Low)}, {Points(c.High)}]";
        var winner = comparisons.Where(c => c.Low > 0).MaxBy(c => c.MeanGain);
        if (winner is not null)
            return new LaunchChoice(winner.Name,
                $"{winner.Name}: {Points(winner.MeanGain)} {metric} over the light net alone, interval " +
                $"{Interval(winner)} over {seeds} seeds (simultaneous for {m} candidates), the largest gain above 0",
                comparisons);
        var best = comparisons.MaxBy(c => c.MeanGain);
        string why = seeds < 2
            ? "one seed cannot separate a gain from the noise (use --seeds 3 or more)"
            : best is null
                ? "there is no candidate"
                : $"no candidate beats it beyond the noise between {seeds} seeds (best: {best.Name}, " +
                  $"{Points(best.MeanGain)} {metric}, interval {Interval(best)})";
        return new LaunchChoice(LaunchArm.LightAlone.Name, $"{LaunchArm.LightAlone.Name}: {why}", comparisons);
    }

    /// <summary>Standard error of an accuracy <paramref name="accuracy"/> measured on <paramref name="count"/>
    /// samples (binomial).</summary>
    public static double AccuracyStandardError(double accuracy, int count) =>
        Math.Sqrt(Math.Max(accuracy * (1 - accuracy), 0) / Math.Max(count, 1));

    /// <summary>Standard error of an AUC <paramref name="auc"/> from <paramref name="positives"/> and
    /// <paramref name="negatives"/> (Hanley and McNeil, 1982).</summary>
    public static double AucStandardError(double auc, int positives, int negatives)
    {
        double q1 = auc / (2 - auc), q2 = 2 * auc * auc / (1 + auc);
        double variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc))
            / Math.Max(1.0 * positives * negatives, 1);
        return Math.Sqrt(Math.Max(variance, 0));
    }
}
