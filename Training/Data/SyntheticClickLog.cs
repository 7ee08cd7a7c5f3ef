using RocketNet.Training.Metrics;

namespace RocketNet.Training.Data;

/// <summary>
/// A seeded synthetic ad-click log for CTR experiments where GAUC per user can be measured, standing in for
/// the paper's private ads data. Generation:
/// <list type="bullet">
/// <item><b>Users</b> (default 100,000) have Zipf-like activity (weight of activity rank r is r^-0.7, ranks
/// shuffled over ids: a few heavy users, many light ones), a hidden latent vector of width k (default 8) and a
/// hidden bias, and visible attributes read from the latent plus noise: age bucket, gender (10 % unknown), city
/// tier, interest category (the nearest of C random category directions, noisily), device preference, and an
/// activity bucket (log₂ of the activity rank).</item>
/// <item><b>Ads</b> (default 5,000) have Zipf-like popularity (r^-0.6), a latent vector sharing 0.6 of its
/// direction with its brand's (one brand per 10 ads, 3 campaigns per brand), a category read from the latent
/// like the users' interests, a price bucket read from the latent, a creative type and a hidden bias.</item>
/// <item><b>Impressions</b> in time order over 14 days: a user drawn by activity; 30 % of the time a targeted
/// ad of the user's interest category, otherwise an ad drawn by popularity; the user's preferred device 75 %
/// of the time; an hour around the user's peak hour; a position slot skewed to the top; a network type that
/// depends on the device.</item>
/// <item><b>Hidden click model</b> (non-linear): logit = b + position effect (−0.6·ln(1+slot)) + 2.5·m/(1+|m|)
/// for the latent match m = u·a (unit variance; saturating) + interest×category table (a bonus on and next
/// to the diagonal plus noise) + hour×device table + user and ad biases + creative and weekday effects −
/// 1.2·max(0, price/9 − age/6 − 0.2) (expensive ads for young users). The global bias b is solved (bisection)
/// so that the mean click probability of the training part is <see cref="SyntheticClickLogOptions.TargetCtr"/>
/// (default 4 %); each label is Bernoulli(sigmoid(logit)).</item>
/// </list>
/// Rows are the 18 fields of <see cref="SyntheticClickFields"/> (exact integers in floats);
/// <see cref="Dataset.Groups"/>
/// holds the user id of each row for GAUC. The test part is the later impressions of the same stream, so it comes
/// after the training part in time and shares its users and ads (with the default 4:1 split its days 11–13 are
/// weekdays 4–6, whose small positive effects lift its CTR a little above the target, e.g. 4.2 % against 3.9 %).
/// World, impressions and clicks use separate <see cref="RandomGenerator"/> streams and only IEEE-exact arithmetic with
/// <see cref="DeterministicMath"/>,
/// so a seed gives identical arrays on every platform. The true logits are kept, for the oracle's AUC and GAUC.
/// </summary>
public sealed class SyntheticClickLog
{
    /// <summary>Days covered by the whole log (training then test impressions, in order).</summary>
    public const int DaysCovered = 14;

    // Rows of the training part used to solve for the global bias (a regular subsample if there are more).
    private const int CalibrationRows = 65_536;

    private SyntheticClickLog(SyntheticClickLogOptions options, Dataset train, Dataset test, float[] trainLogits,
        float[] testLogits, double bias)
    {
        Options = options;
        Train = train;
        Test = test;
        TrainLogits = trainLogits;
        TestLogits = testLogits;
        GlobalBias = bias;
        VocabularySizes = SyntheticClickFields.VocabularySizes(options);
    }

    /// <summary>The options the log was generated with.</summary>
    public SyntheticClickLogOptions Options { get; }

    /// <summary>
    /// Training part: the earlier <see cref="SyntheticClickLogOptions.TrainImpressions"/> impressions.
    /// </summary>
    public Dataset Train { get; }

    /// <summary>Test part: the later <see cref="SyntheticClickLogOptions.TestImpressions"/> impressions.</summary>
    public Dataset Test { get; }

    /// <summary>
    /// The hidden model's click logit of each training row (its click probability is the sigmoid of it).
    /// </summary>
    public float[] TrainLogits { get; }

    /// <summary>The hidden model's click logit of each test row.</summary>
    public float[] TestLogits { get; }

    /// <summary>The global bias b solved for the target CTR.</summary>
    public double GlobalBias { get; }

    /// <summary>Number of ids of each field: field f's ids lie in [0, VocabularySizes[f]).</summary>
    public IReadOnlyList<int> VocabularySizes { get; }

    /// <summary>Field names, in sample order.</summary>
    public static IReadOnlyList<string> FieldNames => SyntheticClickFields.Names;

