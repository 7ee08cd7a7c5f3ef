using RocketNet.Serving;
namespace RocketNet.Training.Data;

/// <summary>
/// Reads the IDX files of MNIST and Fashion-MNIST (plain or gzip, detected by its magic bytes): an
/// images file (magic 0x00000803: unsigned bytes, 3 big-endian dimensions N, rows, columns, then N·rows·columns
/// pixels) and a labels file (magic 0x00000801: N, then N label bytes).
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an idx3-ubyte images file.</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an idx1-ubyte labels file.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// Reads up to <paramref name="maxCount"/> images as raw bytes, row-major: pixels [count, rows, columns].
    /// </summary>
    /// <exception cref="InvalidDataException">Wrong magic number, a bad dimension, or the file ends inside a record;
    /// the message names the file and byte offset.</exception>
    public static (byte[] Pixels, int Count, int Rows, int Columns) ReadImages(string path, int maxCount = int.MaxValue)
    {
        using var stream = CompressedFile.OpenRead(path);
        var reader = new PositionedReader(stream, path);
        ReadMagic(reader, ImagesMagic, "idx3-ubyte images");
        int count = ReadDimension(reader, "image count");
        int rows = ReadDimension(reader, "row count");
        int columns = ReadDimension(reader, "column count");
        int take = Math.Min(count, maxCount);
        if ((long)rows * columns > Array.MaxLength)
            throw DataFileErrors.AtByte(path, 8, $"an image of {rows}x{columns} does not fit in one array.");
        var pixels = reader.ReadDeclaredRecords(take, rows * columns, "image");
        return (pixels, take, rows, columns);
    }

    /// <summary>
    /// Reads up to <paramref name="maxCount"/> labels, each checked to be in [0, <paramref name="classCount"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">Wrong magic number, truncated data, or a label out of range; the message
    /// names the file and byte offset.</exception>
    public static int[] ReadLabels(string path, int classCount, int maxCount = int.MaxValue)
    {
        using var stream = CompressedFile.OpenRead(path);
        var reader = new PositionedReader(stream, path);
        ReadMagic(reader, LabelsMagic, "idx1-ubyte labels");
        int count = ReadDimension(reader, "label count");
        int take = Math.Min(count, maxCount);
        long start = reader.Offset;
        var bytes = reader.ReadDeclaredRecords(take, 1, "label");
        var labels = new int[take];
        for (int i = 0; i < take; i++)
        {
            if (bytes[i] >= classCount)
                throw DataFileErrors.AtByte(path, start + i,
                    $"label record {i} is {bytes[i]}, outside [0, {classCount}).");
            labels[i] = bytes[i];
        }
        return labels;
    }

    /// <summary>
    /// Reads a matching images/labels pair into a dataset of shape [1, rows, columns] with pixels scaled
    /// from 0–255 to [0, 1].
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is invalid, or their record counts differ.</exception>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, string name, int classCount = 10,
        string[]? classNames = null, int maxCount = int.MaxValue)
    {
        var (pixels, count, rows, columns) = ReadImages(imagesPath, maxCount);
        var labels = ReadLabels(labelsPath, classCount, maxCount);
        if (labels.Length != count)
            throw new InvalidDataException(
                $"File '{labelsPath}' holds {labels.Length} labels (within the first {maxCount}) but '{imagesPath}' " +
                $"holds {count} images; they must match.");
        var features = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++) features[i] = pixels[i] / 255f;
        return new Dataset(name, features, labels, [1, rows, columns], classCount, classNames);
    }

    private static void ReadMagic(PositionedReader reader, int expected, string kind)
    {
        int magic = reader.ReadInt32BigEndian("the magic number");
        if (magic != expected)
            throw DataFileErrors.AtByte(reader.FileName, 0,
                $"wrong magic number 0x{magic:X8}; an {kind} file starts with 0x{expected:X8}.");
    }

    private static int ReadDimension(PositionedReader reader, string what)
    {
        long offset = reader.Offset;
        int value = reader.ReadInt32BigEndian(what);
        if (value <= 0 || value > 100_000_000)
            throw DataFileErrors.AtByte(reader.FileName, offset, $"{what} {value} is not a plausible positive size.");
        return value;
    }
}
