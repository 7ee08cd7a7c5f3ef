using System.Numerics;

namespace RocketNet.Training.Data;

/// <summary>
/// The hidden side of a <see cref="SyntheticClickLog"/>, built once from a seed: users and ads with latent
/// vectors and the visible attributes derived from them (plus noise), how often each one is seen, and the
/// tables of the click model. <see cref="DrawImpression"/> draws an impression and returns its click logit without the
/// global
/// bias. Only IEEE-exact arithmetic and <see cref="DeterministicMath"/> are used, so a seed gives the same
/// world on every platform.
/// </summary>
internal sealed class SyntheticClickWorld
{
    // Cut points of standard-normal scores into equiprobable buckets (7, 5, 3 and 10 buckets).
    private static readonly double[] AgeCuts = [-1.07, -0.57, -0.18, 0.18, 0.57, 1.07];
    private static readonly double[] CityCuts = [-0.84, -0.25, 0.25, 0.84];
    private static readonly double[] DeviceCuts = [-0.43, 0.43];
    private static readonly double[] PriceCuts = [-1.28, -0.84, -0.52, -0.25, 0, 0.25, 0.52, 0.84, 1.28];

    /// <summary>Zipf exponents of user activity and ad popularity: weight of rank r is r^-s.</summary>
    private const double UserActivityExponent = 0.7, AdPopularityExponent = 0.6;

    /// <summary>Percentage of impressions whose ad is targeted (drawn from the user's interest category).</summary>
    private const int TargetedPercent = 30;

    private readonly int _k, _categories;

    // Users: latent [Users, k], bias, visible attributes, preferred hour, Zipf activity as a cumulative weight by id.
    private readonly float[] _userLatent, _userBias;
    private readonly byte[] _userAge, _userGender, _userCity, _userDevice, _userActivity, _userPeakHour;
    private readonly short[] _userInterest;
    private readonly double[] _userCumulative;

    // Ads: latent [Ads, k], bias, attributes, Zipf popularity, and the ads of each category (CSR: start [C+1], ids).
    private readonly float[] _adLatent, _adBias;
    private readonly int[] _adBrand, _adCampaign, _categoryStart, _categoryAds;
    private readonly short[] _adCategory;
    private readonly byte[] _adPrice, _adCreative;
    private readonly double[] _adCumulative;

    // Click-model tables: interest × category [C, C], hour × device [24, 3], position, creative and weekday effects.
    private readonly float[] _interestCategory, _hourDevice, _position, _creative, _day;