    /// <summary>
    /// The click probability sigmoid(<paramref name="logit"/>), computed the same way on every platform.
    /// </summary>
    public static double ClickProbability(double logit) => 1 / (1 + DeterministicMath.Exp(-logit));

    /// <summary>Generates the log (about a second per million impressions on one core).</summary>
    /// <exception cref="ArgumentException">An option is out of range (see
    /// <see cref="SyntheticClickLogOptions.Validate"/>).</exception>
    public static SyntheticClickLog Generate(SyntheticClickLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var world = new SyntheticClickWorld(options, new RandomGenerator(StreamSeed(options.Seed, 1)));
        var impressions = new RandomGenerator(StreamSeed(options.Seed, 2));
        long total = (long)options.TrainImpressions + options.TestImpressions;
        var (trainFeatures, trainUsers, trainLogits) = DrawImpressions(world, impressions, 0,
            options.TrainImpressions, total);
        var (testFeatures, testUsers, testLogits) = DrawImpressions(world, impressions, options.TrainImpressions,
            options.TestImpressions, total);

        double bias = SolveBias(trainLogits, options.TargetCtr);
        var clicks = new RandomGenerator(StreamSeed(options.Seed, 3));
        var trainLabels = DrawClicks(trainLogits, bias, clicks);
        var testLabels = DrawClicks(testLogits, bias, clicks);
        string[] classNames = ["no click", "click"];
        int[] shape = [SyntheticClickFields.Count];
        var train = new Dataset("synthetic-clicks/train", trainFeatures, trainLabels, shape, 2, classNames, trainUsers);
        var test = new Dataset("synthetic-clicks/test", testFeatures, testLabels, shape, 2, classNames, testUsers);
        return new SyntheticClickLog(options, train, test, trainLogits, testLogits, bias);
    }

    /// <summary>
    /// AUC and impression-weighted GAUC per user of the hidden model's own scores on the test part: the best any
    /// model can expect, up to the noise of the Bernoulli labels.
    /// </summary>
    public (double Auc, double GroupAuc) OracleTestMetrics() =>
        (RankingMetrics.Auc(TestLogits, Test.Labels), RankingMetrics.GroupAuc(TestLogits, Test.Labels, Test.Groups!));

    /// <summary>Fraction of clicks among the rows of <paramref name="part"/>.</summary>
    public static double ClickThroughRate(Dataset part)
    {
        ArgumentNullException.ThrowIfNull(part);
        long clicks = 0;
        foreach (int label in part.Labels) clicks += label;
        return part.Count == 0 ? 0 : (double)clicks / part.Count;
    }

    // Impressions first .. first+count−1 of the whole log (of `total`), drawn in order from `random`:
    // rows [count, F], the user of each row, and each row's logit without the global bias.
    private static (float[] Features, int[] Users, float[] Logits) DrawImpressions(
        SyntheticClickWorld world, RandomGenerator random, long first, int count, long total)
    {
        var features = new float[count * SyntheticClickFields.Count];
        var users = new int[count];
        var logits = new float[count];
        for (int i = 0; i < count; i++)
        {
            int day = (int)((first + i) * DaysCovered / total);
            logits[i] = (float)world.DrawImpression(random, day,
                features.AsSpan(i * SyntheticClickFields.Count, SyntheticClickFields.Count), out users[i]);
        }
        return (features, users, logits);
    }

    // The b with mean sigmoid(logit + b) = target over (a regular subsample of) the rows, by bisection:
    // the mean is increasing in b, and 60 halvings of [−30, 30] pin b to below 1e-16.
    private static double SolveBias(float[] logits, double target)
    {
        int stride = Math.Max(1, logits.Length / CalibrationRows);
        double low = -30, high = 30;
        for (int iteration = 0; iteration < 60; iteration++)
        {
            double mid = (low + high) / 2, sum = 0;
            int n = 0;
            for (int i = 0; i < logits.Length; i += stride, n++) sum += ClickProbability(logits[i] + mid);
            if (sum / n < target) low = mid;
            else high = mid;
        }
        return (low + high) / 2;
    }

    // Adds the bias to each logit in place (so the stored logits are the true ones) and draws its click.
    private static int[] DrawClicks(float[] logits, double bias, RandomGenerator random)
    {
        var labels = new int[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = (float)(logits[i] + bias);
            labels[i] = random.NextDouble() < ClickProbability(logits[i]) ? 1 : 0;
        }
        return labels;
    }

    // Independent streams of one seed: SplitMix64 seeding decorrelates nearby seeds.
    private static ulong StreamSeed(ulong seed, ulong stream) => seed * 0x9E3779B97F4A7C15UL + stream
        * 0xD1B54A32D192ED03UL;
}
