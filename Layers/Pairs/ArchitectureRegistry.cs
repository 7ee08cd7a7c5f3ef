namespace RocketNet.Layers;

/// <summary>
/// Rebuilds pairs and light nets from their one-line descriptions (<see cref="PairSpec.Describe"/>), so a
/// checkpoint that stores the description can be loaded without knowing the architecture in code.
/// Built-in kinds: wrn-interval, wrn-bottom, wrn-none, ctr-towers, mlp, table-towers; more can be
/// <see cref="Register"/>ed.
/// </summary>
public static class ArchitectureRegistry
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Func<ArchitectureDescription, PairSpec>> Parsers =
        new(StringComparer.Ordinal)
        {
            ["wrn-interval"] = WideResNetPairSpec.Parse,
            ["wrn-bottom"] = WideResNetPairSpec.Parse,
            ["wrn-none"] = WideResNetPairSpec.Parse,
            ["ctr-towers"] = CtrTowerPairSpec.Parse,
            ["mlp"] = MlpPairSpec.Parse,
            ["table-towers"] = TableTowerPairSpec.Parse,
        };

    /// <summary>The registered kinds, sorted.</summary>
    public static IReadOnlyList<string> Kinds
    {
        get { lock (Gate) return [.. Parsers.Keys.Order(StringComparer.Ordinal)]; }
    }

    /// <summary>Adds (or replaces) the parser of descriptions whose first token is <paramref name="kind"/>.</summary>
    public static void Register(string kind, Func<ArchitectureDescription, PairSpec> parser)
    {
        if (string.IsNullOrWhiteSpace(kind) || kind.Contains(' '))
            throw new ArgumentException($"Architecture kind must be one non-empty word, got '{kind}'.", nameof(kind));
        ArgumentNullException.ThrowIfNull(parser);
        lock (Gate) Parsers[kind] = parser;
    }

    /// <summary>Parses <paramref name="description"/> into a spec.</summary>
    /// <exception cref="ArgumentException">Unknown kind or malformed sizes; the message lists the known
    /// kinds.</exception>
    public static PairSpec Parse(string description)
    {
        var parsed = new ArchitectureDescription(description);
        Func<ArchitectureDescription, PairSpec>? parser;
        lock (Gate) Parsers.TryGetValue(parsed.Kind, out parser);
        if (parser is null)
            throw new ArgumentException(
                $"Unknown architecture '{parsed.Kind}' in description '{parsed.Text}'; known kinds: " +
                $"{string.Join(", ", Kinds)}.", nameof(description));
        return parser(parsed);
    }

    /// <summary>A freshly initialised pair of the described architecture.</summary>
    public static RocketPair BuildPair(string description, RandomGenerator random)
    {
        using var unscoped = TensorScope.Unscoped();
        return Parse(description).CreatePair(random);
    }

    /// <summary>
    /// A freshly initialised standalone light net of the described pair, with the names and shapes of that
    /// pair's <see cref="RocketPair.ExtractLight"/> — ready for <see cref="Module.LoadStateDict"/>.
    /// </summary>
    public static Module BuildLight(string description, RandomGenerator random)
    {
        using var unscoped = TensorScope.Unscoped();
        return Parse(description).CreateLight(random);
    }
}
