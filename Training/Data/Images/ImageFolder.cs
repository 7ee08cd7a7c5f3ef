using RocketNet.Serving;
using RocketNet.Serving.Images;
namespace RocketNet.Training.Data.Images;

/// <summary>How to read an image folder for training.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Side of the square input; null chooses: the images' common size when they all have one and it is at
    /// most 64, else 32.</summary>
    public int? ImageSize { get; init; }

    /// <summary>
    /// Share of each class held out as the test part when the folder has no <c>train/</c> and <c>test/</c>.
    /// </summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Seed of that split.</summary>
    public ulong SplitSeed { get; init; } = 1;

    /// <summary>Skip unreadable images (counted in a note) instead of stopping at the first.</summary>
    public bool SkipBadImages { get; init; }
}

/// <summary>An image folder split for training: encoded parts, the fitted preprocessing, and notes.</summary>
/// <param name="Train">The training part [N, 3, S, S], standardised with its own channel statistics.</param>
/// <param name="Test">The test part, standardised with the training statistics.</param>
/// <param name="Preprocessor">Saved with the model, so it serves image files.</param>
/// <param name="Notes">What was skipped or chosen, one line each.</param>
public sealed record ImageFolderData(Dataset Train, Dataset Test, ImagePreprocessor Preprocessor,
    IReadOnlyList<string> Notes)
{
    /// <summary>File extensions read as images (any case); see <see cref="ImageFiles"/>.</summary>
    public static string[] Extensions => ImageFiles.Extensions;

    /// <summary>
    /// Reads <paramref name="folder"/>: one sub-folder per class (its name is the class name), or <c>train/</c> and
    /// <c>test/</c> sub-folders each holding the class folders. Without them the test part is a seeded stratified
    /// share.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Fewer than two classes, a class without images, no class with two images
    /// to hold one out (no train/ and test/ layout), one image file reached
    /// under two names (links), or an unreadable image (unless skipped); the message names the folder or
    /// file.</exception>
    public static ImageFolderData Load(string folder, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Image folder '{folder}' not found.");
        var notes = new List<string>();
        string trainDir = Path.Combine(folder, "train"), testDir = Path.Combine(folder, "test");
        List<(string File, int Label)> trainFiles, testFiles;
        string[] classes;
        bool layout = Directory.Exists(trainDir) && Directory.Exists(testDir);
        if (layout)
        {
            classes = ClassFolders(trainDir);
            trainFiles = Files(trainDir, classes, notes);
            var testClasses = ClassFolders(testDir);
            if (testClasses.Except(classes).FirstOrDefault() is { } extra)
                throw new InvalidDataException(
                    $"Image folder '{testDir}': class '{extra}' is not among the training classes " +
                    $"({string.Join(", ", classes)}).");
            testFiles =
                Files(testDir, testClasses, notes)
                    .Select(f => (f.File, Array.IndexOf(classes, testClasses[f.Label]))).ToList();
        }
        else
        {
            classes = ClassFolders(folder);
            (trainFiles, testFiles) = Split(Files(folder, classes, notes), options.TestFraction, options.SplitSeed);
            if (testFiles.Count == 0)
                throw new InvalidDataException(
                    $"Image folder '{folder}': its {trainFiles.Count} image(s) leave no test part: a class gives the " +
                    "test part an image only when it has at least two, and no class here has. Expected more images " +
                    "per class, or the layout train/<class>/… beside test/<class>/….");
        }
        RefuseDuplicates(folder, trainFiles.Concat(testFiles));

        int size = options.ImageSize ?? ChooseSize(trainFiles, notes);
        var train = Read(trainFiles, size, classes, options.SkipBadImages, notes, "training");
        var statistics = ChannelNormalizer.FromDataset(train);
        var preprocessor = new ImagePreprocessor
        {
            ImageSize = size,
            Mean = [.. statistics.Mean],
            Std = statistics.Std.Select(s => s > 1e-6f ? s : 1f).ToArray(),
            ClassNames = classes,
            // with train/ and test/, scoring test/ is right and only train/ holds training images
            TrainingFolderDigest = ImagePreprocessor.FolderDigest(layout ? trainDir : folder),
        };
        var normalizer = new ChannelNormalizer(preprocessor.Mean, preprocessor.Std);
        var test = Read(testFiles, size, classes, options.SkipBadImages, notes, "test");
        return new ImageFolderData(normalizer.Normalize(train), normalizer.Normalize(test), preprocessor, notes);
    }

    private static string[] ClassFolders(string folder)
    {
        var classes = Directory.GetDirectories(folder).Select(Path.GetFileName).OfType<string>().Where(
            n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2)
            throw new InvalidDataException(
                $"Image folder '{folder}': {classes.Length} class folder(s); one sub-folder per class " +
                "is needed, at least two.");
        return classes;
    }

    private static List<(string File, int Label)> Files(string folder, string[] classes, List<string> notes)
    {
        var files = new List<(string, int)>();
        int links = 0;
        for (int k = 0; k < classes.Length; k++)
        {
            string dir = Path.Combine(folder, classes[k]);
            var images = ImageFiles.Under(dir, out int skipped);
            links += skipped;
            if (images.Length == 0)
                throw new InvalidDataException(
                    $"Image folder '{dir}': no image ({string.Join(", ", Extensions)}) for class '{classes[k]}'.");
            files.AddRange(images.Select(f => (f, k)));
        }
        if (links > 0) notes.Add($"{links} directory link(s) inside the class folders of '{folder}' not followed");
        return files;
    }

    // One file under two names (a file link, or a class folder linked twice) would be counted twice and could land
    // in both the training and the test part, where the test would measure memory, not generalisation.
    private static void RefuseDuplicates(string folder, IEnumerable<(string File, int Label)> files)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (file, _) in files)
        {
            string real = RealPaths.Of(file);
            if (!seen.TryAdd(real, file))
                throw new InvalidDataException(
                    $"Image folder '{folder}': the image '{real}' is reached both as '{seen[real]}' and as '{file}' " +
                    "(through a link); each image must appear once, or it could be in both the training and the " +
                    "test part.");
        }
    }

    private static (List<(string File, int Label)> Train, List<(string File, int Label)> Test) Split(
        List<(string File, int Label)> files, double fraction, ulong seed) =>
        StratifiedSplit.Split(files, f => f.Label, fraction, seed);

    // The common size of the training images when they share one of at most 64 pixels a side; else 32. Only the
    // headers are read; a file whose header is unreadable is reported when the image itself is read.
    private static int ChooseSize(List<(string File, int Label)> files, List<string> notes)
    {
        var sizes = new HashSet<(int, int)>();
        foreach (var (file, _) in files)
        {
            if (ImageHeaderOf(file) is { } header) sizes.Add((header.Width, header.Height));
            if (sizes.Count > 1) break;
        }
        if (sizes.Count == 1 && sizes.First() is var (w, h) && w == h && w <= 64) return w;
        notes.Add("images resized to 32×32 (centre square of the shorter side; choose with --image-size)");
        return 32;
    }

    private static ImageHeader? ImageHeaderOf(string file)
    {
        try
        {
            return ImageFileCheck.Inspect(File.ReadAllBytes(file), file, ImagePreprocessor.MaxPixelsFor(64));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    private static Dataset Read(List<(string File, int Label)> files, int size, string[] classes, bool skipBad,
        List<string> notes, string part)
    {
        var encoder = new ImagePreprocessor
        {
            ImageSize = size,
            Mean = [0, 0, 0],
            Std = [1, 1, 1],
            ClassNames = classes
        };
        int sampleSize = encoder.SampleSize;
        var features = new float[files.Count * sampleSize];
        var labels = new int[files.Count];
        int kept = 0, skipped = 0;
        foreach (var (file, label) in files)
        {
            try
            {
                encoder.EncodeFile(file, features.AsSpan(kept * sampleSize, sampleSize));
            }
            catch (InvalidDataException) when (skipBad)
            {
                skipped++;
                continue;
            }
            labels[kept++] = label;
        }
        if (skipped > 0) notes.Add($"{skipped} unreadable image(s) skipped in the {part} part");
        if (kept == 0) throw new InvalidDataException($"No readable image in the {part} part.");
        return new Dataset(part, features[..(kept * sampleSize)], labels[..kept], [3, size, size],
            classes.Length, classes);
    }
}
