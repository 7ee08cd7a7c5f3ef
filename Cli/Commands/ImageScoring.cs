using System.Text;
using RocketNet.Cli.Reporting;
using RocketNet.Serving;
using RocketNet.Serving.Images;
using RocketNet.Training.Data.Images;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>predict</c> on a folder: every image under it (sorted by path) through the model's image preprocessing,
/// in batches. Output rows: the file's path relative to the folder, the predicted class, a probability per
/// class. When a file sits in a sub-folder named like a class, the accuracy over such files is printed.
/// On one image file: the same row, and the predicted class with its probability on the console.
/// </summary>
internal static class ImageScoring
{
    private const int BatchSize = 64;

    /// <summary>Scores the images under <paramref name="input"/>, a folder or one image file.</summary>
    public static int Run(Predictor predictor, string input, string outPath, TextWriter output, string net)
    {
        var image = predictor.Image!;
        bool single = File.Exists(input);
        // One file is scored as the only image of its folder: the rows name it, and the training-folder check
        // sees whether that folder is (inside) the one the model was trained on.
        string folder = single ? Path.GetDirectoryName(Path.GetFullPath(input))! : input;
        int linksSkipped = 0;
        var files = single ? [Path.GetFullPath(input)] : ImageFiles.Under(folder, out linksSkipped);
        if (files.Length == 0)
            throw new InvalidDataException(
                $"Image folder '{folder}': no image ({string.Join(", ", ImageFolderData.Extensions)}) in it.");
        if (TrainingOverlap(folder, files, image.TrainingFolderDigest) is { } warning)
            output.WriteLine($"warning: {warning}");
        int k = predictor.OutputSize;
        var progress = new ScoringProgress(output, "images", files.Length);
        ScoreWriter? scores = null;
        AtomicFile.Write(outPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            scores = new ScoreWriter(writer, "file", image.ClassNames);
            scores.WriteHeader();
            var batch = new float[BatchSize * image.SampleSize];
            var logits = new float[BatchSize * k];
            for (int start = 0; start < files.Length; start += BatchSize)
            {
                int n = Math.Min(BatchSize, files.Length - start);
                for (int i = 0; i < n; i++)
                    image.EncodeFile(files[start + i], batch.AsSpan(i * image.SampleSize, image.SampleSize));
                predictor.PredictBatch(batch.AsSpan(0, n * image.SampleSize), logits.AsSpan(0, n * k));
                for (int i = 0; i < n; i++)
                {
                    string relative = Path.GetRelativePath(folder, files[start + i]);
                    int truth = Array.IndexOf(image.ClassNames,
                        Path.GetFileName(Path.GetDirectoryName(relative) ?? ""));
                    scores.Write(relative, logits.AsSpan(i * k, k), truth);
                }
                progress.Report(start + n);
            }
        });
        progress.Finish();
        if (single)
        {
            output.WriteLine($"{input}: {scores!.LastPredicted} with the {net} net (probability " +
                $"{scores.LastProbability.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}), " +
                $"written to {outPath}");
            return 0;
        }
        output.WriteLine($"scored {files.Length:N0} images of {folder} with the {net} net into {outPath}"
            + scores!.AccuracySummary("images in a folder named like a class")
            + (linksSkipped > 0 ? $" ({linksSkipped} directory link(s) not followed)" : ""));
        foreach (string line in scores.ClassReportLines()) output.WriteLine(line);
        return 0;
    }

    // Scoring the images a model was trained on overstates its accuracy on new ones. The model records only a digest
    // of its training folder's path: compare it with the scored folder, the folders above it (scoring inside the
    // training folder) and the folders between it and its files (scoring a folder that holds the training folder).
    private static string? TrainingOverlap(string folder, string[] files, string? trainingDigest)
    {
        if (trainingDigest is null) return null;
        for (string? dir = Path.GetFullPath(folder); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (ImagePreprocessor.FolderDigest(dir) == trainingDigest)
                return $"'{folder}' is the folder this model was trained on, or inside it: these scores are " +
                       "mostly on training images and overstate its accuracy on new ones";
        }
        var below = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            for (string? dir = Path.GetDirectoryName(Path.GetRelativePath(folder, file)); !string.IsNullOrEmpty(dir);
                dir = Path.GetDirectoryName(dir))
            {
                if (!below.Add(dir)) break;
                if (ImagePreprocessor.FolderDigest(Path.Combine(folder, dir)) == trainingDigest)
                    return $"'{folder}' holds the folder this model was trained on ('{dir}'): its images are " +
                           "among those scored, and overstate the accuracy on new ones";
            }
        }
        return null;
    }
}
