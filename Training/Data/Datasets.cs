using RocketNet.Serving;
using System.Globalization;
using System.IO.Compression;

namespace RocketNet.Training.Data;

/// <summary>Ready-made datasets: the embedded default (8×8 digits) and loaders for the standard files.</summary>
public static class Datasets
{
    private const string DigitsResource = "RocketNet.Training.Data.digits.csv.gz";

    /// <summary>Default folder of Debian's <c>dataset-fashion-mnist</c> package.</summary>
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// scikit-learn's 8×8 handwritten digits (1,797 samples, embedded in this assembly): shape [1, 8, 8],
    /// pixel values 0–16 scaled to [0, 1], classes 0–9. See <c>Data/Resources/LICENSE-digits.txt</c>.
    /// </summary>
    public static Dataset Digits()
    {
        using var resource = typeof(Datasets).Assembly.GetManifestResourceStream(DigitsResource)
            ?? throw new InvalidOperationException(
                $"Embedded resource '{DigitsResource}' is missing from {typeof(Datasets).Assembly.GetName().Name}.");
        using var text = new StreamReader(new GZipStream(resource, CompressionMode.Decompress));
        return ReadDigitsCsv(text, DigitsResource);
    }

    /// <summary>
    /// The digits split the standard way: a seeded 20 % test part (see <see cref="TrainTestSplit"/>).
    /// </summary>
    public static (Dataset Train, Dataset Test) DigitsSplit(ulong seed = 0) => TrainTestSplit(Digits(), 0.2, seed);

    /// <summary>
    /// A seeded train/test split: a random <paramref name="testFraction"/> of the samples becomes the test
    /// part, both parts keep the original order; the same seed always gives the same split.
    /// </summary>
    public static (Dataset Train, Dataset Test) TrainTestSplit(Dataset dataset, double testFraction, ulong seed) =>
        dataset.Split(testFraction, seed);

    /// <summary>
    /// Fashion-MNIST from <paramref name="directory"/> holding <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz</c>
    /// (or without <c>.gz</c>): shape [1, 28, 28], values in [0, 1], 10 named classes.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt (names the file and byte offset).</exception>
    public static (Dataset Train, Dataset Test) FashionMnist(string directory = DebianFashionMnistDirectory,
        int maxCount = int.MaxValue)
    {
        string[] classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
            "Bag", "Ankle boot"];
        Dataset Load(string split) => IdxReader.ReadDataset(
            Find(directory, $"{split}-images-idx3-ubyte"), Find(directory, $"{split}-labels-idx1-ubyte"),
            $"fashion-mnist/{(split == "t10k" ? "test" : split)}", 10, classNames, maxCount);
        return (Load("train"), Load("t10k"));
    }

    /// <summary>
    /// CIFAR-10 from the binary archive or folder (see <see cref="Cifar10Reader.Load"/>); values in [0, 1].
    /// </summary>
    public static (Dataset Train, Dataset Test) Cifar10(string path, int maxRecordsPerSplit = int.MaxValue) =>
        Cifar10Reader.Load(path, maxRecordsPerSplit);

    /// <summary>
    /// CoIL 2000 <c>ticdata.csv</c>: 85 categorical fields, target <c>CARAVAN</c> (insurance = 1), with the
    /// original split — the first 5,822 rows train (vocabularies built there), the remaining rows test.
    /// </summary>
    public static CategoricalTable Ticdata(string path) => CategoricalCsvReader.Read(path, new CategoricalCsvOptions
    {
        TargetColumn = "CARAVAN",
        PositiveValues = ["insurance", "1", "yes"],
        NegativeValues = ["noinsurance", "0", "no"],
        TrainingRows = 5822,
    });

    private static string Find(string directory, string baseName)
    {
        foreach (string candidate in new[] { baseName + ".gz", baseName })
        {
            string file = Path.Combine(directory, candidate);
            if (File.Exists(file)) return file;
        }
        throw new FileNotFoundException($"Neither '{baseName}.gz' nor '{baseName}' is in '{directory}'.",
            Path.Combine(directory, baseName + ".gz"));
    }

    /// <summary>Parses digits rows "p0,…,p63,label" (pixels 0–16) into [1, 8, 8] samples in [0, 1].</summary>
    internal static Dataset ReadDigitsCsv(TextReader text, string fileName)
    {
        const int pixels = 64;
        var features = new List<float>(1797 * pixels);
        var labels = new List<int>(1797);
        var csv = new CsvRecordReader(text, fileName, ',');
        var cells = new List<string>();
        while (csv.Read(cells))
        {
            if (cells.Count != pixels + 1)
                throw DataFileErrors.At(fileName, $"line {csv.RecordLine}",
                    $"{cells.Count} cells, expected {pixels} pixels and a label.");
            for (int c = 0; c <= pixels; c++)
            {
                if (!int.TryParse(cells[c], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < 0
                    || v > (c < pixels ? 16 : 9))
                    throw DataFileErrors.AtCell(fileName, csv.RecordLine, c + 1, c < pixels ? $"pixel {c}" : "label",
                        $"'{cells[c]}' is not an integer in [0, {(c < pixels ? 16 : 9)}].");
                if (c < pixels) features.Add(v / 16f);
                else labels.Add(v);
            }
        }
        return new Dataset("digits", [.. features], [.. labels], [1, 8, 8], 10,
            ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    }
}
