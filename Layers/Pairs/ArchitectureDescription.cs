using System.Globalization;

namespace RocketNet.Layers;

/// <summary>
/// A parsed architecture description: a kind followed by space-separated tokens, each either
/// <c>key=value</c> or positional, e.g. <c>wrn-interval 40-1/16-1 classes=10 in=3</c> or
/// <c>mlp in=64 shared=128 booster=256x256 light=32 classes=10</c>. Lists use 'x' or ','.
/// </summary>
public sealed class ArchitectureDescription
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];

    /// <summary>The original text.</summary>
    public string Text { get; }

    /// <summary>The first token, e.g. "wrn-interval".</summary>
    public string Kind { get; }

    /// <summary>Tokens without '=' after the kind, in order.</summary>
    public IReadOnlyList<string> Positional => _positional;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="ArgumentException">The text is empty or a key repeats or is empty.</exception>
    public ArchitectureDescription(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Length == 0) throw new ArgumentException("Architecture description is empty.", nameof(text));
        Text = text.Trim();
        Kind = tokens[0];
        foreach (string token in tokens.Skip(1))
        {
            int eq = token.IndexOf('=');
            if (eq < 0) { _positional.Add(token); continue; }
            string key = token[..eq];
            if (key.Length == 0 || !_values.TryAdd(key, token[(eq + 1)..]))
                throw new ArgumentException($"Architecture description '{Text}': key '{key}' is empty or repeated.",
                    nameof(text));
        }
    }

    /// <summary>True if <paramref name="key"/> is present.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>The raw value of <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is missing.</exception>
    public string Get(string key) =>
        _values.TryGetValue(key, out var v) ? v : throw Error($"needs '{key}=…'");

    /// <summary>An integer value, or <paramref name="fallback"/> when absent (null fallback: required).</summary>
    public int GetInt(string key, int? fallback = null)
    {
        if (!_values.ContainsKey(key) && fallback is int f) return f;
        string raw = Get(key);
        return int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw Error($"'{key}={raw}' is not an integer");
    }

    /// <summary>A float value, or <paramref name="fallback"/> when absent.</summary>
    public float GetFloat(string key, float fallback)
    {
        if (!_values.TryGetValue(key, out var raw)) return fallback;
        return float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out float v)
            ? v : throw Error($"'{key}={raw}' is not a number");
    }

    /// <summary>A list of integers separated by 'x' or ',' (an empty value is an empty list).</summary>
    public int[] GetInts(string key)
    {
        string raw = Get(key);
        if (raw.Length == 0) return [];
        var parts = raw.Split('x', ',');
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out result[i]))
                throw Error($"'{key}={raw}' is not a list of integers like 200x80");
        }
        return result;
    }

    /// <summary>An exception naming this description and what is wrong with it.</summary>
    public ArgumentException Error(string problem) => new($"Architecture description '{Text}' {problem}.");

    /// <summary>Formats a list of integers the way <see cref="GetInts"/> reads it ('x'-separated).</summary>
    public static string FormatList(IEnumerable<int> values) =>
        string.Join("x", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
