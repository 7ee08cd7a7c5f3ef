using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StbImageSharp;

namespace RocketNet.Serving.Images;

/// <summary>
/// Turns an image file (PNG, JPEG or BMP; decoded by the managed StbImageSharp) into a model input, exactly as
/// the training images were: the centred square of the shorter side, resized bilinearly to
/// <see cref="ImageSize"/>² pixels, RGB in [0, 1] channels-first [3, S, S], each channel standardised with the
/// training part's mean and standard deviation. Saved in the model file (<see cref="ToJson"/>), so a served
/// model takes image files.
/// </summary>
public sealed class ImagePreprocessor
{
    /// <summary>
    /// The most pixels <see cref="Decode(string)"/> decodes when no model size is given (a header can claim
    /// anything; larger images are refused before they are decoded).
    /// </summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>
    /// The most pixels decoded for a model input of side <paramref name="imageSize"/>: 16 times its area, and at
    /// least 2²² (a 2048×2048 photo), so a file cannot make a 32×32 model decode hundreds of megabytes.
    /// </summary>
    public static long MaxPixelsFor(int imageSize) =>
        Math.Min(MaxPixels, Math.Max(16L * imageSize * imageSize, 1L << 22));

    /// <summary>Names the kind of preprocessing in the model file.</summary>
    public string Kind => PreprocessingKinds.Image;

    /// <summary>Side S of the square input.</summary>
    public required int ImageSize { get; init; }

    /// <summary>Per-channel (R, G, B) mean of the training part, on the [0, 1] scale.</summary>
    public required float[] Mean { get; init; }

    /// <summary>Per-channel standard deviation of the training part (positive).</summary>
    public required float[] Std { get; init; }

