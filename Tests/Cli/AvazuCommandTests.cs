using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Serving;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>train --data avazu</c>: streamed like Criteo (temporal test part, hash buckets, <c>--min-count</c>), read into
/// memory without <c>--shuffle-buffer</c>, evaluated and exported with its layout, and malformed rows reported by
/// line and column.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class AvazuCommandTests : CliTestFolder
{
    private const string Sample = "/work/shared/data/ctr/avazu_sample.txt";

    private string[] TrainArgs(string path, string folder, params string[] more) =>
        ["--data", "avazu", "--path", path, "--arch", "ctr", "--embedding-dim", "2", "--booster-hidden", "8",
         "--light-hidden", "4", "--batch-size", "16", "--optimizer", "lazy-adam", "--lr", "0.01", "--seed", "2",
         "--threads", "1", "--epochs", "1", "--checkpoint-dir", Path.Combine(Dir, folder), .. more];

    [Fact]
    public void AnAvazuLogStreamsWithATemporalTestPartAndRareIds()
    {
        string text = Run(TrainCommand.Run, TrainArgs(Sample, "stream", "--shuffle-buffer", "10", "--test-rows",
            "20", "--hash-buckets", "100", "--min-count", "2"));
        Assert.Contains("(80 train / 20 test)", text);
        Assert.Contains("train rows [0, 80), test 20 rows from row 80", text);
        Assert.Contains("vocab=24x7x101x101", text); // hour of day, day of week, 21 hashed fields + the rare id
        string checkpoint = Path.Combine(Dir, "stream", TrainCommand.CheckpointFile);
        var clickLog = Predictor.SavedClickLog(Checkpoint.Load(checkpoint))!;
        Assert.Equal(("avazu", 23, 100), (clickLog.Layout, clickLog.RowWidth, clickLog.HashBuckets));
        Assert.Equal((2, 2), (clickLog.RareIds!.FirstField, clickLog.RareIds.MinCount));
        Assert.Contains("20 samples", Run(EvalCommand.Run, "--checkpoint", checkpoint, "--path", Sample));
        // A Criteo file is not read with an Avazu model's layout.
        var wrongLayout = Assert.Throws<UsageException>(() => EvalCommand.Run(
            new CliOptions(["--checkpoint", checkpoint, "--data", "criteo", "--path", Sample]), TextWriter.Null));
        Assert.Contains("trained on click logs of the avazu layout", wrongLayout.Message);
    }

    [Fact]
    public void WithoutAShuffleBufferTheSampleIsReadIntoMemory()
    {
        string text = Run(TrainCommand.Run, TrainArgs(Sample, "memory"));
        Assert.Contains("(80 train / 20 test)", text);
        Assert.Contains("vocab=24x7x10000x", text);
    }

    [Fact]
    public void AMalformedRowNamesItsLineAndColumn()
    {
        var lines = File.ReadAllLines(Sample);
        lines[7] = lines[7].Replace(",14102100,", ",14102199,", StringComparison.Ordinal);
        string path = Path.Combine(Dir, "bad.csv");
        File.WriteAllLines(path, lines);
        var error = Assert.Throws<InvalidDataException>(() => TrainCommand.Run(new CliOptions(
            TrainArgs(path, "bad", "--shuffle-buffer", "10", "--test-rows", "20", "--min-count", "2")),
            TextWriter.Null));
        Assert.Contains("line 8, column 3 ('hour'): hour '14102199' is not a valid date and hour", error.Message);
    }
}
