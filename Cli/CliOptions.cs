using System.Globalization;

namespace RocketNet.Cli;

/// <summary>A command-line mistake; the entry point prints its message on one line and exits with 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parsed <c>--name value</c> / <c>--flag</c> options of one command. Every option a command reads is
/// declared when read; <see cref="RejectUnknown"/> then reports any option the user gave that no one read,
/// so a typo never silently falls back to a default.
/// </summary>
public sealed class CliOptions
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/> (the arguments after the command name).</summary>
    /// <exception cref="UsageException">A positional argument or a repeated option.</exception>
    public CliOptions(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                if (pending is not null) Add(pending, null);
                var eq = arg.IndexOf('=');
                if (eq > 2)
                {
                    Add(arg[2..eq], arg[(eq + 1)..]);
                    pending = null;
                }
                else
                {
                    pending = arg[2..];
                }
            }
            else if (pending is not null)
            {
                Add(pending, arg);
                pending = null;
            }
            else
            {
                throw new UsageException($"unexpected argument '{arg}' (options look like --name value)");
            }
        }
        if (pending is not null) Add(pending, null);
    }

    private void Add(string name, string? value)
    {
        if (!_options.TryAdd(name, value)) throw new UsageException($"option --{name} given twice");
    }

    /// <summary>True if the flag is present (<c>--name</c>, or <c>--name true/false</c>).</summary>
    public bool Flag(string name)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var value)) return false;
        return value switch
        {
            null or "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw new UsageException($"--{name} takes no value or true/false, got '{value}'"),
        };
    }

    /// <summary>A string option, or <paramref name="fallback"/> when absent.</summary>
    public string String(string name, string fallback) => StringOrNull(name) ?? fallback;

    /// <summary>A string option, or null when absent.</summary>
    public string? StringOrNull(string name)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var value)) return null;
        return value ?? throw new UsageException($"--{name} needs a value");
    }

    /// <summary>One of <paramref name="allowed"/>, or <paramref name="fallback"/> when absent.</summary>
    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = String(name, fallback);
        if (!allowed.Contains(value))
            throw new UsageException($"--{name} must be one of {string.Join(", ", allowed)}; got '{value}'");
        return value;
    }

    /// <summary>An integer option in [min, max].</summary>
    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = StringOrNull(name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"--{name} needs an integer, got '{text}'");
        if (value < min || value > max)
            throw new UsageException($"--{name} must be between {min} and {max}, got {value}");
        return value;
    }

    /// <summary>A finite floating-point option in [min, max].</summary>
    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        var text = StringOrNull(name);
        if (text is null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            throw new UsageException($"--{name} needs a number, got '{text}'");
        if (value < min || value > max)
            throw new UsageException($"--{name} must be between {min} and {max}, got {value}");
        return value;
    }

    /// <summary>A comma-separated list of integers (e.g. <c>--seeds 1,2,3</c>).</summary>
    public int[] IntList(string name, int[] fallback)
    {
        var text = StringOrNull(name);
        if (text is null) return fallback;
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                throw new UsageException($"--{name} needs comma-separated integers, got '{text}'");
        }
        if (values.Length == 0) throw new UsageException($"--{name} needs at least one value");
        return values;
    }

    /// <summary>Throws for options that were given but never read by the command.</summary>
    /// <exception cref="UsageException">An unknown option; the message lists the command's options.</exception>
    public void RejectUnknown(string command)
    {
        var unknown = _options.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new UsageException(
                $"unknown option --{unknown[0]} for '{command}' (options: " +
                $"{string.Join(", ", _read.Order().Select(r => "--" + r))})");
    }
}