    /// <summary>Draws the whole world from <paramref name="random"/>.</summary>
    public SyntheticClickWorld(SyntheticClickLogOptions options, RandomGenerator random)
    {
        int users = options.Users, ads = options.Ads, k = options.LatentDimension, c = options.Categories;
        _k = k;
        _categories = c;
        // Latent components are N(0, 1/√k) so that u·a has unit variance; attributes read the N(0, 1) scores z.
        double latentScale = 1 / Math.Sqrt(Math.Sqrt(k));
        var prototypes = new double[c * k]; // category directions, N(0, 1) each
        for (int i = 0; i < prototypes.Length; i++) prototypes[i] = random.NextNormal();
        var z = new double[k];

        _userLatent = new float[users * k];
        _userBias = new float[users];
        (_userAge, _userGender, _userCity, _userDevice, _userActivity, _userPeakHour) =
            (new byte[users], new byte[users], new byte[users], new byte[users], new byte[users], new byte[users]);
        _userInterest = new short[users];
        var userRank = RandomRanks(users, random);
        _userCumulative = ZipfCumulative(userRank, UserActivityExponent);
        int rankBits = BitOperations.Log2((uint)users) + 1;
        for (int u = 0; u < users; u++)
        {
            for (int j = 0; j < k; j++)
            {
                z[j] = random.NextNormal();
                _userLatent[u * k + j] = (float)(z[j] * latentScale);
            }
            _userAge[u] = Bucket(0.8 * z[0] + 0.6 * random.NextNormal(), AgeCuts);
            // 10 % unknown (0); otherwise the sign of a noisy trait.
            _userGender[u] = (byte)(random.NextInt(10) == 0 ? 0 : 0.8 * z[1 % k] + 0.6
                * random.NextNormal() > 0 ? 1 : 2);
            _userCity[u] = Bucket(0.6 * z[2 % k] + 0.8 * random.NextNormal(), CityCuts);
            _userDevice[u] = Bucket(0.7 * z[3 % k] + 0.7 * random.NextNormal(), DeviceCuts);
            _userInterest[u] = (short)NoisyNearestCategory(z, prototypes, random);
            // Bucket 0 = the heaviest users (rank 1); heavier users click a little less per impression.
            _userActivity[u] =
                (byte)(BitOperations.Log2((uint)userRank[u]) * SyntheticClickFields.ActivityBuckets / rankBits);
            _userBias[u] = (float)(0.45 * random.NextNormal() + 0.05 * _userActivity[u]);
            _userPeakHour[u] = (byte)(8 + random.NextInt(16));
        }

        int brands = SyntheticClickFields.Brands(ads);
        var brandLatent = new double[brands * k];
        for (int i = 0; i < brandLatent.Length; i++) brandLatent[i] = random.NextNormal();
        _adLatent = new float[ads * k];
        _adBias = new float[ads];
        (_adBrand, _adCampaign) = (new int[ads], new int[ads]);
        _adCategory = new short[ads];
        (_adPrice, _adCreative) = (new byte[ads], new byte[ads]);
        _adCumulative = ZipfCumulative(RandomRanks(ads, random), AdPopularityExponent);
        for (int a = 0; a < ads; a++)
        {
            int brand = random.NextInt(brands);
            _adBrand[a] = brand;
            _adCampaign[a] = brand * SyntheticClickFields.CampaignsPerBrand
                + random.NextInt(SyntheticClickFields.CampaignsPerBrand);
            // Ads of a brand share part of their latent vector (0.6² + 0.8² = 1 keeps unit variance).
            for (int j = 0; j < k; j++)
            {
                z[j] = 0.6 * brandLatent[brand * k + j] + 0.8 * random.NextNormal();
                _adLatent[a * k + j] = (float)(z[j] * latentScale);
            }
            _adCategory[a] = (short)NoisyNearestCategory(z, prototypes, random);
            _adPrice[a] = Bucket(0.7 * z[4 % k] + 0.7 * random.NextNormal(), PriceCuts);
            _adCreative[a] = (byte)random.NextInt(SyntheticClickFields.CreativeTypes);
            _adBias[a] = (float)(0.3 * random.NextNormal());
        }
        (_categoryStart, _categoryAds) = GroupByCategory(_adCategory, c);

        _interestCategory = new float[c * c];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
                _interestCategory[i * c + j] =
                    (float)(0.3 * random.NextNormal() + (i == j ? 1.0 : j == (i + 1) % c ? 0.4 : 0));
        _hourDevice = new float[SyntheticClickFields.Hours * SyntheticClickFields.Devices];
        for (int h = 0; h < SyntheticClickFields.Hours; h++)
            for (int d = 0; d < SyntheticClickFields.Devices; d++)
            {
                // Mobile (0) in the evening, desktop (1) in working hours, everyone less at night.
                double shape = (d == 0 && h >= 18 ? 0.3 : 0) + (d == 1 && h is >= 9 and <= 17 ? 0.2 : 0)
                    - (h < 6 ? 0.3 : 0);
                _hourDevice[h * SyntheticClickFields.Devices + d] = (float)(shape + 0.25 * random.NextNormal());
            }
        _position = new float[SyntheticClickFields.PositionSlots];
        for (int s = 0; s < _position.Length; s++) _position[s] = (float)(-0.6 * DeterministicMath.Log(1 + s));
        _creative = [0f, 0.2f, -0.15f, 0.05f];
        _day = [0f, 0f, 0f, 0f, 0.05f, 0.15f, 0.12f];
    }

