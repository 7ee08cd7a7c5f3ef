using RocketNet.Serving.Images;
using RocketNet.Serving.Tables;

namespace RocketNet.Serving;

// Raw inputs: table records, CSV lines and image files through the preprocessing saved with the model.
public sealed partial class Predictor
{
    /// <summary>
    /// The image preprocessing saved with the model (set from the checkpoint by <see cref="FromCheckpoint"/>), or
    /// null when the model takes encoded inputs only.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a preprocessing whose images are not <see cref="SampleSize"/>
    /// values.</exception>
    public ImagePreprocessor? Image
    {
        get => _image;
        init => _image = value is null || value.SampleSize == SampleSize ? value
            : throw new ArgumentException(
                $"The image preprocessing makes inputs of {value.SampleSize} values; the model takes {SampleSize}.",
                nameof(value));
    }

    private readonly ImagePreprocessor? _image;

    /// <summary>
    /// Class probabilities for an image file (PNG, JPEG, BMP), through the image preprocessing saved with the
    /// model. Class k is <c>Image.ClassNames[k]</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was not saved with an image preprocessing.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable image; the message names it.</exception>
    public float[] PredictImageFile(string path)
    {
        var image = Image
            ?? throw new InvalidOperationException(
            "This model was not saved with an image preprocessing; pass encoded inputs to Predict.");
        var input = new float[image.SampleSize];
        image.EncodeFile(path, input);
        return Probabilities(input);
    }

    /// <summary>
    /// The table preprocessing saved with the model (set from the checkpoint by <see cref="FromCheckpoint"/>), or
    /// null when the model takes encoded inputs only.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a preprocessing whose rows are not <see cref="SampleSize"/>
    /// values.</exception>
    public TablePreprocessor? Table
    {
        get => _table;
        init => _table = value is null || value.RowWidth == SampleSize ? value
            : throw new ArgumentException(
                $"The table preprocessing makes rows of {value.RowWidth} values; the model takes {SampleSize}.",
                nameof(value));
    }

    private readonly TablePreprocessor? _table;

    /// <summary>
    /// Class probabilities for a raw table record (column name → cell as text), through the preprocessing saved
    /// with the model: unseen categories map to the out-of-vocabulary id, missing cells are handled as in
    /// training, columns the model does not use are ignored. Class k is <c>Table.ClassNames[k]</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was not saved with a table preprocessing.</exception>
    /// <exception cref="ArgumentException">A column the model needs is missing, or a numeric cell does not
    /// parse.</exception>
    public float[] PredictProbabilities(IReadOnlyDictionary<string, string> record)
    {
        var table = Table
            ?? throw new InvalidOperationException(
            "This model was not saved with a table preprocessing; pass encoded inputs to Predict.");
        return Probabilities(table.Encode(record));
    }

    // One encoded sample → class probabilities.
    private float[] Probabilities(ReadOnlySpan<float> input)
    {
        var probabilities = new float[OutputSize];
        Predict(input, probabilities);
        Softmax(probabilities);
        return probabilities;
    }

    /// <summary>
    /// Class probabilities for one CSV line whose cells are in the order of <paramref name="header"/> (the same
    /// separator, quoting and missing-cell rules as training; columns the model does not use are ignored).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was not saved with a table preprocessing.</exception>
    /// <exception cref="ArgumentException">The line has another number of cells than the header, a needed column is
    /// missing, or a numeric cell does not parse.</exception>
    public float[] PredictProbabilities(string csvLine, IReadOnlyList<string> header, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(csvLine);
        ArgumentNullException.ThrowIfNull(header);
        if (Table is null)
            throw new InvalidOperationException(
                "This model was not saved with a table preprocessing; pass encoded inputs to Predict.");
        RawTable table;
        try
        {
            table = RawTable.Read(separator == '\t' ? "line.tsv" : "line.csv",
                new StringReader(string.Join(separator, header.Select(h => Quote(h, separator)))
                + "\n" + csvLine + "\n"));
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException($"The line does not fit the header: {e.Message}", nameof(csvLine), e);
        }
        if (table.Rows.Count != 1)
            throw new ArgumentException($"Expected one CSV line, got {table.Rows.Count}.", nameof(csvLine));
        return PredictProbabilities(header.Select((name, c) => (name, c)).ToDictionary(p => p.name,
            p => table.Rows[0][p.c]));
    }

    private static string Quote(string cell, char separator) =>
        cell.Contains(separator) || cell.Contains('"') ? "\""
            + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    /// <summary>
    /// Class probabilities for decoded RGB pixels (row-major, 3 bytes per pixel), through the saved image
    /// preprocessing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model was not saved with an image preprocessing.</exception>
    /// <exception cref="ArgumentException">The pixel count does not match the size.</exception>
    public float[] PredictImagePixels(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var image = Image
            ?? throw new InvalidOperationException(
            "This model was not saved with an image preprocessing; pass encoded inputs to Predict.");
        var input = new float[image.SampleSize];
        image.EncodePixels(rgb, width, height, input);
        return Probabilities(input);
    }
}
