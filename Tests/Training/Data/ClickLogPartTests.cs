using RocketNet.Layers;
using RocketNet.Training.Data;
using RocketNet.Training.Rocket;
using Xunit;

namespace RocketNet.Tests.Training.Data;

/// <summary>
/// <see cref="ClickLogPart"/>: a click log's test part read from its files as it is evaluated must score exactly as
/// the same rows held in memory (accuracy, log loss and AUC to the bit), and a part the files cannot fill fails
/// clearly.
/// </summary>
public sealed class ClickLogPartTests : IDisposable
{
    private readonly DataTestFiles _files = new();
    private readonly CriteoOptions _options = new() { HashBuckets = 200 };

    public void Dispose() => _files.Dispose();

    private string Generate(int rows)
    {
        var text = new StringWriter();
        SyntheticClickCriteoWriter.Write(text, new SyntheticClickLogOptions { Users = 500, Ads = 100, Seed = 3 },
            rows);
        return _files.WriteText("log.tsv", text.ToString());
    }

    private CtrTowerPair Pair() => CtrTowerPair.Create(
        CtrTowerPairSpec.PerField(_options.VocabularySizes(), 4, [16], [8]), new RandomGenerator(5));

    [Fact]
    public void AStreamedPartScoresAsTheInMemoryPartToTheBit()
    {
        using var unscoped = TensorScope.Unscoped();
        string path = Generate(1500);
        var pair = Pair();
        // Rows [900, 1500): 600 rows, so batches of 256 end with a partial one.
        var inMemory = Evaluator.Evaluate(pair, ClickLogFiles.ReadDataset([path], _options, 900, 600, "test"));
        var streamed = Evaluator.Evaluate(pair, new ClickLogPart([path], _options, 900, 600, "test"));
        Assert.Equal(600, streamed.Light.Count);
        Assert.False(double.IsNaN(streamed.Light.Auc), "both classes occur: the AUC must be a number");
        Assert.Equal(inMemory, streamed); // every field, exactly
    }

    [Fact]
    public void APartTheFilesCannotFillFailsNamingTheRowsItFound()
    {
        using var unscoped = TensorScope.Unscoped();
        string path = Generate(1000);
        var error = Assert.Throws<InvalidDataException>(() =>
            Evaluator.Evaluate(Pair(), new ClickLogPart([path], _options, 900, 300, "test")));
        Assert.Contains("the test part ends after 100 of its 300 rows from row 900", error.Message);
    }
}
