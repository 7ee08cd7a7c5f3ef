namespace RocketNet.Training.Data;

/// <summary>
/// The 18 categorical fields of a <see cref="SyntheticClickLog"/> row, in sample order, and their vocabulary
/// sizes. With an 32-wide embedding per field a tower's input is 18·32 = 576, as in the paper's ads model.
/// Every id of field f lies in [0, <see cref="VocabularySizes"/>[f]); no id is reserved.
/// </summary>
public static class SyntheticClickFields
{
    /// <summary>Number of fields F.</summary>
    public const int Count = 18;

    /// <summary>Field indices within a row (user fields, then ad fields, then the impression's context).</summary>
    public const int UserId = 0, UserAge = 1, UserGender = 2, UserCityTier = 3, UserInterest = 4,
        UserDevicePreference = 5,
        UserActivity = 6, AdId = 7, AdCategory = 8, AdBrand = 9, AdCampaign = 10, AdPrice = 11, AdCreative = 12,
        Hour = 13, DayOfWeek = 14, Position = 15, Device = 16, Network = 17;

    /// <summary>Fixed vocabularies: age buckets, genders (0 = unknown), city tiers, devices, activity buckets, price
    /// buckets,
    /// creative types, hours, days, position slots, network types.</summary>
    public const int AgeBuckets = 7, Genders = 3, CityTiers = 5, Devices = 3, ActivityBuckets = 8, PriceBuckets = 10,
        CreativeTypes = 4, Hours = 24, Days = 7, PositionSlots = 10, NetworkTypes = 4;

    /// <summary>Ads per brand and campaigns per brand.</summary>
    public const int AdsPerBrand = 10, CampaignsPerBrand = 3;

    /// <summary>Field names, in sample order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "user_id", "user_age", "user_gender", "user_city_tier", "user_interest",
        "user_device_preference", "user_activity",
        "ad_id", "ad_category", "ad_brand", "ad_campaign", "ad_price", "ad_creative",
        "hour", "day_of_week", "position", "device", "network",
    ];

    /// <summary>Number of brands for <paramref name="ads"/> ads.</summary>
    public static int Brands(int ads) => Math.Max(1, ads / AdsPerBrand);

    /// <summary>Vocabulary size of every field for the given world size.</summary>
    public static int[] VocabularySizes(SyntheticClickLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int brands = Brands(options.Ads);
        return
        [
            options.Users, AgeBuckets, Genders, CityTiers, options.Categories, Devices, ActivityBuckets,
            options.Ads, options.Categories, brands, brands * CampaignsPerBrand, PriceBuckets, CreativeTypes,
            Hours, Days, PositionSlots, Devices, NetworkTypes,
        ];
    }
}
