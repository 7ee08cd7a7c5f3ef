using System.Globalization;
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
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageFolderData.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new InvalidDataException($"Image folder '{folder}': no image ({string.Join(", ", ImageFolderData.Extensions)}) in it.");
        string tmp = outPath + ".tmp";
        int k = predictor.OutputSize, labelled = 0, correct = 0;
        var progress = new ScoringProgress(output, "images", files.Length);
        using (var writer = new StreamWriter(tmp, false, new UTF8Encoding(false)))
        {
            writer.WriteLine(string.Join(",", new[] { "file", "predicted" }.Concat(image.ClassNames.Select(c => "p_" + c)).Select(PredictCommand.Quote)));
            var batch = new float[BatchSize * image.SampleSize];
            var logits = new float[BatchSize * k];
            for (int start = 0; start < files.Length; start += BatchSize)
            {
                int n = Math.Min(BatchSize, files.Length - start);
                for (int i = 0; i < n; i++) image.EncodeFile(files[start + i], batch.AsSpan(i * image.SampleSize, image.SampleSize));
                predictor.PredictBatch(batch.AsSpan(0, n * image.SampleSize), logits.AsSpan(0, n * k));
                for (int i = 0; i < n; i++)
                {
                    var p = logits.AsSpan(i * k, k);
                    Predictor.Softmax(p);
                    int best = 0;
                    for (int j = 1; j < k; j++) if (p[j] > p[best]) best = j;
                    string relative = Path.GetRelativePath(folder, files[start + i]);
                    int truth = Array.IndexOf(image.ClassNames, Path.GetFileName(Path.GetDirectoryName(relative) ?? ""));
                    if (truth >= 0) (labelled, correct) = (labelled + 1, correct + (truth == best ? 1 : 0));
                    var line = new StringBuilder(PredictCommand.Quote(relative)).Append(',').Append(PredictCommand.Quote(image.ClassNames[best]));
                    foreach (float v in p) line.Append(',').Append(v.ToString("G6", CultureInfo.InvariantCulture));
                    writer.WriteLine(line.ToString());
                }
                progress.Report(start + n);
            }
        }
        progress.Finish();
        File.Move(tmp, outPath, overwrite: true);
        output.WriteLine($"scored {files.Length:N0} images of {folder} into {outPath}" +
                         (labelled > 0 ? string.Create(CultureInfo.InvariantCulture, $"; accuracy on the {labelled:N0} images in a folder named like a class: {(double)correct / labelled:P2}") : ""));
        return 0;
    }
}
