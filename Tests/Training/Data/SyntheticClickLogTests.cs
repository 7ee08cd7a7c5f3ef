using RocketNet.Training.Data;
using RocketNet.Training.Metrics;
using Xunit;

namespace RocketNet.Tests.Training.Data;

public class SyntheticClickLogTests
{
    // Small enough for a test (about 0.1 s), large enough for stable rates: 20k train + 5k test rows.
    private static readonly SyntheticClickLogOptions Small = new()
    {
        Users = 2_000,
        Ads = 300,
        TrainImpressions = 20_000,
        TestImpressions = 5_000,
        Seed = 7,
    };

    private static readonly Lazy<SyntheticClickLog> SmallLog = new(() => SyntheticClickLog.Generate(Small));

    [Fact]
    public void TheSameSeedGivesIdenticalArraysAndAnotherSeedDifferentOnes()
    {
        var a = SmallLog.Value;
        var b = SyntheticClickLog.Generate(Small);
        var c = SyntheticClickLog.Generate(Small with { Seed = 8 });
        Assert.Equal(a.Train.Features, b.Train.Features);
        Assert.Equal(a.Train.Labels, b.Train.Labels);
        Assert.Equal(a.Test.Features, b.Test.Features);
        Assert.Equal(a.Test.Labels, b.Test.Labels);
        Assert.Equal(a.Test.Groups, b.Test.Groups);
        Assert.Equal(a.TestLogits, b.TestLogits);
        Assert.Equal(a.GlobalBias, b.GlobalBias);
        Assert.NotEqual(a.Train.Features, c.Train.Features);
        Assert.NotEqual(a.Test.Labels, c.Test.Labels);
    }

    [Fact]
    public void FirstRowsArePinnedSoAnyChangeToTheGeneratorIsNoticed()
    {
        // Recorded from this implementation; a change here changes every experiment's data.
        var log = SmallLog.Value;
        Assert.Equal(new float[] { 1844, 0, 2, 0, 17, 0, 0, 126, 17, 26, 79, 0, 3, 22, 0, 2, 0, 2 },
            log.Train.Sample(0).ToArray());
        Assert.Equal(-3.7432861f, log.TrainLogits[0]);
    }

    [Fact]
    public void RowsHaveEighteenFieldsWithIdsInsideTheirVocabularies()
    {
        var log = SmallLog.Value;
        int[] expectedVocabulary = [2_000, 7, 3, 5, 24, 3, 8, 300, 24, 30, 90, 10, 4, 24, 7, 10, 3, 4];
        Assert.Equal(expectedVocabulary, log.VocabularySizes);
        Assert.Equal(SyntheticClickFields.Count, SyntheticClickLog.FieldNames.Count);
        foreach (var part in new[] { log.Train, log.Test })
        {
            Assert.Equal(new[] { SyntheticClickFields.Count }, part.SampleShape);
            Assert.Equal(2, part.ClassCount);
            var seen = new bool[SyntheticClickFields.Count][];
            for (int f = 0; f < seen.Length; f++) seen[f] = new bool[expectedVocabulary[f]];
            for (int i = 0; i < part.Count; i++)
            {
                var row = part.Sample(i);
                Assert.Equal(part.Groups![i], (int)row[SyntheticClickFields.UserId]);
                for (int f = 0; f < row.Length; f++)
                {
                    float id = row[f];
                    Assert.True(id == MathF.Floor(id) && id >= 0 && id < expectedVocabulary[f],
                        $"{part.Name} row {i} field {SyntheticClickLog.FieldNames[f]}: id {id} is not an integer in " +
                        $"[0, {expectedVocabulary[f]}).");
                    seen[f][(int)id] = true;
                }
            }
            // The small fields are fully used (no dead ids in age, device, hour, position, ...); the test part's
            // days are the last few of the log only, so not every weekday.
            foreach (int f in new[] { 1, 2, 3, 5, 11, 12, 13, 15, 16, 17, part == log.Train ? 14 : 1 })
                Assert.All(seen[f],
                    used => Assert.True(used,
                    $"{part.Name}: an id of field {SyntheticClickLog.FieldNames[f]} never occurs."));
        }
    }