    /// <summary>Class names (the class folders' names); class k is <c>ClassNames[k]</c>.</summary>
    public required string[] ClassNames { get; init; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the full path of the folder the training images were read from (<c>FOLDER/train</c>
    /// with a train/test layout), see <see cref="FolderDigest"/>; null in models saved before it was recorded. Only
    /// the digest travels in the model, not the path, so a shipped model does not tell where it was trained;
    /// <c>predict</c> compares it with the scored folder to warn when training images are scored.
    /// </summary>
    public string? TrainingFolderDigest { get; init; }

    /// <summary>
    /// The digest recorded as <see cref="TrainingFolderDigest"/>: SHA-256 of the folder's full path (a link to a
    /// folder resolved, no trailing separator). Two names of one folder through links deeper in the path, or a copy
    /// of it, digest differently: this catches the common mistake, not every way of scoring training images.
    /// </summary>
    public static string FolderDigest(string folder) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RealFolder(folder))));

    private static string RealFolder(string folder)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        try
        {
            return Directory.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName is { } target
                ? Path.TrimEndingDirectorySeparator(target) : full;
        }
        catch (IOException)
        {
            return full; // a dangling or looping link names no training folder anyway
        }
    }

    /// <summary>Values per encoded image: 3·S².</summary>
    public int SampleSize => 3 * ImageSize * ImageSize;

    /// <summary>
    /// Decodes and encodes the image file <paramref name="path"/> into <paramref name="destination"/>
    /// (<see cref="SampleSize"/> values).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a whole PNG, JPEG or BMP, or has more than
    /// <see cref="MaxPixelsFor"/>(<see cref="ImageSize"/>) pixels; the message names it.</exception>
    public void EncodeFile(string path, Span<float> destination)
    {
        var (rgb, width, height) = Decode(path, MaxPixelsFor(ImageSize));
        Resize(rgb, width, height, ImageSize, destination);
        Standardise(destination);
    }

    /// <summary>
    /// Encodes decoded RGB pixels (row-major, 3 bytes per pixel) into <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The pixel count does not match the size.</exception>
    public void EncodePixels(ReadOnlySpan<byte> rgb, int width, int height, Span<float> destination)
    {
        if (width <= 0 || height <= 0 || rgb.Length != 3L * width * height)
            throw new ArgumentException($"{rgb.Length} bytes are not a {width}×{height} RGB image (3 bytes per pixel).",
                nameof(rgb));
        Resize(rgb, width, height, ImageSize, destination);
        Standardise(destination);
    }

    /// <summary>
    /// Reads an image file as RGB bytes (grey and alpha images converted), at most <see cref="MaxPixels"/> pixels.
    /// </summary>
    /// <exception cref="InvalidDataException">Unreadable, not a whole PNG, JPEG or BMP, or too large; the message
    /// names the file.</exception>
    public static (byte[] Rgb, int Width, int Height) Decode(string path) => Decode(path, MaxPixels);

    /// <summary>
    /// Reads an image file as RGB bytes (grey and alpha images converted). The file's structure and declared size
    /// are checked first (<see cref="ImageFileCheck"/>), so a truncated, malformed or oversized file is refused
    /// before the decoder runs.
    /// </summary>
    /// <exception cref="InvalidDataException">Unreadable, not a whole PNG, JPEG or BMP, or more than
    /// <paramref name="maxPixels"/> pixels; the message names the file.</exception>
    public static (byte[] Rgb, int Width, int Height) Decode(string path, long maxPixels)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Image '{path}': cannot be read ({e.Message}).", e);
        }
        var header = ImageFileCheck.Inspect(bytes, path, maxPixels);
        try
        {
            var image = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
            if (image.Width != header.Width || image.Height != header.Height
                || image.Data.Length != 3L * image.Width * image.Height)
                throw new InvalidDataException(
                    $"decoded {image.Width}×{image.Height} ({image.Data.Length:N0} bytes), not the declared size");
            return (image.Data, image.Width, image.Height);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"Image '{path}': the {header.Width}×{header.Height} {header.Format.ToString().ToUpperInvariant()} " +
                $"image data is corrupt ({Printable(e.Message)}).", e);
        }
    }

    // A decoder's message as plain text: a corrupt file must not put binary garbage on the user's console.
    private static string Printable(string message)
    {
        var text = new string(message.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return text.Length <= 120 ? text : text[..117] + "...";
    }

    // rgb: [H, W, 3] bytes → destination [3, S, S] in [0, 1]. The centred square crop of side min(W, H) is sampled
    // bilinearly at S×S pixel centres (for downscaling by more than 2 this aliases a little; kept simple on purpose).
    internal static void Resize(ReadOnlySpan<byte> rgb, int width, int height, int size, Span<float> destination)
    {
        int side = Math.Min(width, height);
        double x0 = (width - side) / 2.0, y0 = (height - side) / 2.0, scale = (double)side / size;
        int plane = size * size;
        for (int oy = 0; oy < size; oy++)
        {
            double sy = Math.Clamp(y0 + (oy + 0.5) * scale - 0.5, 0, height - 1);
            int ya = (int)sy, yb = Math.Min(ya + 1, height - 1);
            double fy = sy - ya;
            for (int ox = 0; ox < size; ox++)
            {
                double sx = Math.Clamp(x0 + (ox + 0.5) * scale - 0.5, 0, width - 1);
                int xa = (int)sx, xb = Math.Min(xa + 1, width - 1);
                double fx = sx - xa;
                for (int c = 0; c < 3; c++)
                {
                    double top = rgb[(ya * width + xa) * 3 + c] * (1 - fx) + rgb[(ya * width + xb) * 3 + c] * fx;
                    double bottom = rgb[(yb * width + xa) * 3 + c] * (1 - fx) + rgb[(yb * width + xb) * 3 + c] * fx;
                    destination[c * plane + oy * size + ox] = (float)((top * (1 - fy) + bottom * fy) / 255.0);
                }
            }
        }
    }

    private void Standardise(Span<float> sample)
    {
        int plane = ImageSize * ImageSize;
        for (int c = 0; c < 3; c++)
        {
            float m = Mean[c], k = 1f / Std[c];
            var channel = sample.Slice(c * plane, plane);
            for (int i = 0; i < channel.Length; i++) channel[i] = (channel[i] - m) * k;
        }
    }

    /// <summary>The preprocessing as JSON, for the model file's metadata.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="InvalidDataException">Not an image preprocessing description; <paramref name="source"/> names
    /// where it came from.</exception>
    public static ImagePreprocessor FromJson(string json, string source)
    {
        try
        {
            var p = JsonSerializer.Deserialize<ImagePreprocessor>(json) ?? throw new JsonException("null");
            if (p.Kind != PreprocessingKinds.Image || PreprocessingKinds.Of(json) != PreprocessingKinds.Image)
                throw new JsonException("not an image preprocessing");
            if (p.ImageSize is < 1 or > 4096 || p.Mean.Length != 3 || p.Std.Length != 3 || p.Std.Any(s => !(s > 0))
                || p.ClassNames.Length < 2
                || (p.TrainingFolderDigest is { } digest
                    && (digest.Length != 64 || !digest.All(char.IsAsciiHexDigitLower))))
                throw new JsonException("incomplete description");
            return p;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"'{source}': the image preprocessing stored in it is not valid ({e.Message}).", e);
        }
    }
}
