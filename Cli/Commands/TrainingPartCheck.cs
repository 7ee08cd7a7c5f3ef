using System.Globalization;

namespace RocketNet.Cli.Commands;

/// <summary>
/// Refuses a training part too small to train on before any net is built: with one sample, batch norm has no spread
/// to normalise by and stops inside the first step with a message about tensor shapes, not about the data.
/// </summary>
internal static class TrainingPartCheck
{
    /// <summary>The fewest training samples a run accepts.</summary>
    public const int MinimumSamples = 2;

    /// <summary>
    /// Throws a <see cref="UsageException"/> naming <paramref name="data"/> and the part sizes when fewer than
    /// <see cref="MinimumSamples"/> samples are left to train on after <paramref name="validationCount"/> were held
    /// out (0: no validation split).
    /// </summary>
    public static void Require(string data, int trainCount, int validationCount, double validationFraction)
    {
        if (trainCount >= MinimumSamples) return;
        string held = validationCount == 0 ? ""
            : $" after {validationCount} were held out for validation (--validation " +
              $"{validationFraction.ToString(CultureInfo.InvariantCulture)})";
        string remedy = validationCount == 0 ? "more rows or images" : "more rows or images, or --validation 0";
        throw new UsageException(
            $"'{data}': the training part has {trainCount} sample(s){held}; training needs at least " +
            $"{MinimumSamples} (batch norm normalises a batch over its samples, and one sample has no spread). " +
            $"Expected {remedy}.");
    }
}
