using System.Globalization;
using System.Text;
using RocketNet.Cli.Reporting;
using RocketNet.Serving;
using RocketNet.Training.Data;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>predict</c> with a click-log model: the rows of a click-log file (or comma-separated files, or a folder of
/// them) in the layout the model was trained on, hashed into its buckets and, for a <c>--min-count</c> model, with its
/// saved rare-id map applied by the <see cref="Predictor"/> — streamed in batches in constant memory. Output rows:
/// the row's 1-based position in the stream, the predicted class and the probabilities of no click and click; every
/// row of a click log is labelled, so the accuracy is printed (eval prints the AUC).
/// </summary>
internal static class ClickLogScoring
{
    private const int BatchSize = 256;

    public static int Run(Predictor predictor, string input, string outPath, TextWriter output, string net)
    {
        var clickLog = predictor.ClickLog!;
        var layout = ClickLogRequest.LayoutOf(clickLog.Layout, clickLog.HashBuckets);
        var files = ClickLogFiles.Resolve(input);
        int width = layout.FieldCount, k = predictor.OutputSize;
        long rows = 0;
        var progress = new ScoringProgress(output, "rows");
        ScoreWriter? scores = null;
        AtomicFile.Write(outPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            scores = new ScoreWriter(writer, "row", ["no click", "click"]);
            scores.WriteHeader();
            var batch = new float[BatchSize * width];
            var logits = new float[BatchSize * k];
            var labels = new int[BatchSize];
            int n = 0;
            foreach (var row in ClickLogFiles.ReadRows(files, layout))
            {
                var ids = batch.AsSpan(n * width, width);
                for (int f = 0; f < width; f++) ids[f] = row.FieldIds[f];
                labels[n] = row.Label;
                if (++n == BatchSize) Flush();
            }
            Flush();

            void Flush()
            {
                if (n == 0) return;
                predictor.PredictBatch(batch.AsSpan(0, n * width), logits.AsSpan(0, n * k));
                for (int i = 0; i < n; i++)
                    scores.Write((rows + i + 1).ToString(CultureInfo.InvariantCulture), logits.AsSpan(i * k, k),
                        labels[i]);
                rows += n;
                n = 0;
                progress.Report(rows);
            }
        });
        progress.Finish();
        string mapped = clickLog.RareIds is { } rare
            ? $", ids rarer than {rare.MinCount} in training mapped to the rare id" : "";
        output.WriteLine($"scored {rows:N0} rows of {input} ({layout.Name} layout{mapped}" +
            $") with the {net} net into {outPath}" + scores!.AccuracySummary("rows"));
        return 0;
    }
}
