namespace RocketNet.Layers;

/// <summary>Copies a pair's light net into a standalone module of the same architecture.</summary>
public static class LightExtraction
{
    /// <summary>
    /// Copies every parameter and running statistic of <paramref name="light"/> into <paramref name="standalone"/>
    /// (matching names and shapes; the tensors stay separate) and gives it the same training/eval mode.
    /// </summary>
    /// <exception cref="ArgumentException">The two modules' state names or shapes differ.</exception>
    public static Module CopyInto(Module standalone, Module light)
    {
        ArgumentNullException.ThrowIfNull(standalone);
        ArgumentNullException.ThrowIfNull(light);
        try
        {
            standalone.LoadStateDict(light.StateDict(), strict: true);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(
                $"The standalone light net ({standalone.GetType().Name}) does not have the light net's " +
                $"architecture: {e.Message}", nameof(standalone), e);
        }
        standalone.Train(light.IsTraining);
        return standalone;
    }
}
