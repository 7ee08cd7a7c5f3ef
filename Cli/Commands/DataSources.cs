using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Serving.Images;
using RocketNet.Training.Data.Images;
using RocketNet.Serving.Tables;
using RocketNet.Training.Data.Tables;

namespace RocketNet.Cli.Commands;

/// <summary>A dataset ready for training: train and test parts plus what an architecture needs to know.</summary>
/// <param name="Train">Training part.</param>
/// <param name="Test">Test part.</param>
/// <param name="Augmentation">Image augmentation for training batches, or null.</param>
/// <param name="Vocabulary">Per-field vocabulary sizes for categorical (CTR) data, else null.</param>
/// <param name="Reference">A line describing the data and a reference result for it (the synthetic click log's
/// CTR and its hidden model's test AUC/GAUC), or null.</param>
/// <param name="Table">For a table file: the preprocessing fitted on its training part (saved with the model), else
/// null.</param>
/// <param name="Notes">What loading did that the user should know (dropped columns and rows), one line each.</param>
/// <param name="Image">For an image folder: its size, normalisation and class names (saved with the model), else
/// null.</param>
public sealed record LoadedData(Dataset Train, Dataset Test, ImageAugmentation? Augmentation, int[]? Vocabulary,
    string? Reference = null,
    TablePreprocessor? Table = null, IReadOnlyList<string>? Notes = null, ImagePreprocessor? Image = null)
{
    /// <summary>The preprocessing to save with the model (a table's or an image folder's), as JSON, or null.</summary>
    public string? PreprocessingJson => Table?.ToJson() ?? Image?.ToJson();
}

/// <summary>
/// How to read a table file given as <c>--data</c>: the table options and an optional separate test file.
/// </summary>
public sealed record TableRequest(TableOptions Options, string? TestFile);

/// <summary>Loads the datasets the <c>train</c> and <c>eval</c> commands accept, by name.</summary>
public static class DataSources
{
    /// <summary>Checkpoint metrics recording the <c>--impressions</c> and <c>--data-seed</c> of a synthetic-clicks run,
    /// so that <c>eval</c> regenerates the same test part by default.</summary>
    public const string ImpressionsMetric = "data_impressions", DataSeedMetric = "data_seed";

    /// <summary>Checkpoint metric recording the <c>--data</c> a run trained on: <c>eval</c>'s default.</summary>
    public const string DataMetric = "data";

    /// <summary>Names accepted by <c>--data</c>.</summary>
    public static readonly string[] Names = ["digits", "fashion-mnist", "cifar10", "ticdata", "criteo", "avazu",
        "synthetic-clicks"];

    /// <summary>
    /// Loads <paramref name="name"/>. <paramref name="path"/> is the file or folder where needed
    /// (default locations are tried for Fashion-MNIST and CIFAR-10); <paramref name="limit"/> caps the
    /// samples per part for quick runs; <paramref name="flatten"/> turns images into rows for MLPs;
    /// <paramref name="syntheticClicks"/> sizes and seeds <c>synthetic-clicks</c> (default: the full-size log, seed 1);
    /// <paramref name="hashBuckets"/> is the ids per categorical field of <c>criteo</c> and <c>avazu</c> rows
    /// (default: 10,000).
    /// </summary>
    /// <exception cref="UsageException">Unknown name or a required path missing.</exception>
    /// <exception cref="FileNotFoundException">The data file does not exist.</exception>
    public static LoadedData Load(string name, string? path, int limit, bool flatten, bool augment,
        SyntheticClickLogOptions? syntheticClicks = null, TableRequest? table = null, ImageFolderOptions? images = null,
        int? hashBuckets = null)
    {
        if (IsImageFolder(name))
        {
            if (table is not null)
                throw new UsageException(
                    $"--target and the other table options apply to a table file, not to the image folder '{name}'");
            var folder = ImageFolderData.Load(name, images);
            var (imageTrain, imageTest) = (Take(folder.Train, limit), Take(folder.Test, limit));
            if (flatten) (imageTrain, imageTest) = (Flatten(imageTrain), Flatten(imageTest));
            var imageAugmentation = augment && !flatten && folder.Preprocessor.ImageSize >= 16
                ? new ImageAugmentation() : null;
            return new LoadedData(imageTrain, imageTest, imageAugmentation, null, null, null, folder.Notes,
                folder.Preprocessor);
        }
        if (images is not null)
            throw new UsageException(
                $"--image-size and --skip-bad-images apply to an image folder given as --data, not to '{name}'");
        if (IsTableFile(name))
        {
            if (table is null)
                throw new UsageException($"--data {name} is a table: name the column to predict with --target");
            var loaded = TableData.Load(name, table.Options, table.TestFile);
            return new LoadedData(Take(loaded.Train, limit), Take(loaded.Test, limit), null, null, null,
                loaded.Preprocessor, loaded.Notes);
        }
        if (table is not null)
            throw new UsageException(
                $"--target and the other table options apply to a .csv or .tsv file given as --data, not to '{name}'");
        (Dataset Train, Dataset Test) parts;
        int[]? vocabulary = null;
        string? reference = null;
        switch (name)
        {
            case "digits":
                parts = Datasets.DigitsSplit(seed: 0);
                break;
            case "fashion-mnist":
                string dir = path ?? "/usr/share/datasets/fashion-mnist";
                if (!Directory.Exists(dir))
                    throw new DirectoryNotFoundException(
                        $"Fashion-MNIST folder '{dir}' not found (install it with 'apt-get install -y " +
                        "dataset-fashion-mnist' or pass --path).");
                parts = Datasets.FashionMnist(dir, limit);
                break;
            case "cifar10":
                string file = path ?? Path.Combine("..", "shared", "data", "cifar-10-binary.tar.gz");
                if (!File.Exists(file) && !Directory.Exists(file))
                    throw new FileNotFoundException(
                        $"CIFAR-10 archive or folder '{file}' not found (pass --path).", file);
                parts = Datasets.Cifar10(file, limit);
                var normalizer = ChannelNormalizer.Cifar10;
                parts = (normalizer.Normalize(parts.Train), normalizer.Normalize(parts.Test));
                break;
            case "ticdata":
                string csv = path
                    ?? throw new UsageException("--data ticdata needs --path (e.g. ../shared/data/ctr/ticdata.csv)");
                if (!File.Exists(csv)) throw new FileNotFoundException($"CSV file '{csv}' not found.", csv);
                var tic = Datasets.Ticdata(csv);
                parts = (tic.Training, tic.Test ?? throw new InvalidDataException($"File '{csv}': no test rows."));
                vocabulary = tic.VocabularySizes.ToArray();
                break;
            case "criteo" or "avazu":
                string clickFile = path
                    ?? throw new UsageException(
                    $"--data {name} needs --path (e.g. ../shared/data/ctr/{name}_sample.txt)");
                if (!File.Exists(clickFile))
                    throw new FileNotFoundException($"Click-log file '{clickFile}' not found.", clickFile);
                var layout = ClickLogRequest.LayoutOf(name, hashBuckets ?? ClickLogRequest.DefaultHashBuckets);
                var all = ClickLogFiles.ReadDataset([clickFile], layout, 0, limit,
                    Path.GetFileNameWithoutExtension(clickFile));
                parts = Datasets.TrainTestSplit(all, 0.2, seed: 0);
                vocabulary = layout.VocabularySizes();
                break;
            case "synthetic-clicks":
                var log = SyntheticClickLog.Generate(syntheticClicks ?? new SyntheticClickLogOptions());
                parts = (log.Train, log.Test);
                vocabulary = log.VocabularySizes.ToArray();
                reference = Describe(log);
                break;
            default:
                throw new UsageException($"--data must be one of {string.Join(", ", Names)}; got '{name}'");
        }
        var (train, test) = parts;
        if (limit < int.MaxValue && name is "digits" or "ticdata" or "synthetic-clicks")
        {
            train = Take(train, limit);
            test = Take(test, limit);
        }
        if (flatten)
        {
            train = Flatten(train);
            test = Flatten(test);
        }
        var augmentation = augment && train.SampleShape.Length == 3 && train.SampleShape[1] >= 16
            ? new ImageAugmentation() : null;
        return new LoadedData(train, test, augmentation, vocabulary, reference);
    }

