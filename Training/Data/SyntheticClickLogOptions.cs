namespace RocketNet.Training.Data;

/// <summary>
/// Size, seed and calibration of a <see cref="SyntheticClickLog"/>. The defaults are the CTR experiment's:
/// 100,000 users, 5,000 ads, 2,000,000 training and 500,000 test impressions, overall CTR 4 %.
/// </summary>
public sealed record SyntheticClickLogOptions
{
    /// <summary>Number of users (the user-id field's vocabulary).</summary>
    public int Users { get; init; } = 100_000;

    /// <summary>
    /// Number of ads (the ad-id field's vocabulary); brands are one per 10 ads, 3 campaigns per brand.
    /// </summary>
    public int Ads { get; init; } = 5_000;

    /// <summary>Impressions of the training part (the earlier ones in time).</summary>
    public int TrainImpressions { get; init; } = 2_000_000;

    /// <summary>Impressions of the test part (the later ones in time, same users and ads).</summary>
    public int TestImpressions { get; init; } = 500_000;

    /// <summary>Seed of everything: users, ads, hidden model, impressions and clicks.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Width k of the hidden user and ad latent vectors.</summary>
    public int LatentDimension { get; init; } = 8;

    /// <summary>Number of interest categories (shared by users' interests and ads' categories).</summary>
    public int Categories { get; init; } = 24;

    /// <summary>Expected click-through rate of the training part; the model's global bias is solved for it.</summary>
    public double TargetCtr { get; init; } = 0.04;

    /// <summary>
    /// The options for a run of <paramref name="trainImpressions"/> training impressions and a test part a
    /// quarter that size (at least 1), with the given seed and default world size.
    /// </summary>
    public static SyntheticClickLogOptions ForImpressions(int trainImpressions, ulong seed) => new()
    {
        TrainImpressions = trainImpressions,
        TestImpressions = Math.Max(1, trainImpressions / 4),
        Seed = seed,
    };

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A count is not positive, or the target CTR is outside [0.001,
    /// 0.5].</exception>
    public void Validate()
    {
        RequirePositive(Users, nameof(Users), "users");
        RequirePositive(Ads, nameof(Ads), "ads");
        RequirePositive(TrainImpressions, nameof(TrainImpressions), "training impressions");
        RequirePositive(TestImpressions, nameof(TestImpressions), "test impressions");
        if (LatentDimension is < 1 or > 256)
            throw new ArgumentException(
                $"Synthetic click log: the latent dimension must be in [1, 256], got {LatentDimension}.",
                nameof(LatentDimension));
        if (Categories is < 2 or > 1000)
            throw new ArgumentException(
                $"Synthetic click log: the number of categories must be in [2, 1000], got {Categories}.",
                nameof(Categories));
        if (!(TargetCtr >= 0.001 && TargetCtr <= 0.5))
            throw new ArgumentException(
                $"Synthetic click log: the target CTR must be in [0.001, 0.5], got {TargetCtr}.", nameof(TargetCtr));
        int maxRows = Array.MaxLength / SyntheticClickFields.Count;
        if (Math.Max(TrainImpressions, TestImpressions) > maxRows)
            throw new ArgumentException(
                $"Synthetic click log: {Math.Max(TrainImpressions, TestImpressions)} impressions of " +
                $"{SyntheticClickFields.Count} fields do not fit one array; " +
                $"at most {maxRows} per part.", nameof(TrainImpressions));
    }

    private static void RequirePositive(int value, string parameter, string what)
    {
        if (value < 1)
            throw new ArgumentException($"Synthetic click log: the number of {what} must be positive, got {value}.",
                parameter);
    }
}
