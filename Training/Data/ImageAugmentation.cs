namespace RocketNet.Training.Data;

/// <summary>
/// The standard CIFAR training augmentation of the paper: pad each side by <see cref="CropPadding"/> with
/// reflection, take a random crop of the original size, and flip horizontally with probability 1/2.
/// Samples are [C, H, W]; randomness comes from the caller's seeded generator, so runs are reproducible.
/// </summary>
public sealed class ImageAugmentation
{
    /// <summary>Creates an augmentation; padding 0 disables the random crop.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The padding is negative.</exception>
    public ImageAugmentation(int cropPadding = 4, bool horizontalFlip = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cropPadding);
        CropPadding = cropPadding;
        HorizontalFlip = horizontalFlip;
    }

    /// <summary>Reflect-padding on each side before the random crop (4 in the paper).</summary>
    public int CropPadding { get; }

    /// <summary>Whether to mirror left–right with probability 1/2.</summary>
    public bool HorizontalFlip { get; }

    /// <summary>
    /// Writes an augmented copy of <paramref name="source"/> ([C, H, W] flattened) to <paramref name="destination"/>:
    /// destination[c, y, x] = source[c, reflect(y + dy − p), reflect(flip(x) + dx − p)] with dy, dx ∈ [0, 2p].
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not [C, H, W], the spans do not match it, or the padding is not
    /// smaller than H and W (reflection needs it).</exception>
    public void Apply(ReadOnlySpan<float> source, Span<float> destination, ReadOnlySpan<int> sampleShape,
        RandomGenerator random)
    {
        if (sampleShape.Length != 3)
            throw new ArgumentException(
                $"Image augmentation needs samples shaped [C, H, W], got rank {sampleShape.Length}.",
                nameof(sampleShape));
        int channels = sampleShape[0], height = sampleShape[1], width = sampleShape[2];
        int size = channels * height * width;
        if (source.Length != size || destination.Length != size)
            throw new ArgumentException(
                $"Spans of {source.Length} and {destination.Length} values for a [{channels}, " +
                $"{height}, {width}] image.", nameof(source));
        int p = CropPadding;
        if (p >= height || p >= width)
            throw new ArgumentException($"Reflect padding {p} must be smaller than the image ({height}x{width}).",
                nameof(sampleShape));
        int dy = p == 0 ? 0 : random.NextInt(2 * p + 1) - p;
        int dx = p == 0 ? 0 : random.NextInt(2 * p + 1) - p;
        bool flip = HorizontalFlip && random.NextInt(2) == 1;
        Span<int> columns = width <= 512 ? stackalloc int[width] : new int[width];
        for (int x = 0; x < width; x++) columns[x] = Reflect((flip ? width - 1 - x : x) + dx, width);
        for (int c = 0; c < channels; c++)
        {
            var plane = source.Slice(c * height * width, height * width);
            for (int y = 0; y < height; y++)
            {
                var row = plane.Slice(Reflect(y + dy, height) * width, width);
                var output = destination.Slice((c * height + y) * width, width);
                for (int x = 0; x < width; x++) output[x] = row[columns[x]];
            }
        }
    }

    /// <summary>Mirror index without repeating the edge (NumPy/PyTorch "reflect"): −1 → 1, n → n − 2.</summary>
    internal static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}
