using System.Globalization;

namespace RocketNet.Training.Data;

/// <summary>
/// Writes impressions of the synthetic click model (<see cref="SyntheticClickWorld"/>) as a Criteo-format
/// tab-separated click log of any length, one row at a time in constant memory, so that streaming, hashing and
/// temporal splits can be tried at real scale on data whose AUC means something (the hidden model's clicks).
/// </summary>
/// <remarks>
/// Row layout: label; I1 = position slot, I2 = hour, I3..I13 empty; C1..C18 = the 18 synthetic fields, each id
/// written as 8 hex digits of a fixed 32-bit mix of (field, id), as Criteo's categorical values look; C19..C26
/// empty. Impression i belongs to day ⌊14·i / rows⌋, so later rows drift as the synthetic log's test part does.
/// The global bias that sets the click-through rate is calibrated on a separate draw of 65,536 impressions.
/// </remarks>
public static class SyntheticClickCriteoWriter
{
    private const int CalibrationRows = 65_536;

    /// <summary>
    /// Writes <paramref name="rows"/> impressions of the world <paramref name="options"/> describes (its users,
    /// ads, seed and target CTR; its impression counts are not used) to <paramref name="output"/>. The same
    /// options and row count always give the same file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than one row.</exception>
    public static void Write(TextWriter output, SyntheticClickLogOptions options, long rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        options.Validate();
        var world = new SyntheticClickWorld(options, new RandomGenerator(Seed(options.Seed, 1)));
        double bias = CalibrateBias(world, options);
        var impressions = new RandomGenerator(Seed(options.Seed, 2));
        var clicks = new RandomGenerator(Seed(options.Seed, 3));
        Span<float> row = stackalloc float[SyntheticClickFields.Count];
        var line = new System.Text.StringBuilder(256);
        for (long i = 0; i < rows; i++)
        {
            int day = (int)(i * SyntheticClickLog.DaysCovered / rows);
            double logit = world.DrawImpression(impressions, day, row, out _) + bias;
            int label = clicks.NextDouble() < SyntheticClickLog.ClickProbability(logit) ? 1 : 0;
            line.Clear();
            line.Append(label).Append('\t');
            line.Append((int)row[SyntheticClickFields.Position]).Append('\t');
            line.Append((int)row[SyntheticClickFields.Hour]);
            for (int f = 2; f < CriteoReader.IntegerFieldCount; f++) line.Append('\t');
            for (int f = 0; f < CriteoReader.CategoricalFieldCount; f++)
            {
                line.Append('\t');
                if (f < SyntheticClickFields.Count)
                    line.Append(CategoryValue(f, (int)row[f]).ToString("x8", CultureInfo.InvariantCulture));
            }
            output.Write(line);
            output.Write('\n');
        }
    }

    /// <summary>
    /// The 32-bit value written for id <paramref name="id"/> of synthetic field <paramref name="field"/>: a
    /// bijective mix of field·2^32 + id, so distinct ids of a field stay distinct strings.
    /// </summary>
    public static uint CategoryValue(int field, int id)
    {
        ulong z = ((ulong)(uint)field << 32 | (uint)id) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)(z ^ (z >> 31));
    }

    // The bias b with mean sigmoid(logit + b) = target CTR over a calibration draw, by 60 bisections of [−30, 30].
    private static double CalibrateBias(SyntheticClickWorld world, SyntheticClickLogOptions options)
    {
        var random = new RandomGenerator(Seed(options.Seed, 4));
        Span<float> row = stackalloc float[SyntheticClickFields.Count];
        var logits = new double[CalibrationRows];
        for (int i = 0; i < logits.Length; i++)
            logits[i] = world.DrawImpression(random, i * SyntheticClickLog.DaysCovered / logits.Length, row, out _);
        double low = -30, high = 30;
        for (int iteration = 0; iteration < 60; iteration++)
        {
            double mid = (low + high) / 2, sum = 0;
            foreach (double logit in logits) sum += SyntheticClickLog.ClickProbability(logit + mid);
            if (sum / logits.Length < options.TargetCtr) low = mid;
            else high = mid;
        }
        return (low + high) / 2;
    }

    private static ulong Seed(ulong seed, ulong stream) =>
        seed * 0x9E3779B97F4A7C15UL + (stream + 16) * 0xD1B54A32D192ED03UL;
}
