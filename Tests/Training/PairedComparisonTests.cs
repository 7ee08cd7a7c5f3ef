using RocketNet.Training.Metrics;
using Xunit;

namespace RocketNet.Tests.Training;

/// <summary>The statistics behind RESULTS.md: t quantiles, the sign-flip test, Holm's correction, verdicts.</summary>
public class PairedComparisonTests
{
    [Theory]
    [InlineData(1, 12.7062047)]
    [InlineData(2, 4.30265273)]
    [InlineData(4, 2.77644511)]
    [InlineData(7, 2.36462425)]
    [InlineData(30, 2.04227246)]
    [InlineData(1000, 1.96233908)]
    public void TQuantilesMatchTables(int degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, StudentT.Quantile(0.975, degreesOfFreedom), 6);
        Assert.Equal(-expected, StudentT.Quantile(0.025, degreesOfFreedom), 6);
    }

    [Fact]
    public void TCdfIsOneHalfAtZeroAndMatchesTheCauchyForOneDegree()
    {
        Assert.Equal(0.5, StudentT.Cdf(0, 3), 12);
        // With ν = 1, T is Cauchy: P(T ≤ t) = 1/2 + atan(t)/π.
        foreach (double t in new[] { -5.0, -0.3, 0.7, 2.0, 40.0 })
            Assert.Equal(0.5 + Math.Atan(t) / Math.PI, StudentT.Cdf(t, 1), 10);
    }

    [Fact]
    public void SignFlipPValueCountsPatternsExactly()
    {
        // All 4 differences positive: only the all-plus and all-minus patterns reach |sum| = 10: p = 2/16.
        Assert.Equal(2.0 / 16, PairedComparison.SignFlipPValue([1, 2, 3, 4]), 12);
        // Differences {1, -1}: every pattern has |sum| ≥ 0 = observed: p = 1.
        Assert.Equal(1.0, PairedComparison.SignFlipPValue([1, -1]), 12);
        // {3, 1, 1}: |sum| ≥ 5 only for (+,+,+) and (−,−,−): 2/8.
        Assert.Equal(0.25, PairedComparison.SignFlipPValue([3, 1, 1]), 12);
    }

    [Fact]
    public void SignFlipPValueAboveSixteenSeedsIsAStableEstimate()
    {
        var differences = Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? -0.2 : 0.5).ToArray();
        double p = PairedComparison.SignFlipPValue(differences);
        Assert.Equal(p, PairedComparison.SignFlipPValue(differences)); // seeded
        Assert.InRange(p, 0.0001, 0.05);
    }

    [Fact]
    public void HolmAdjustsStepDownAndKeepsTheOrder()
    {
        // Sorted 0.01, 0.02, 0.04 with m = 3: 0.03, max(0.03, 0.04) = 0.04, max(0.04, 0.04) = 0.04.
        Assert.Equal([0.04, 0.03, 0.04],
            PairedComparison.HolmAdjust([0.04, 0.01, 0.02]).Select(p => Math.Round(p, 12)));
        Assert.Equal([1.0, 1.0], PairedComparison.HolmAdjust([0.6, 0.9]));
    }

    [Fact]
    public void ComputeGivesTheMeanDifferenceAndItsTInterval()
    {
        // Differences 1, 2, 3: mean 2, sd 1, half-width t(0.975, 2)·1/√3.
        var c = PairedComparison.Compute("x", [11, 12, 13], [10, 10, 10]);
        Assert.Equal(2, c.MeanDifference, 12);
        double half = 4.30265273 / Math.Sqrt(3);
        Assert.Equal(2 - half, c.Low, 6);
        Assert.Equal(2 + half, c.High, 6);
        Assert.Equal(0.25, c.PValue, 12);
        Assert.Equal(12, c.TreatmentMean, 12);
    }

    [Fact]
    public void VerdictsNeedSignificanceOrATightInterval()
    {
        var better = PairedComparison.Compute("better", Enumerable.Range(0, 8).Select(i => 90.0 + i * 0.01).ToArray(),
            Enumerable.Range(0, 8).Select(i => 89.0).ToArray());
        Assert.Equal(ComparisonVerdict.Better, better.Verdict(0.5));
        Assert.Equal(ComparisonVerdict.Worse, better.Verdict(0.5, higherIsBetter: false));
        var tight = PairedComparison.Compute("same", [89.01, 88.99, 89.02, 88.98, 89.0, 89.01],
            [89, 89, 89, 89, 89, 89]);
        Assert.Equal(ComparisonVerdict.Equivalent, tight.Verdict(0.5));
        var noisy = PairedComparison.Compute("noisy", [90, 88, 91, 87], [89, 89, 89, 89]);
        Assert.Equal(ComparisonVerdict.Inconclusive, noisy.Verdict(0.5));
        // A Holm adjustment can take significance away.
        Assert.Equal(ComparisonVerdict.Inconclusive, (better with { AdjustedPValue = 0.2 }).Verdict(0.5));
    }

    [Fact]
    public void BadInputIsRefusedWithTheComparisonsName()
    {
        var e = Assert.Throws<ArgumentException>(() => PairedComparison.Compute("rocket vs base", [1, 2], [1]));
        Assert.Contains("rocket vs base", e.Message);
        Assert.Throws<ArgumentException>(() => PairedComparison.Compute("nan", [double.NaN], [1]));
    }
}