    /// <summary>
    /// Writes the 18 fields of one impression into <paramref name="row"/> (see <see cref="SyntheticClickFields"/>)
    /// and returns its click logit without the global bias. <paramref name="day"/> is the impression's day since
    /// the start of the log.
    /// </summary>
    public double DrawImpression(RandomGenerator random, int day, Span<float> row, out int user)
    {
        user = Sample(_userCumulative, random);
        int interest = _userInterest[user];
        int categoryAds = _categoryStart[interest + 1] - _categoryStart[interest];
        int ad = categoryAds > 0 && random.NextInt(100) < TargetedPercent
            ? _categoryAds[_categoryStart[interest] + random.NextInt(categoryAds)]
            : Sample(_adCumulative, random);
        int device = random.NextInt(4) != 0 ? _userDevice[user] : random.NextInt(SyntheticClickFields.Devices);
        int hour = (_userPeakHour[user] + random.NextInt(7) + random.NextInt(7) - 6 + 24) % SyntheticClickFields.Hours;
        int slot = Math.Min(random.NextInt(SyntheticClickFields.PositionSlots),
            random.NextInt(SyntheticClickFields.PositionSlots));
        int network = Network(device, random.NextInt(20));
        int weekday = day % SyntheticClickFields.Days;

        row[SyntheticClickFields.UserId] = user;
        row[SyntheticClickFields.UserAge] = _userAge[user];
        row[SyntheticClickFields.UserGender] = _userGender[user];
        row[SyntheticClickFields.UserCityTier] = _userCity[user];
        row[SyntheticClickFields.UserInterest] = interest;
        row[SyntheticClickFields.UserDevicePreference] = _userDevice[user];
        row[SyntheticClickFields.UserActivity] = _userActivity[user];
        row[SyntheticClickFields.AdId] = ad;
        row[SyntheticClickFields.AdCategory] = _adCategory[ad];
        row[SyntheticClickFields.AdBrand] = _adBrand[ad];
        row[SyntheticClickFields.AdCampaign] = _adCampaign[ad];
        row[SyntheticClickFields.AdPrice] = _adPrice[ad];
        row[SyntheticClickFields.AdCreative] = _adCreative[ad];
        row[SyntheticClickFields.Hour] = hour;
        row[SyntheticClickFields.DayOfWeek] = weekday;
        row[SyntheticClickFields.Position] = slot;
        row[SyntheticClickFields.Device] = device;
        row[SyntheticClickFields.Network] = network;

        double match = 0;
        for (int j = 0; j < _k; j++) match += (double)_userLatent[user * _k + j] * _adLatent[ad * _k + j];
        // Saturating in the latent match (softsign); a hinge penalty when the price outruns the age.
        double affinity = 2.5 * match / (1 + Math.Abs(match));
        double overPrice = Math.Max(0, _adPrice[ad] / 9.0 - _userAge[user] / 6.0 - 0.2);
        return _position[slot] + affinity + _interestCategory[interest * _categories + _adCategory[ad]]
               + _hourDevice[hour * SyntheticClickFields.Devices + device] + _userBias[user] + _adBias[ad]
               + _creative[_adCreative[ad]] + _day[weekday] - 1.2 * overPrice;
    }

    // Mobile mostly wifi or 4G, desktop almost always wifi, tablet mostly wifi; r is uniform in [0, 20).
    private static int Network(int device, int r) => device switch
    {
        0 => r < 10 ? 0 : r < 17 ? 1 : r < 19 ? 2 : 3,
        1 => r < 18 ? 0 : 1,
        _ => r < 16 ? 0 : r < 19 ? 1 : 2,
    };

    private static byte Bucket(double score, double[] cuts)
    {
        int b = 0;
        while (b < cuts.Length && score > cuts[b]) b++;
        return (byte)b;
    }

    // argmax over categories of z·P_c/√k + 0.8·noise: the visible category reflects the hidden latent direction.
    private static int NoisyNearestCategory(double[] z, double[] prototypes, RandomGenerator random)
    {
        int k = z.Length, best = 0;
        double bestScore = double.NegativeInfinity, scale = 1 / Math.Sqrt(k);
        for (int c = 0; c < prototypes.Length / k; c++)
        {
            double dot = 0;
            for (int j = 0; j < k; j++) dot += z[j] * prototypes[c * k + j];
            double score = dot * scale + 0.8 * random.NextNormal();
            if (score > bestScore) (best, bestScore) = (c, score);
        }
        return best;
    }

    // A random permutation of the ranks 1..n over the ids.
    private static int[] RandomRanks(int n, RandomGenerator random)
    {
        var ranks = new int[n];
        for (int i = 0; i < n; i++) ranks[i] = i + 1;
        random.Shuffle(ranks.AsSpan());
        return ranks;
    }

    // Running sum over ids of rank^-exponent, so that a uniform draw in [0, total) picks id i with that weight.
    private static double[] ZipfCumulative(int[] ranks, double exponent)
    {
        var cumulative = new double[ranks.Length];
        double total = 0;
        for (int i = 0; i < ranks.Length; i++)
        {
            total += DeterministicMath.Exp(-exponent * DeterministicMath.Log(ranks[i]));
            cumulative[i] = total;
        }
        return cumulative;
    }

    // The first id whose running sum exceeds a uniform draw in [0, total).
    private static int Sample(double[] cumulative, RandomGenerator random)
    {
        double target = random.NextDouble() * cumulative[^1];
        int low = 0, high = cumulative.Length - 1;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (cumulative[mid] > target) high = mid;
            else low = mid + 1;
        }
        return low;
    }

    private static (int[] Start, int[] Ids) GroupByCategory(short[] category, int categories)
    {
        var start = new int[categories + 1];
        foreach (short c in category) start[c + 1]++;
        for (int c = 0; c < categories; c++) start[c + 1] += start[c];
        var ids = new int[category.Length];
        var next = start[..categories];
        for (int a = 0; a < category.Length; a++) ids[next[category[a]]++] = a;
        return (start, ids);
    }
}