    private static string Describe(SyntheticClickLog log)
    {
        var (auc, gauc) = log.OracleTestMetrics();
        var o = log.Options;
        return FormattableString.Invariant(
            $"synthetic click log (seed {o.Seed}): {o.Users:N0} users, {o.Ads:N0} ads, ") +
            FormattableString.Invariant($"CTR train {SyntheticClickLog.ClickThroughRate(log.Train) * 100:F2}% / ") +
            FormattableString.Invariant($"test {SyntheticClickLog.ClickThroughRate(log.Test) * 100:F2}%; ") +
            FormattableString.Invariant($"hidden model on the full test part: AUC {auc:F4}, GAUC {gauc:F4}");
    }

    /// <summary>True when <c>--data</c> names a table file rather than a built-in data set.</summary>
    public static bool IsTableFile(string data) => !Names.Contains(data) && RawTable.IsTableFile(data);

    /// <summary>
    /// True when <c>--data</c> names an existing folder (of class sub-folders of images) rather than a built-in data
    /// set.
    /// </summary>
    public static bool IsImageFolder(string data) => !Names.Contains(data) && Directory.Exists(data);

    /// <summary>Checks a <c>--data</c> value: a built-in name, a table file's path or an image folder.</summary>
    /// <exception cref="UsageException">None of these.</exception>
    public static string ParseData(string data) =>
        Names.Contains(data) || IsTableFile(data) || IsImageFolder(data) ? data
            : throw new UsageException(
                $"--data must be one of {string.Join(", ", Names)}, a table file (.csv, .tsv, optionally .gz) or an " +
                $"image folder (one sub-folder per class); got '{data}'");

    /// <summary>
    /// What a checkpoint records as its <see cref="DataMetric"/>: a built-in dataset's name, or the file or folder
    /// name alone of a user's table or image folder. Checkpoints and exported models are shipped; a full path would
    /// tell whoever gets one the trainer's user name and folder layout, and means nothing on another machine.
    /// </summary>
    public static string RecordedName(string data) =>
        IsTableFile(data) || IsImageFolder(data) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(data)) : data;

    /// <summary>The same samples as flat rows (shares the arrays).</summary>
    public static Dataset Flatten(Dataset d) =>
        d.SampleShape.Length == 1 ? d : new(d.Name, d.Features, d.Labels, [d.SampleSize], d.ClassCount,
            d.ClassNames, d.Groups);

    /// <summary>
    /// The first <paramref name="count"/> samples of <paramref name="d"/> (all of it if it has no more).
    /// </summary>
    public static Dataset Take(Dataset d, int count) =>
        count >= d.Count ? d : d.Subset(Enumerable.Range(0, count).ToArray());
}