    [Fact]
    public void TrainingCtrIsTheTargetAndTheTestCtrIsClose()
    {
        var log = SmallLog.Value;
        Assert.InRange(SyntheticClickLog.ClickThroughRate(log.Train), 0.035, 0.045);
        Assert.InRange(SyntheticClickLog.ClickThroughRate(log.Test), 0.03, 0.06);
        double meanProbability = log.TrainLogits.Average(l => SyntheticClickLog.ClickProbability(l));
        Assert.InRange(meanProbability, 0.0399, 0.0401); // the bias is solved on the training rows
        var rare = SyntheticClickLog.Generate(Small with { TargetCtr = 0.01 });
        Assert.InRange(SyntheticClickLog.ClickThroughRate(rare.Train), 0.007, 0.013);
    }

    [Fact]
    public void ClicksFollowTheHiddenModelWhichRanksWellPerUser()
    {
        var log = SmallLog.Value;
        var (auc, gauc) = log.OracleTestMetrics();
        Assert.InRange(auc, 0.7, 0.95);
        Assert.InRange(gauc, 0.6, 0.95);
        // A visible field alone (position slot, top is better) ranks above chance but well below the oracle.
        var test = log.Test;
        var byPosition = new float[test.Count];
        for (int i = 0; i < test.Count; i++) byPosition[i] = -test.Sample(i)[SyntheticClickFields.Position];
        double positionAuc = RankingMetrics.Auc(byPosition, test.Labels);
        Assert.InRange(positionAuc, 0.52, auc - 0.05);
        // Shuffling the labels breaks the dependence: the oracle's AUC drops to about one half.
        var shuffled = test.Labels.ToArray();
        new RandomGenerator(3).Shuffle(shuffled.AsSpan());
        Assert.InRange(RankingMetrics.Auc(log.TestLogits, shuffled), 0.4, 0.6);
    }

    [Fact]
    public void UserActivityIsSkewedAndTheTestPartIsLaterInTime()
    {
        var log = SmallLog.Value;
        var perUser = new int[Small.Users];
        foreach (int u in log.Train.Groups!) perUser[u]++;
        Array.Sort(perUser);
        Array.Reverse(perUser);
        // The top 1 % of users hold far more than 1 % of the impressions.
        Assert.True(perUser.Take(Small.Users / 100).Sum() > 0.08 * Small.TrainImpressions);
        static int Day(Dataset d, int row) => (int)d.Sample(row)[SyntheticClickFields.DayOfWeek];
        Assert.Equal(0, Day(log.Train, 0));
        Assert.Equal((SyntheticClickLog.DaysCovered - 1) % 7, Day(log.Test, log.Test.Count - 1));
    }

    [Fact]
    public void ForImpressionsMakesATestPartAQuarterOfTheTrainingPart()
    {
        var options = SyntheticClickLogOptions.ForImpressions(1_000, seed: 5);
        Assert.Equal((1_000, 250, 5UL), (options.TrainImpressions, options.TestImpressions, options.Seed));
        Assert.Equal(1, SyntheticClickLogOptions.ForImpressions(3, seed: 1).TestImpressions);
    }

    [Theory]
    [InlineData("users", "number of users must be positive, got 0")]
    [InlineData("ads", "number of ads must be positive, got -1")]
    [InlineData("train", "number of training impressions must be positive, got 0")]
    [InlineData("test", "number of test impressions must be positive, got 0")]
    [InlineData("latent", "latent dimension must be in [1, 256], got 0")]
    [InlineData("categories", "number of categories must be in [2, 1000], got 1")]
    [InlineData("ctr", "target CTR must be in [0.001, 0.5], got 0.9")]
    [InlineData("huge", "do not fit one array")]
    public void BadOptionsAreRejectedWithAClearMessage(string what, string message)
    {
        var options = what switch
        {
            "users" => Small with { Users = 0 },
            "ads" => Small with { Ads = -1 },
            "train" => Small with { TrainImpressions = 0 },
            "test" => Small with { TestImpressions = 0 },
            "latent" => Small with { LatentDimension = 0 },
            "categories" => Small with { Categories = 1 },
            "ctr" => Small with { TargetCtr = 0.9 },
            _ => Small with { TrainImpressions = int.MaxValue },
        };
        var e = Assert.Throws<ArgumentException>(() => SyntheticClickLog.Generate(options));
        Assert.Contains(message, e.Message);
    }
}
