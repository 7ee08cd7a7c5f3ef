using System.Buffers.Text;
using System.Globalization;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Serving.ClickLogs;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// A model trained on a streamed click log with <c>--min-count</c> carries its rare-id map: the exported model,
/// <c>eval</c>, <c>predict</c> and the serving <see cref="Predictor"/> map the rare ids of new rows exactly as
/// training did, and a tampered or truncated map is refused.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class ClickLogModelTests : CliTestFolder
{
    private const int Buckets = 50;

    private string PathOf(string name) => Path.Combine(Dir, name);

    private string Log(string name, int rows, int seed)
    {
        string path = PathOf(name);
        Run(ClickLogCommand.Run, "--rows", rows.ToString(CultureInfo.InvariantCulture), "--out", path, "--users",
            "300", "--ads", "60", "--data-seed", seed.ToString(CultureInfo.InvariantCulture));
        return path;
    }

    // Trains one epoch on rows [0, 500) of a 600-row log (the last 100 are the test part) with --min-count 3 and
    // exports the light net; returns (log, run folder, exported model).
    private (string Log, string Run, string Model) TrainWithMinCount()
    {
        string log = Log("clicks.tsv", 600, seed: 1);
        Run(TrainCommand.Run, "--data", "criteo", "--path", log, "--shuffle-buffer", "100", "--arch", "ctr",
            "--embedding-dim", "2", "--booster-hidden", "8", "--light-hidden", "4", "--hash-buckets",
            Buckets.ToString(CultureInfo.InvariantCulture), "--batch-size", "32", "--optimizer", "lazy-adam",
            "--lr", "0.05", "--seed", "2", "--threads", "1", "--epochs", "1", "--test-rows", "100", "--min-count",
            "3", "--checkpoint-dir", PathOf("run"));
        string model = PathOf("light.safetensors");
        Run(ExportCommand.Run, "--checkpoint", PathOf("run"), "--out", model);
        return (log, PathOf("run"), model);
    }

    private static RareIdMap TrainingMap(string log) =>
        RareIdCounter.Count([log], new CriteoOptions { HashBuckets = Buckets }, rows: 500, minCount: 3);

    private static Predictor Serve(string model) =>
        Predictor.FromCheckpoint(model, a => ArchitectureRegistry.BuildLight(a, new RandomGenerator(0)));

    [Fact]
    public void TheServedModelMapsNewRowsAsTrainingDid()
    {
        var (log, _, model) = TrainWithMinCount();
        var map = TrainingMap(log);
        var served = Serve(model);
        // The map in the model is the one counted on the training rows, not on anything read later.
        Assert.Equal(map.ToBytes(), served.ClickLog!.RareIds!.ToBytes());
        var plain = new Predictor(served.Module, [CriteoReader.FieldCount]); // no map: takes mapped ids only
        var rows = CriteoReader.ReadRows(Log("new.tsv", 300, seed: 5), new CriteoOptions { HashBuckets = Buckets })
            .ToList();
        int changed = 0;
        var logits = new float[2];
        var expected = new float[2];
        var unmapped = new float[2];
        bool mappingMatters = false;
        foreach (var row in rows)
        {
            float[] raw = [.. row.FieldIds.Select(id => (float)id)];
            int[] ids = (int[])row.FieldIds.Clone();
            map.Apply(ids);
            if (!ids.SequenceEqual(row.FieldIds)) changed++;
            served.Predict(raw, logits);
            plain.Predict([.. ids.Select(id => (float)id)], expected);
            Assert.Equal(expected, logits);
            plain.Predict(raw, unmapped);
            mappingMatters |= !unmapped.SequenceEqual(expected);
        }
        Assert.True(changed > 0 && mappingMatters, "no new row has a rare id that changes its score: checks nothing");
        // Batches too: the raw rows served give the scores of the training-mapped rows.
        var batch = rows.SelectMany(r => r.FieldIds.Select(id => (float)id)).ToArray();
        var mappedBatch = (float[])batch.Clone();
        map.Apply(mappedBatch, CriteoReader.FieldCount);
        var (servedLogits, expectedLogits) = (new float[rows.Count * 2], new float[rows.Count * 2]);
        served.PredictBatch(batch, servedLogits);
        plain.PredictBatch(mappedBatch, expectedLogits);
        Assert.Equal(expectedLogits, servedLogits);
    }

    [Fact]
    public void PredictAndEvalApplyTheSavedMap()
    {
        var (log, run, model) = TrainWithMinCount();
        var map = TrainingMap(log);
        string fresh = Log("new.tsv", 200, seed: 5);
        string text = Run(PredictCommand.Run, "--model", model, "--input", fresh, "--output", PathOf("scores.csv"));
        Assert.Contains("scored 200 rows", text);
        Assert.Contains("ids rarer than 3 in training mapped to the rare id", text);
        var plain = new Predictor(Serve(model).Module, [CriteoReader.FieldCount]);
        var lines = File.ReadAllLines(PathOf("scores.csv"));
        Assert.Equal("row,predicted,p_no click,p_click", lines[0]);
        var rows = CriteoReader.ReadRows(fresh, new CriteoOptions { HashBuckets = Buckets }).ToList();
        Assert.Equal(rows.Count + 1, lines.Length);
        // One batch of 200 mapped rows, as predict runs them (a batch's last bits may differ from single rows').
        var mapped = rows.SelectMany(r => r.FieldIds.Select(id => (float)id)).ToArray();
        map.Apply(mapped, CriteoReader.FieldCount);
        var logits = new float[rows.Count * 2];
        plain.PredictBatch(mapped, logits);
        for (int i = 0; i < rows.Count; i++)
        {
            var probabilities = logits.AsSpan(i * 2, 2);
            Predictor.Softmax(probabilities);
            Assert.Equal(probabilities[1].ToString("G6", CultureInfo.InvariantCulture), lines[i + 1].Split(',')[3]);
        }

        // eval: the test part of --path with the saved map applied, as Evaluator gives it on mapped rows.
        string evaluated = Run(EvalCommand.Run, "--checkpoint", Path.Combine(run, TrainCommand.CheckpointFile),
            "--path", fresh);
        var checkpoint = Checkpoint.Load(Path.Combine(run, TrainCommand.CheckpointFile));
        var pair = ArchitectureRegistry.BuildPair(checkpoint.Architecture, new RandomGenerator(0));
        checkpoint.LoadInto(pair);
        var test = DataSources.Load("criteo", fresh, int.MaxValue, false, false, hashBuckets: Buckets).Test;
        var before = Evaluator.Evaluate(pair, test).Light;
        map.Apply(test.Features.AsSpan(0, test.Count * test.SampleSize), test.SampleSize);
        var after = Evaluator.Evaluate(pair, test).Light;
        Assert.NotEqual(before.Loss, after.Loss); // the map changes this test part's scores
        Assert.Contains(FormattableString.Invariant($"loss {after.Loss:F4}, AUC {after.Auc:F4}"), evaluated);
        Assert.Contains("40 samples", evaluated);
    }

    [Fact]
    public void ATamperedOrTruncatedMapIsRefused()
    {
        var (log, _, model) = TrainWithMinCount();
        var checkpoint = Checkpoint.Load(model);
        var served = Serve(model);
        string json = checkpoint.Preprocessing!;
        string saved = Base64Url.EncodeToString(TrainingMap(log).ToBytes());
        Assert.Contains(saved, json);
        byte[] bytes = Base64Url.DecodeFromChars(saved);
        byte[] flipped = (byte[])bytes.Clone();
        flipped[30] ^= 0x04;
        foreach (var (name, map, message) in new[]
        {
            ("flipped.safetensors", flipped, "the map is corrupt"),
            ("truncated.safetensors", bytes[..^7], "truncated or padded"),
        })
        {
            string path = PathOf(name);
            Checkpoint.Save(path, served.Module, checkpoint.Architecture, checkpoint.Epoch,
                checkpoint.Metrics.ToDictionary(), inputShape: checkpoint.InputShape,
                preprocessing: json.Replace(saved, Base64Url.EncodeToString(map), StringComparison.Ordinal));
            var error = Assert.Throws<InvalidDataException>(() => Serve(path));
            Assert.Contains($"'{path}': the saved rare-id map is not valid", error.Message);
            Assert.Contains(message, error.Message);
            Assert.Contains(message, Assert.Throws<InvalidDataException>(() => EvalCommand.Run(
                new CliOptions(["--checkpoint", path, "--path", log]), TextWriter.Null)).Message);
            Assert.Contains(message, Assert.Throws<InvalidDataException>(() => PredictCommand.Run(
                new CliOptions(["--model", path, "--input", log, "--output", PathOf("s.csv")]),
                TextWriter.Null)).Message);
        }
    }
}
