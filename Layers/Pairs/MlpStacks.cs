namespace RocketNet.Layers;

/// <summary>Builders of fully connected stacks used by the MLP and CTR pairs.</summary>
public static class MlpStacks
{
    /// <summary>
    /// Hidden layers Linear → [BatchNorm1d] → ReLU for each width in <paramref name="hidden"/>, then, if
    /// <paramref name="outputs"/> is given, a final Linear to it. Input [N, inputs] → [N, outputs or last width].
    /// Batch norm here uses γ = 1 (PyTorch's default, as in the CTR re-implementations).
    /// </summary>
    /// <exception cref="ArgumentException">A width is not positive, or there are no layers at all.</exception>
    public static Sequential Create(int inputs, int[] hidden, int? outputs, bool batchNorm, RandomGenerator random)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        if (hidden.Any(h => h <= 0) || outputs <= 0)
            throw new ArgumentException(
                $"MLP widths must be positive, got hidden [{string.Join(", ", hidden)}] and outputs {outputs}.",
                nameof(hidden));
        if (hidden.Length == 0 && outputs is null)
            throw new ArgumentException("An MLP stack needs at least one layer.", nameof(hidden));
        var layers = new List<Module>();
        int width = inputs;
        foreach (int h in hidden)
        {
            layers.Add(new Linear(width, h, random));
            if (batchNorm) layers.Add(new BatchNorm1d(h));
            layers.Add(new ReLU());
            width = h;
        }
        if (outputs is int o) layers.Add(new Linear(width, o, random));
        return new Sequential([.. layers]);
    }
}
