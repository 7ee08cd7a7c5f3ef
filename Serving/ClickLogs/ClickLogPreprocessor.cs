using System.Buffers.Text;
using System.Text.Json;

namespace RocketNet.Serving.ClickLogs;

/// <summary>
/// How a click-log model's inputs were made, saved with the model (<see cref="ToJson"/>, kind
/// <see cref="PreprocessingKinds.ClickLog"/>): the file layout its rows came from (<c>criteo</c>, <c>avazu</c>), the
/// ids per field, the hash buckets, and the rare-id map of a run with a frequency threshold. A served model takes
/// rows of hashed field ids (<see cref="RowWidth"/> of them, as training's readers make them) and maps rare ids
/// through <see cref="RareIds"/> exactly as training did.
/// </summary>
public sealed class ClickLogPreprocessor
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Creates the description of a run's inputs.</summary>
    /// <param name="layout">Name of the file layout (e.g. <c>criteo</c>).</param>
    /// <param name="vocabulary">Ids per field as the model's embedding has them (rare ids included).</param>
    /// <param name="hashBuckets">Hashed ids per categorical field (the rare id, if any, is this value).</param>
    /// <param name="rareIds">The run's rare-id map, or null without a frequency threshold.</param>
    /// <exception cref="ArgumentException">The map does not fit the fields or the buckets.</exception>
    public ClickLogPreprocessor(string layout, IReadOnlyList<int> vocabulary, int hashBuckets, RareIdMap? rareIds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(layout);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (rareIds is not null && (rareIds.HashBuckets != hashBuckets || rareIds.RowWidth > vocabulary.Count))
            throw new ArgumentException(
                $"A rare-id map of {rareIds.HashBuckets} buckets over fields [{rareIds.FirstField}, " +
                $"{rareIds.RowWidth}) does not fit {hashBuckets} buckets and {vocabulary.Count} fields.",
                nameof(rareIds));
        Layout = layout;
        Vocabulary = [.. vocabulary];
        HashBuckets = hashBuckets;
        RareIds = rareIds;
    }

    /// <summary>Always <see cref="PreprocessingKinds.ClickLog"/>.</summary>
    public string Kind => PreprocessingKinds.ClickLog;

    /// <summary>Name of the file layout the rows came from.</summary>
    public string Layout { get; }

    /// <summary>Ids per field as the model's embedding has them.</summary>
    public IReadOnlyList<int> Vocabulary { get; }

    /// <summary>Hashed ids per categorical field.</summary>
    public int HashBuckets { get; }

    /// <summary>The rare-id map, or null when the run kept every hashed id.</summary>
    public RareIdMap? RareIds { get; }

    /// <summary>Field ids per row.</summary>
    public int RowWidth => Vocabulary.Count;

    /// <summary>
    /// The preprocessing as JSON; the rare-id map travels as base64url of its saved layout (no character that JSON
    /// escapes, so the model file holds 4/3 of the map's bytes).
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(new Saved(Kind, Layout, [.. Vocabulary], HashBuckets,
        RareIds is null ? null : Base64Url.EncodeToString(RareIds.ToBytes())), Json);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a click-log preprocessing, or its rare-id map is
    /// truncated, corrupt or does not fit its fields; the message names <paramref name="source"/>.</exception>
    public static ClickLogPreprocessor FromJson(string json, string source)
    {
        Saved saved;
        try
        {
            if (PreprocessingKinds.Of(json) != PreprocessingKinds.ClickLog)
                throw new JsonException("not a click-log preprocessing");
            saved = JsonSerializer.Deserialize<Saved>(json, Json) ?? throw new JsonException("null");
            if (string.IsNullOrWhiteSpace(saved.Layout) || saved.Vocabulary is not { Length: > 0 } vocabulary
                || vocabulary.Any(v => v < 1) || saved.HashBuckets < 2)
                throw new JsonException("incomplete description (layout, vocabulary, hash buckets)");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"'{source}': the click-log preprocessing stored in it is not valid ({e.Message}).", e);
        }
        RareIdMap? rare = null;
        if (saved.RareIds is { } text)
        {
            byte[] bytes;
            try
            {
                bytes = Base64Url.DecodeFromChars(text);
            }
            catch (FormatException e)
            {
                throw new InvalidDataException(
                    $"'{source}': the saved rare-id map is not base64url ({e.Message}).", e);
            }
            rare = RareIdMap.FromBytes(bytes, source);
            if (rare.HashBuckets != saved.HashBuckets || rare.RowWidth > saved.Vocabulary.Length
                || Enumerable.Range(rare.FirstField, rare.FieldCount)
                    .Any(f => saved.Vocabulary[f] != rare.HashBuckets + 1))
                throw new InvalidDataException(
                    $"'{source}': the saved rare-id map covers fields [{rare.FirstField}, {rare.RowWidth}) of " +
                    $"{rare.HashBuckets} buckets, which the model's {saved.Vocabulary.Length} fields of " +
                    $"[{string.Join(", ", saved.Vocabulary.Distinct())}] ids and {saved.HashBuckets} hash buckets " +
                    "do not match.");
        }
        return new ClickLogPreprocessor(saved.Layout, saved.Vocabulary, saved.HashBuckets, rare);
    }

    private sealed record Saved(string Kind, string Layout, int[] Vocabulary, int HashBuckets, string? RareIds);
}
