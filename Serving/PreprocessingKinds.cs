using System.Text.Json;

namespace RocketNet.Serving;

/// <summary>
/// The kinds of preprocessing a model file can carry (its <c>preprocessing</c> metadata is a JSON object with a
/// <c>Kind</c> field): a table's column plan, an image folder's size and normalisation, or a click log's hashing
/// and rare-id map.
/// </summary>
public static class PreprocessingKinds
{
    /// <summary>A <see cref="Tables.TablePreprocessor"/>.</summary>
    public const string Table = "table";

    /// <summary>An <see cref="Images.ImagePreprocessor"/>.</summary>
    public const string Image = "image";

    /// <summary>A <see cref="ClickLogs.ClickLogPreprocessor"/>.</summary>
    public const string ClickLog = "clicklog";

    /// <summary>
    /// The <c>Kind</c> recorded in a preprocessing JSON, or null when there is none or it is not JSON.
    /// </summary>
    public static string? Of(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Kind", out var kind) &&
                   kind.ValueKind == JsonValueKind.String ? kind.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
