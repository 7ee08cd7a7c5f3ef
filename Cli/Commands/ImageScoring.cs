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
/// </summary>
internal static class ImageScoring
{
    private const int BatchSize = 64;

    public static int Run(Predictor predictor, string folder, string outPath, TextWriter output)
    {
        var image = predictor.Image!;
        var files = ImageFiles.Under(folder, out int linksSkipped);
        if (files.Length == 0)
            throw new InvalidDataException(
                $"Image folder '{folder}': no image ({string.Join(", ", ImageFolderData.Extensions)}) in it.");
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
        output.WriteLine($"scored {files.Length:N0} images of {folder} into {outPath}"
            + scores!.AccuracySummary("images in a folder named like a class")
            + (linksSkipped > 0 ? $" ({linksSkipped} directory link(s) not followed)" : ""));
        return 0;
    }
}
