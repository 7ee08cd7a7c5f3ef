using System.Globalization;
using RocketNet.Serving.ClickLogs;
using RocketNet.Training.Data;

namespace RocketNet.Cli.Commands;

/// <summary>
/// A streamed click log cut in time: training rows stream from the files each epoch; the validation part (the rows
/// just before the test part) is read into memory, and the test part (a separate file, the last file, or the last
/// rows) is read from its files whenever it is evaluated, so that millions of test rows are not held.
/// </summary>
/// <param name="Train">The training rows, streamed.</param>
/// <param name="Validation">The validation part, or null.</param>
/// <param name="Test">The test part, streamed.</param>
/// <param name="Vocabulary">Ids per field.</param>
/// <param name="Layout">A line saying which rows of which files each part holds.</param>
public sealed record ClickLogData(ClickLogStream Train, Dataset? Validation, ClickLogPart Test, int[] Vocabulary,
    string Layout)
{
    /// <summary>Checkpoint metric: rows the training stream reads per epoch (checked again on resume).</summary>
    public const string RowsMetric = "click_rows";

    /// <summary>
    /// Checkpoint metric: the stream position reached, in rows read since the first epoch (a resume restarts the
    /// stream from its first row with the next epoch's shuffle).
    /// </summary>
    public const string PositionMetric = "click_rows_read";

    /// <summary>Checkpoint metric: ids per categorical field the run hashed into.</summary>
    public const string HashBucketsMetric = "click_hash_buckets";

    /// <summary>Checkpoint metric: the run's <c>--min-count</c> (0: off).</summary>
    public const string MinCountMetric = "click_min_count";

    /// <summary>
    /// Lays out <paramref name="path"/> (files, a comma list or a folder) as train / validation / test in time
    /// order. Without <see cref="ClickLogRequest.TestPath"/> or <see cref="ClickLogRequest.TestRows"/> the last of
    /// several files is the test part. <paramref name="validation"/> is the fraction of the rows before the test
    /// part kept for validation (the latest ones); <paramref name="limit"/> caps each part and
    /// <paramref name="trainLimit"/> the training rows (the first ones).
    /// </summary>
    /// <exception cref="UsageException">No way to find a test part, or too few rows.</exception>
    public static ClickLogData Load(string path, ClickLogRequest request, double validation, int limit,
        int trainLimit, int batchSize, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = request.Layout;
        var files = ClickLogFiles.Resolve(path);
        IReadOnlyList<string> testFiles;
        long testStart = 0;
        bool testInStream = false; // the test part is the stream's last rows
        if (request.TestPath is not null)
        {
            testFiles = ClickLogFiles.Resolve(request.TestPath);
        }
        else if (request.TestRows == 0)
        {
            if (files.Count < 2)
                throw new UsageException(
                    "a streamed click log needs a test part later in time: --test-path FILE, --test-rows N (the last " +
                    "N rows), or several files in --path (the last one is the test part)");
            testFiles = [files[^1]];
            files = files.Take(files.Count - 1).ToArray();
        }
        else
        {
            testFiles = files;
            testInStream = true;
        }
        long rows = ClickLogFiles.CountRows(files, options);
        if (testInStream)
        {
            if (request.TestRows >= rows)
                throw new UsageException($"--test-rows {request.TestRows} leaves no training rows: the log has {rows}");
            testStart = rows - request.TestRows;
            rows = testStart;
        }
        long validationRows = (long)Math.Floor(rows * validation);
        long trainRows = rows - validationRows;
        if (trainRows < 1 || validation > 0 && validationRows < 1)
            throw new UsageException(
                $"{rows} rows before the test part are too few for --validation {validation}");
        long streamed = Math.Min(trainRows, Math.Min(limit, trainLimit));
        // What is rare is decided by the training rows alone.
        var rare = request.MinCount > 0 ? RareIdCounter.Count(files, options, streamed, request.MinCount) : null;
        long testRows = Math.Min(limit, testInStream ? request.TestRows : ClickLogFiles.CountRows(testFiles, options));
        if (testRows == 0)
            throw new InvalidDataException($"Click log {string.Join(", ", testFiles)}: the test part has no rows.");
        var test = new ClickLogPart(testFiles, options, testStart, (int)testRows, "test", rare);
        var held = validationRows == 0 ? null
            : ClickLogFiles.ReadDataset(files, options, trainRows, (int)Math.Min(limit, validationRows), "validation",
                rare);
        var train = new ClickLogStream(files, options, batchSize, request.ShuffleBuffer, seed, streamed, rare);
        var inv = CultureInfo.InvariantCulture;
        string validationPart = held is null ? ""
            : string.Create(inv, $", validation rows [{trainRows:N0}, {trainRows + held.Count:N0})");
        string testSource = testInStream ? string.Create(inv, $"from row {testStart:N0}")
            : "of " + string.Join(", ", testFiles.Select(Path.GetFileName));
        string layout = string.Create(inv,
            $"click log streamed from {files.Count} file(s): train rows [0, {train.RowCount:N0}){validationPart}, " +
            $"test {test.Count:N0} rows {testSource}; shuffle buffer {request.ShuffleBuffer:N0} rows, " +
            $"{request.HashBuckets:N0} hash buckets per field") + (rare is null ? "" : string.Create(inv,
            $"; ids seen fewer than {rare.MinCount} times share one rare id ({rare.RareIdCount:N0} of them)"));
        return new ClickLogData(train, held, test,
            rare?.VocabularySizes(options.VocabularySizes()) ?? options.VocabularySizes(), layout);
    }

    /// <summary>
    /// What the model applies to a row's ids, saved with it (every checkpoint and export): the layout, the ids per
    /// field and the rare-id map of a <c>--min-count</c> run, so that eval, predict and a served model map rare ids
    /// as training did.
    /// </summary>
    public ClickLogPreprocessor Preprocessing =>
        new(Train.Layout.Name, Vocabulary, Train.Layout.HashBuckets, Train.RareIds);

    /// <summary>Records the stream's size, position after <paramref name="epochs"/> epochs and hashing.</summary>
    public void AddTo(IDictionary<string, string> metrics, int epochs)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        metrics[RowsMetric] = Train.RowCount.ToString(CultureInfo.InvariantCulture);
        metrics[PositionMetric] = (epochs * Train.RowsPerEpoch).ToString(CultureInfo.InvariantCulture);
        metrics[HashBucketsMetric] = Train.Layout.HashBuckets.ToString(CultureInfo.InvariantCulture);
        metrics[MinCountMetric] = (Train.RareIds?.MinCount ?? 0).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Checks that a checkpoint was trained on this stream: the same rows per epoch and hash buckets, so that
    /// resuming at the next epoch continues the same sequence of rows.
    /// </summary>
    /// <exception cref="UsageException">The log or the options changed since the checkpoint.</exception>
    public void CheckResume(IReadOnlyDictionary<string, string> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (key, now) in new[] { (RowsMetric, Train.RowCount),
            (HashBucketsMetric, (long)Train.Layout.HashBuckets), (MinCountMetric, Train.RareIds?.MinCount ?? 0) })
        {
            if (!metrics.TryGetValue(key, out string? saved))
                throw new UsageException(
                    $"--resume: the checkpoint has no '{key}': it was not trained on a streamed click log");
            if (saved != now.ToString(CultureInfo.InvariantCulture))
                throw new UsageException(
                    $"--resume: the checkpoint's {key} is {saved} but the click log and options give {now}; " +
                    "resume with the same files and options");
        }
    }
}
