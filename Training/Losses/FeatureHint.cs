namespace RocketNet.Training.Losses;

/// <summary>
/// The feature-based distillation term: light hidden activations pulled toward same-width booster hidden
/// activations, which are detached (a gradient block on features, as on logits).
/// </summary>
public static class FeatureHint
{
    // Keeps the cosine finite for an all-zero activation row (a dead ReLU layer on one sample).
    private const float NormEpsilon = 1e-8f;

    /// <summary>
    /// Pairs each light hidden layer with the next booster hidden layer of the same width, in order
    /// (light layer i → the first unused booster layer after the previous match), and returns the index pairs.
    /// </summary>
    public static IReadOnlyList<(int Light, int Booster)> PairLayers(IReadOnlyList<int> lightWidths,
        IReadOnlyList<int> boosterWidths)
    {
        ArgumentNullException.ThrowIfNull(lightWidths);
        ArgumentNullException.ThrowIfNull(boosterWidths);
        var pairs = new List<(int, int)>();
        int next = 0;
        for (int i = 0; i < lightWidths.Count; i++)
        {
            for (int j = next; j < boosterWidths.Count; j++)
            {
                if (boosterWidths[j] != lightWidths[i]) continue;
                pairs.Add((i, j));
                next = j + 1;
                break;
            }
        }
        return pairs;
    }

    /// <summary>
    /// Σ over paired layers of the per-sample distance of <paramref name="kind"/>, averaged over the batch.
    /// Activations are [N, width]; booster activations are treated as constants.
    /// </summary>
    /// <exception cref="ArgumentException">No light hidden layer has the width of a booster hidden layer, or a kind of
    /// None.</exception>
    public static Tensor Loss(FeatureHintKind kind, IReadOnlyList<Tensor> lightHidden,
        IReadOnlyList<Tensor> boosterHidden)
    {
        ArgumentNullException.ThrowIfNull(lightHidden);
        ArgumentNullException.ThrowIfNull(boosterHidden);
        if (kind == FeatureHintKind.None)
            throw new ArgumentException("A feature hint of kind None has no loss.", nameof(kind));
        var pairs = PairLayers(lightHidden.Select(h => h.Size(-1)).ToList(),
            boosterHidden.Select(h => h.Size(-1)).ToList());
        if (pairs.Count == 0)
            throw new ArgumentException(
                "Feature hint: no light hidden layer (widths " +
                $"[{string.Join(", ", lightHidden.Select(h => h.Size(-1)))}]) has the width " +
                "of a booster hidden layer " +
                $"(widths [{string.Join(", ", boosterHidden.Select(h => h.Size(-1)))}]); give the light head a layer " +
                "as wide as one of the booster's.", nameof(lightHidden));
        Tensor? total = null;
        foreach (var (i, j) in pairs)
        {
            var term = Distance(kind, lightHidden[i], Tensor.StopGradient(boosterHidden[j]));
            total = total is null ? term : total + term;
        }
        return total!;
    }

    // light, target: [N, W] → scalar, the batch mean of the per-sample distance.
    private static Tensor Distance(FeatureHintKind kind, Tensor light, Tensor target)
    {
        if (light.Rank != 2 || !light.Shape.SequenceEqual(target.Shape))
            throw new ArgumentException(
                $"Feature hint: activations must be two [N, W] tensors of one shape; got {light} and {target}.",
                nameof(light));
        if (kind == FeatureHintKind.L2)
        {
            var difference = light - target;
            return (difference * difference).Mean();
        }
        var dot = (light * target).Sum(1);
        var norms = ((light * light).Sum(1) + NormEpsilon).Sqrt() * ((target * target).Sum(1) + NormEpsilon).Sqrt();
        return 1f - (dot / norms).Mean();
    }
}
