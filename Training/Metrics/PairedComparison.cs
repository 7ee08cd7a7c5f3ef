namespace RocketNet.Training.Metrics;

/// <summary>
/// What a paired comparison says, at the 5 % level after Holm correction and with an equivalence margin.
/// </summary>
public enum ComparisonVerdict
{
    /// <summary>
    /// The treatment is better: Holm-adjusted p &lt; 0.05 and the interval excludes 0 on the better side.
    /// </summary>
    Better,

    /// <summary>The treatment is worse, by the same rule.</summary>
    Worse,

    /// <summary>The whole 95 % interval lies inside ±margin: no effect larger than the margin.</summary>
    Equivalent,

    /// <summary>None of the above: the data cannot tell.</summary>
    Inconclusive,
}

/// <summary>
/// A treatment against its base over seeds, paired by seed (same seed = same initialisation and batch
/// order): the mean difference with a 95 % t-interval and a two-sided sign-flip permutation p-value.
/// </summary>
/// <param name="Name">What is compared.</param>
/// <param name="Seeds">Number of paired seeds.</param>
/// <param name="TreatmentMean">Mean of the treatment's values.</param>
/// <param name="BaseMean">Mean of the base's values.</param>
/// <param name="MeanDifference">Mean of treatment − base over the pairs.</param>
/// <param name="Low">Lower end of the 95 % t-interval of the mean difference (NaN for one seed).</param>
/// <param name="High">Upper end of the 95 % t-interval.</param>
/// <param name="PValue">Two-sided sign-flip permutation p-value (exact up to 16 seeds).</param>
/// <param name="AdjustedPValue">Holm-adjusted p-value within its family (equals <paramref name="PValue"/> until
/// adjusted).</param>
public sealed record PairedComparison(string Name, int Seeds, double TreatmentMean, double BaseMean,
    double MeanDifference,
    double Low, double High, double PValue, double AdjustedPValue)
{
    /// <summary>
    /// Compares <paramref name="treatment"/>[i] with <paramref name="baseline"/>[i] (the same seed i).
    /// </summary>
    /// <exception cref="ArgumentException">The arrays differ in length, are empty, or hold a non-finite
    /// value.</exception>
    public static PairedComparison Compute(string name, IReadOnlyList<double> treatment, IReadOnlyList<double> baseline)
    {
        ArgumentNullException.ThrowIfNull(treatment);
        ArgumentNullException.ThrowIfNull(baseline);
        if (treatment.Count != baseline.Count || treatment.Count == 0)
            throw new ArgumentException(
                $"Paired comparison '{name}': {treatment.Count} treatment and {baseline.Count} base values; need " +
                "the same, non-zero count.", nameof(treatment));
        if (treatment.Concat(baseline).Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"Paired comparison '{name}': a value is NaN or infinite.", nameof(treatment));
        var differences = treatment.Zip(baseline, (t, b) => t - b).ToArray();
        int n = differences.Length;
        double mean = differences.Average();
        double low = double.NaN, high = double.NaN;
        if (n > 1)
        {
            double variance = differences.Sum(d => (d - mean) * (d - mean)) / (n - 1);
            double half = StudentT.Quantile(0.975, n - 1) * Math.Sqrt(variance / n);
            (low, high) = (mean - half, mean + half);
        }
        double p = SignFlipPValue(differences);
        return new PairedComparison(name, n, treatment.Average(), baseline.Average(), mean, low, high, p, p);
    }

    /// <summary>
    /// Two-sided sign-flip permutation p-value of the mean of <paramref name="differences"/>: the share of the
    /// 2ⁿ sign patterns whose |mean| is at least the observed one (exact for n ≤ 16; 200,000 seeded random
    /// patterns above, counting the observed one).
    /// </summary>
    public static double SignFlipPValue(IReadOnlyList<double> differences)
    {
        ArgumentNullException.ThrowIfNull(differences);
        int n = differences.Count;
        if (n == 0) throw new ArgumentException("No differences.", nameof(differences));
        double observed = Math.Abs(differences.Sum());
        double tolerance = 1e-12 * differences.Sum(Math.Abs);  // sums equal up to rounding count as "at least"
        if (n <= 16)
        {
            long atLeast = 0, patterns = 1L << n;
            for (long mask = 0; mask < patterns; mask++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += (mask >> i & 1) == 0 ? differences[i] : -differences[i];
                if (Math.Abs(sum) >= observed - tolerance) atLeast++;
            }
            return (double)atLeast / patterns;
        }
        const int Draws = 200_000;
        var random = new RandomGenerator(20_180_202);
        long hits = 1;
        for (int draw = 0; draw < Draws; draw++)
        {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += (random.NextUInt64() & 1) == 0 ? differences[i] : -differences[i];
            if (Math.Abs(sum) >= observed - tolerance) hits++;
        }
        return (double)hits / (Draws + 1);
    }

    /// <summary>Holm's step-down adjustment of a family's p-values (returned in the given order).</summary>
    public static double[] HolmAdjust(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        int m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }

    /// <summary>The family's comparisons with Holm-adjusted p-values.</summary>
    public static IReadOnlyList<PairedComparison> Holm(IReadOnlyList<PairedComparison> family)
    {
        ArgumentNullException.ThrowIfNull(family);
        var adjusted = HolmAdjust(family.Select(c => c.PValue).ToArray());
        return family.Select((c, i) => c with { AdjustedPValue = adjusted[i] }).ToList();
    }

    /// <summary>
    /// The verdict for a metric where <paramref name="higherIsBetter"/> says which direction is good, with an
    /// equivalence <paramref name="margin"/> stated in advance (in the metric's units).
    /// </summary>
    public ComparisonVerdict Verdict(double margin, bool higherIsBetter = true)
    {
        if (Seeds > 1 && AdjustedPValue < 0.05 && (Low > 0 || High < 0))
            return (Low > 0) == higherIsBetter ? ComparisonVerdict.Better : ComparisonVerdict.Worse;
        if (Seeds > 1 && Low >= -margin && High <= margin) return ComparisonVerdict.Equivalent;
        return ComparisonVerdict.Inconclusive;
    }
}
