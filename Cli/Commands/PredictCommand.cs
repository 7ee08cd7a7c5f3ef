using System.Globalization;
using System.Text;
using RocketNet.Layers;
using RocketNet.Cli.Reporting;
using RocketNet.Serving;
using RocketNet.Training.Data;
using RocketNet.Serving.Tables;
using RocketNet.Training.Data.Tables;

namespace RocketNet.Cli.Commands;

/// <summary>
/// <c>rocketnet predict --model F --input new.csv --output scores.csv [--id COLUMN]</c>: scores a table file (or one
/// image, an image folder, or a click log for a model trained on a streamed one: <see cref="ClickLogScoring"/>) with a
/// model trained on a table (an exported light net, or a pair checkpoint's light net or, with <c>--net booster</c>,
/// its booster), streaming it in batches
/// through the preprocessing saved in the model. Each output row: the input's line number (or its
/// <c>--id</c> value), the predicted class and one probability per class. When the input has the target column,
/// the accuracy on its labelled rows is printed too.
/// </summary>
public static class PredictCommand
{
    private const int BatchSize = 256;

    /// <summary>Scores the file and prints a summary line.</summary>
    public static int Run(CliOptions options, TextWriter output)
    {
        string modelPath = options.StringOrNull("model")
            ?? throw new UsageException("predict needs --model <light.safetensors or a pair checkpoint>");
        string input = options.StringOrNull("input")
            ?? throw new UsageException("predict needs --input <file.csv or .tsv>");
        string outPath = options.StringOrNull("output")
            ?? throw new UsageException("predict needs --output <scores.csv>");
        string? idColumn = options.StringOrNull("id");
        // the booster too, so a user can see on their own labelled data what the light net was distilled from
        string net = options.Choice("net", "light", "light", "booster");
        Parallelism.ThreadCount = options.Int("threads", 1, 1, 256);
        options.RejectUnknown("predict");
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model '{modelPath}' not found.", modelPath);
        OutputPath.CheckNotSource(outPath, modelPath, "--model");
        OutputPath.CheckNotSource(outPath, input, "--input");
        var predictor = LoadPredictor(modelPath, net);
        if (predictor.ClickLog is not null)
        {
            if (idColumn is not null)
                throw new UsageException("--id names a table column; click-log scores are identified by row number");
            return ClickLogScoring.Run(predictor, input, outPath, output, net);
        }
        bool imageFile = File.Exists(input) && Training.Data.Images.ImageFiles.IsImage(input);
        if (Directory.Exists(input) || imageFile)
        {
            if (predictor.Image is null)
                throw new UsageException(
                    $"--input {input} is {(imageFile ? "an image" : "a folder")}, but '{modelPath}' was trained on a " +
                    "table: give a table file");
            if (idColumn is not null)
                throw new UsageException("--id names a table column; image scores are identified by their file names");
            return ImageScoring.Run(predictor, input, outPath, output, net);
        }
        if (!File.Exists(input)) throw new FileNotFoundException($"Input '{input}' not found.", input);
        if (!RawTable.IsTableFile(input))
            throw new UsageException(
                $"--input must be a table file (.csv, .tsv, optionally .gz), an image " +
                $"({string.Join(", ", Training.Data.Images.ImageFolderData.Extensions)}) or a folder of images; got " +
                $"'{input}'");
        var table = predictor.Table
            ?? throw new UsageException($"'{modelPath}' was trained on images: give a folder of images as --input");
        long rows = 0;
        var progress = new ScoringProgress(output, "rows");
        ScoreWriter? scores = null;
        AtomicFile.Write(outPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            using var text = new StreamReader(CompressedFile.OpenRead(input),
                new UTF8Encoding(false, throwOnInvalidBytes: true));
            scores = new ScoreWriter(writer, idColumn ?? "line", table.ClassNames);
            scores.WriteHeader();
            int k = predictor.OutputSize, n = 0, idAt = -1, targetAt = -1;
            int[] positions = [];
            var batch = new float[BatchSize * table.RowWidth];
            var logits = new float[BatchSize * k];
            var ids = new string[BatchSize];
            var targets = new int[BatchSize];
            RawTable.Stream(input, text, header =>
            {
                positions = table.Bind(header, input);
                idAt = idColumn is null ? -1 : Array.IndexOf(header, idColumn);
                if (idColumn is not null && idAt < 0)
                    throw new InvalidDataException($"File '{input}': no column '{idColumn}' (named by --id).");
                targetAt = Array.IndexOf(header, table.Target);
            }, (cells, line) =>
            {
                table.Encode(cells, positions, batch.AsSpan(n * table.RowWidth, table.RowWidth), input, line);
                ids[n] = idAt >= 0 ? cells[idAt] : line.ToString(CultureInfo.InvariantCulture);
                targets[n] = targetAt >= 0 ? table.ClassOf(cells[targetAt]) : -1;
                if (++n == BatchSize) Flush();
            });
            Flush();

            void Flush()
            {
                if (n == 0) return;
                predictor.PredictBatch(batch.AsSpan(0, n * table.RowWidth), logits.AsSpan(0, n * k));
                for (int i = 0; i < n; i++) scores.Write(ids[i], logits.AsSpan(i * k, k), targets[i]);
                rows += n;
                n = 0;
                progress.Report(rows);
            }
        });
        progress.Finish();
        output.WriteLine($"scored {rows:N0} rows of {input} with the {net} net into {outPath}"
            + scores!.AccuracySummary($"rows with a '{table.Target}' value"));
        foreach (string line in scores.ClassReportLines()) output.WriteLine(line);
        return 0;
    }

    // An exported light net directly; a pair checkpoint through its light net or its booster; with the
    // preprocessing saved in it.
    private static Predictor LoadPredictor(string path, string net)
    {
        var checkpoint = Checkpoint.Load(path);
        if (checkpoint.Preprocessing is null)
            throw new UsageException(
                $"'{path}' was not trained on a table file, an image folder or a streamed click log (it has no " +
                "saved preprocessing); predict scores such models");
        if (net == "booster" && CheckpointNets.IsLightNet(checkpoint))
            throw new UsageException(
                $"--net booster: '{path}' is an exported light net, which has no booster; give the pair checkpoint " +
                $"of the run ({TrainCommand.CheckpointFile} or {TrainCommand.BestCheckpointFile} in its " +
                "--checkpoint-dir)");
        var module = net == "booster"
            ? CheckpointNets.LoadPair(checkpoint).Booster
            : CheckpointNets.LoadLightNetOfAny(checkpoint);
        var (table, image) = Predictor.SavedPreprocessing(checkpoint);
        var clickLog = Predictor.SavedClickLog(checkpoint);
        int[] shape = checkpoint.InputShape ?? [table?.RowWidth ?? image?.SampleSize ?? clickLog!.RowWidth];
        try
        {
            return new Predictor(module, shape, BatchSize) { Table = table, Image = image, ClickLog = clickLog };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Checkpoint '{path}': {e.Message}", e);
        }
    }
}
