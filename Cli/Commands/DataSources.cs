using RocketNet.Training.Data;

namespace RocketNet.Cli.Commands;

/// <summary>A dataset ready for training: train and test parts plus what an architecture needs to know.</summary>
/// <param name="Train">Training part.</param>
/// <param name="Test">Test part.</param>
/// <param name="Augmentation">Image augmentation for training batches, or null.</param>
/// <param name="Vocabulary">Per-field vocabulary sizes for categorical (CTR) data, else null.</param>
public sealed record LoadedData(Dataset Train, Dataset Test, ImageAugmentation? Augmentation, int[]? Vocabulary);

/// <summary>Loads the datasets the <c>train</c> and <c>eval</c> commands accept, by name.</summary>
public static class DataSources
{
    /// <summary>Names accepted by <c>--data</c>.</summary>
    public static readonly string[] Names = ["digits", "fashion-mnist", "cifar10", "ticdata", "criteo"];

    /// <summary>
    /// Loads <paramref name="name"/>. <paramref name="path"/> is the file or folder where needed
    /// (default locations are tried for Fashion-MNIST and CIFAR-10); <paramref name="limit"/> caps the
    /// samples per part for quick runs; <paramref name="flatten"/> turns images into rows for MLPs.
    /// </summary>
    /// <exception cref="UsageException">Unknown name or a required path missing.</exception>
    /// <exception cref="FileNotFoundException">The data file does not exist.</exception>
    public static LoadedData Load(string name, string? path, int limit, bool flatten, bool augment)
    {
        (Dataset Train, Dataset Test) parts;
        int[]? vocabulary = null;
        switch (name)
        {
            case "digits":
                parts = Datasets.DigitsSplit(seed: 0);
                break;
            case "fashion-mnist":
                string dir = path ?? "/usr/share/datasets/fashion-mnist";
                if (!Directory.Exists(dir))
                    throw new DirectoryNotFoundException(
                        $"Fashion-MNIST folder '{dir}' not found (install it with 'apt-get install -y dataset-fashion-mnist' or pass --path).");
                parts = Datasets.FashionMnist(dir, limit);
                break;
            case "cifar10":
                string file = path ?? Path.Combine("..", "shared", "data", "cifar-10-binary.tar.gz");
                if (!File.Exists(file) && !Directory.Exists(file))
                    throw new FileNotFoundException($"CIFAR-10 archive or folder '{file}' not found (pass --path).", file);
                parts = Datasets.Cifar10(file, limit);
                var normalizer = ChannelNormalizer.Cifar10;
                parts = (normalizer.Normalize(parts.Train), normalizer.Normalize(parts.Test));
                break;
            case "ticdata":
                string csv = path ?? throw new UsageException("--data ticdata needs --path (e.g. ../shared/data/ctr/ticdata.csv)");
                if (!File.Exists(csv)) throw new FileNotFoundException($"CSV file '{csv}' not found.", csv);
                var table = Datasets.Ticdata(csv);
                parts = (table.Training, table.Test ?? throw new InvalidDataException($"File '{csv}': no test rows."));
                vocabulary = table.VocabularySizes.ToArray();
                break;
            case "criteo":
                string criteo = path ?? throw new UsageException("--data criteo needs --path (e.g. ../shared/data/ctr/criteo_sample.txt)");
                if (!File.Exists(criteo)) throw new FileNotFoundException($"Criteo file '{criteo}' not found.", criteo);
                var all = CriteoReader.ReadDataset(criteo, limit, null);
                parts = Datasets.TrainTestSplit(all, 0.2, seed: 0);
                vocabulary = CriteoReader.VocabularySizes(null).ToArray();
                break;
            default:
                throw new UsageException($"--data must be one of {string.Join(", ", Names)}; got '{name}'");
        }
        var (train, test) = parts;
        if (limit < int.MaxValue && name is "digits" or "ticdata")
        {
            train = Take(train, limit);
            test = Take(test, limit);
        }
        if (flatten)
        {
            train = Flatten(train);
            test = Flatten(test);
        }
        var augmentation = augment && train.SampleShape.Length == 3 && train.SampleShape[1] >= 16 ? new ImageAugmentation() : null;
        return new LoadedData(train, test, augmentation, vocabulary);
    }

    /// <summary>The same samples as flat rows (shares the arrays).</summary>
    public static Dataset Flatten(Dataset d) =>
        d.SampleShape.Length == 1 ? d : new(d.Name, d.Features, d.Labels, [d.SampleSize], d.ClassCount, d.ClassNames, d.Groups);

    private static Dataset Take(Dataset d, int count) =>
        count >= d.Count ? d : d.Subset(Enumerable.Range(0, count).ToArray());
}
