using RocketNet.Cli.Commands;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// The rule behind <c>launch --data</c>'s recommendation (issue 26): a candidate replaces the light net alone only
/// when its paired gain is above zero for all candidates at once; otherwise the light net alone ships.
/// </summary>
public class LaunchDecisionTests
{
    private static readonly double[] Alone = [0.80, 0.82, 0.81, 0.79, 0.80];

    private static (string, IReadOnlyList<double>) Arm(string name, params double[] gains) =>
        (name, Alone.Zip(gains, (a, g) => a + g).ToArray());

    [Fact]
    public void AConsistentGainWinsAndTheLargestOfSeveralIsChosen()
    {
        var choice = LaunchDecision.Choose(Alone,
        [
            Arm("small but sure", 0.010, 0.011, 0.009, 0.010, 0.010),
            Arm("larger and sure", 0.030, 0.031, 0.029, 0.030, 0.032),
            Arm("largest but noisy", 0.20, -0.15, 0.18, -0.12, 0.10),
        ], "points of accuracy", 100);
        Assert.Equal("larger and sure", choice.Winner);
        Assert.StartsWith("larger and sure: +3.04 points of accuracy over the light net alone", choice.Reason);
        var noisy = choice.Comparisons.Single(c => c.Name == "largest but noisy");
        Assert.True(noisy.Low < 0 && noisy.High > 0);
    }

    [Fact]
    public void WithoutAGainBeyondTheNoiseTheLightNetAloneShips()
    {
        var choice = LaunchDecision.Choose(Alone,
        [
            Arm("worse", -0.02, -0.03, -0.01, -0.02, -0.02),
            Arm("noisy", 0.05, -0.04, 0.03, -0.02, 0.01),
        ], "points of accuracy", 100);
        Assert.Equal("light alone", choice.Winner);
        Assert.Contains("no candidate beats it beyond the noise between 5 seeds (best: noisy, +0.60", choice.Reason);
    }

    [Fact]
    public void TheIntervalWidensWithTheNumberOfCandidates()
    {
        // Gains of +1 point ± 0.6: clear against one candidate, not against twenty at once.
        double[] gains = [0.016, 0.004, 0.012, 0.005, 0.013];
        var alone = LaunchDecision.Choose(Alone, [Arm("it", gains)], "points", 100);
        Assert.Equal("it", alone.Winner);
        var many = LaunchDecision.Choose(Alone,
            [Arm("it", gains), .. Enumerable.Range(0, 19).Select(i => Arm($"other {i}", 0, 0, 0, 0, 0))],
            "points", 100);
        Assert.Equal("light alone", many.Winner);
        Assert.True(many.Comparisons[0].Low < alone.Comparisons[0].Low);
    }

    [Fact]
    public void OneSeedNeverReplacesTheLightNetAlone()
    {
        var choice = LaunchDecision.Choose([0.5], [("better", [0.9])], "AUC", 1);
        Assert.Equal("light alone", choice.Winner);
        Assert.Contains("one seed cannot separate", choice.Reason);
        Assert.Throws<ArgumentException>(() => LaunchDecision.Choose([0.5, 0.6], [("short", [0.9])], "AUC", 1));
    }

    [Fact]
    public void ThreeSeedsGainingTheSameFewSamplesDoNotBeatTheValidationSplitsOwnNoise()
    {
        // DNA in the own-data suite: every seed gained the same 3 of 510 validation samples (+0.59 points), a
        // zero-width interval across seeds; the split's own standard error (about 1 point) must still be beaten.
        double[] alone = [0.9412, 0.9431, 0.9392];
        var gained = alone.Select(a => a + 0.0059).ToArray();
        var fromSeeds = LaunchDecision.Choose(alone, [("same three samples", gained)], "points", 100);
        Assert.Equal("same three samples", fromSeeds.Winner);
        double error = LaunchDecision.AccuracyStandardError(0.94, 510);
        Assert.Equal(0.0105, error, 4);
        var withSplit = LaunchDecision.Choose(alone, [("same three samples", gained)], "points", 100, error);
        Assert.Equal("light alone", withSplit.Winner);
        Assert.True(withSplit.Comparisons[0].Low < 0);
        Assert.InRange(LaunchDecision.AucStandardError(0.8, 100, 100), 0.02, 0.04);
    }
}
