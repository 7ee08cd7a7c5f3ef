using System.Globalization;
using System.Text;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Layers;
using RocketNet.Serving;
using RocketNet.Serving.Tables;
using RocketNet.Tests.Engine.Kernels;
using RocketNet.Tests.Training.Data;
using RocketNet.Training.Data;
using RocketNet.Training.Data.Tables;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// A user's own table end to end: the embedded digits written out as a CSV (pixels as numbers, plus a
/// categorical "writer" column and string class names), trained with <c>train --data file.csv --target</c>,
/// exported, and served from raw rows.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class TableCommandTests : CliTestFolder
{
    private static readonly string[] Names = ["zero", "one", "two", "three", "four", "five", "six",
        "seven", "eight", "nine"];

    // Every digits sample as "writer,p0..p63,digit": writer is a made-up categorical column, digit a class name.
    private string WriteDigitsCsv()
    {
        var digits = Datasets.Digits();
        var text =
            new StringBuilder("writer," + string.Join(",", Enumerable.Range(0, 64).Select(i => $"p{i}")) + ",digit\n");
        for (int i = 0; i < digits.Count; i++)
        {
            text.Append("w").Append(i % 5).Append(',');
            foreach (float v in digits.Features.AsSpan(i * 64, 64))
                text.Append((v * 16).ToString("0", CultureInfo.InvariantCulture)).Append(',');
            text.Append(Names[digits.Labels[i]]).Append('\n');
        }
        string path = Path.Combine(Dir, "digits.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void ATableModelServedFromRawRowsPredictsWhatItComputesOnTheEncodedRows()
    {
        string csv = WriteDigitsCsv();
        string run = Path.Combine(Dir, "run");
        var trained = Run(TrainCommand.Run, "--data", csv, "--target", "digit", "--epochs", "4", "--optimizer",
            "adam", "--lr", "0.01",
            "--batch-size", "64", "--threads", "1", "--checkpoint-dir", run);
        Assert.Contains("table-towers vocab=7 numeric=", trained); // writer: 5 values + out-of-vocabulary + missing
        Assert.Contains("note: column 'p0' dropped: constant", trained);
        string light = Path.Combine(Dir, "light.safetensors");
        Run(ExportCommand.Run, "--checkpoint", Path.Combine(run, TrainCommand.CheckpointFile), "--out", light);

        var predictor = Predictor.FromCheckpoint(light,
            a => ArchitectureRegistry.BuildLight(a, new RandomGenerator(0)));
        var table = Assert.IsType<TablePreprocessor>(predictor.Table);
        Assert.Equal(Names.Order(StringComparer.Ordinal), table.ClassNames);

        // The same split and preprocessing the run used: its test part, encoded, through the module's graph...
        var data = TableData.Load(csv, new TableOptions { Target = "digit" });
        var raw = RawTable.Read(csv);
        int correct = 0;
        var logits = new float[10];
        for (int i = 0; i < 40; i++)
        {
            predictor.Predict(data.Test.Features.AsSpan(i * table.RowWidth, table.RowWidth), logits);
            Predictor.Softmax(logits);
            // ...and the raw row with the same pixels: found by content, served through PredictProbabilities.
            var row = raw.Rows.First(r => Matches(table, r, raw.Header,
                data.Test.Features.AsSpan(i * table.RowWidth, table.RowWidth)));
            var record = raw.Header.Select((name, c) => (name, c)).ToDictionary(p => p.name, p => row[p.c]);
            var probabilities = predictor.PredictProbabilities(record);
            Assert.Equal(logits, probabilities);
            if (Array.IndexOf(probabilities, probabilities.Max()) == data.Test.Labels[i]) correct++;
        }
        Assert.True(correct >= 30, $"only {correct} of 40 test rows right after 4 epochs");

        // The same row as a CSV line in the file's column order.
        var csvLine = File.ReadLines(csv).Skip(1).First();
        Assert.Equal(predictor.PredictProbabilities(raw.Header.Select((name, c) => (name, c)).ToDictionary(p => p.name,
            p => raw.Rows[0][p.c])),
            predictor.PredictProbabilities(csvLine, raw.Header));
        Assert.Throws<ArgumentException>(() => predictor.PredictProbabilities("w1,2,3", raw.Header));

        // An unseen writer maps to the out-of-vocabulary id rather than failing.
        var first = raw.Header.Select((name, c) => (name, c)).ToDictionary(p => p.name, p => raw.Rows[0][p.c]);
        first["writer"] = "someone new";
        Assert.Equal(10, predictor.PredictProbabilities(first).Length);

        // rocketnet predict writes the same probabilities, streaming, and reports accuracy when the target is there.
        string scores = Path.Combine(Dir, "scores.csv");
        string said = Run(PredictCommand.Run, "--model", light, "--input", csv, "--output", scores);
        Assert.Contains($"scored {raw.Rows.Count:N0} rows", said);
        Assert.Contains("accuracy on the", said);
        Assert.Contains("confusion matrix (rows: true class, columns: predicted class)", said);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("line,predicted," + string.Join(",", table.ClassNames.Select(c => "p_" + c)), lines[0]);
        var firstRecord = raw.Header.Select((name, c) => (name, c)).ToDictionary(p => p.name, p => raw.Rows[0][p.c]);
        var expected = predictor.PredictProbabilities(firstRecord);
        var written = lines[1].Split(',');
        Assert.Equal("2", written[0]);
        // The file holds six significant digits (G6; a probability is off by at most 5e-7): equal within that
        // rounding. Rounding both sides to 5 decimals failed next to a boundary: 0.998514593 against 0.998515.
        for (int k = 0; k < 10; k++)
            Assert.Equal(expected[k], float.Parse(written[2 + k], CultureInfo.InvariantCulture), 1e-6f);
    }

    // True when raw row r encodes to the given features.
    private static bool Matches(TablePreprocessor table, string[] row, IReadOnlyList<string> header,
        ReadOnlySpan<float> features)
    {
        var encoded = new float[table.RowWidth];
        table.Encode(row, table.Bind(header, "t"), encoded, "t", 0);
        return features.SequenceEqual(encoded);
    }

    [Fact]
    public void TheSharedTicdataTableLoadsWithItsTypesInferred()
    {
        string ticdata = Path.Combine("..", "..", "..", "..", "..", "shared", "data", "ctr", "ticdata.csv");
        if (!File.Exists(ticdata)) return; // the shared data folder is not on every machine
        var data = TableData.Load(ticdata, new TableOptions { Target = "CARAVAN" });
        Assert.Equal(["insurance", "noinsurance"], data.Preprocessor.ClassNames);
        Assert.Equal(85, data.Preprocessor.Columns.Length);
        Assert.Equal(9822, data.Train.Count + data.Test.Count);
        // Stratified: both parts keep the file's share of buyers (about 6 %) to within a few rows.
        double Share(RocketNet.Training.Data.Dataset d) => d.Labels.Count(l => l == 0) / (double)d.Count;
        Assert.Equal(Share(data.Train), Share(data.Test), 2);
    }

    [Fact]
    public void LaunchComparesEveryCandidateWithTheLightNetAloneAndExportsItsChoice()
    {
        string csv = WriteDigitsCsv();
        string light = Path.Combine(Dir, "chosen.safetensors");
        string said = Run(LaunchCommand.Run, "--data", csv, "--target", "digit", "--seeds", "2",
            "--epochs", "2", "--threads", "1", "--out", light);
        foreach (string row in new[] { "| light alone", "| rocket λ=0 |", "| rocket λ=0.03 |",
            "| rocket, probability MSE |", "| rocket, KD hint |", "| KD from the booster |", "| booster alone |" })
            Assert.Contains(row, said);
        Assert.Contains("seed 2:", said);
        Assert.Contains("validation accuracy, median (range)", said);
        Assert.Contains("gain over the light net alone", said);
        Assert.DoesNotContain("AUC", said); // ten classes
        Assert.Contains("(chosen)", said);
        string choice = said.Split('\n').Single(l => l.StartsWith("choice: ", StringComparison.Ordinal));
        // A table's winner is refitted on the whole training part (validation share included) for the epochs its
        // mean validation curve chose.
        var refit = System.Text.RegularExpressions.Regex.Match(said,
            @"exported the light net of '[^']+' \([\d,]+ parameters\), trained on all (\d+) training samples with " +
            @"seed 1 for (\d) of 2 epochs \(where its validation score, averaged over the 2 seeds, peaked\)");
        Assert.True(refit.Success, said);

        // The export is a served light net with the table's preprocessing, recording which arm it came from.
        var checkpoint = Checkpoint.Load(light);
        Assert.Equal(Checkpoint.LightRole, checkpoint.Metrics[Checkpoint.RoleMetric]);
        Assert.StartsWith($"choice: {checkpoint.Metrics["launch_choice"]}:", choice);
        Assert.Equal("digits.csv", checkpoint.Metrics["data"]);
        Assert.Equal(int.Parse(refit.Groups[2].Value, CultureInfo.InvariantCulture), checkpoint.Epoch);
        var parts = System.Text.RegularExpressions.Regex.Match(said, @"(\d+) train / (\d+) validation samples");
        Assert.Equal(int.Parse(parts.Groups[1].Value, CultureInfo.InvariantCulture)
            + int.Parse(parts.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(refit.Groups[1].Value, CultureInfo.InvariantCulture));
        string scores = Path.Combine(Dir, "scores.csv");
        Assert.Contains("accuracy on the",
            Run(PredictCommand.Run, "--model", light, "--input", csv, "--output", scores));
        var e = Assert.Throws<UsageException>(() => Run(LaunchCommand.Run, "--data", "digits.png"));
        Assert.Contains("table file", e.Message);
    }

    [Fact]
    public void BareTrainOnATableUsesTheOwnDataDefaultsLaunchUses()
    {
        string csv = WriteDigitsCsv();
        var defaults = OwnDataDefaults.Table;
        string said = Run(TrainCommand.Run, "--data", csv, "--target", "digit", "--epochs", "1", "--threads", "1",
            "--checkpoint-dir", Path.Combine(Dir, "bare"));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"batch {defaults.BatchSize}, {defaults.Optimizer} lr {defaults.LearningRate} ({defaults.Schedule})"),
            said);
        // The built-in data sets keep their paper defaults.
        var digits = Run(TrainCommand.Run, "--data", "digits", "--epochs", "1", "--threads", "1",
            "--checkpoint-dir", Path.Combine(Dir, "digits"));
        Assert.Contains("batch 128, sgd lr 0.1 (multistep)", digits);
        Assert.False(File.Exists(Path.Combine(Dir, "digits", TrainCommand.BestCheckpointFile)));
    }

    [Fact]
    public void BareTrainOnATableHoldsOutAValidationShareAndKeepsTheBestEpochUnlessToldNot()
    {
        string csv = WriteDigitsCsv();
        // The default validation share is 20 % of the training part the table's own test split leaves.
        Assert.Equal(0.2, OwnDataDefaults.Table.Validation);
        string said = Run(TrainCommand.Run, "--data", csv, "--target", "digit", "--epochs", "3", "--threads", "1",
            "--checkpoint-dir", Path.Combine(Dir, "held"));
        var parts = System.Text.RegularExpressions.Regex.Match(said,
            @"\((\d+) train / (\d+) validation / (\d+) test\)");
        Assert.True(parts.Success, said);
        int trained = int.Parse(parts.Groups[1].Value, CultureInfo.InvariantCulture),
            held = int.Parse(parts.Groups[2].Value, CultureInfo.InvariantCulture),
            tested = int.Parse(parts.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Math.Round(0.2 * (trained + held)), held);
        var best = Checkpoint.Load(Path.Combine(Dir, "held", TrainCommand.BestCheckpointFile));
        Assert.Equal(best.Epoch.ToString(CultureInfo.InvariantCulture), best.Metrics[RunMonitor.BestEpochMetric]);
        Assert.Equal("val_light_accuracy", best.Metrics[RunMonitor.SelectedByMetric]);

        // --validation 0 trains on the whole training part and keeps only the last epoch.
        string all = Run(TrainCommand.Run, "--data", csv, "--target", "digit", "--epochs", "1", "--threads", "1",
            "--validation", "0", "--checkpoint-dir", Path.Combine(Dir, "all"));
        Assert.Contains($"({trained + held} train / {tested} test)", all);
        Assert.False(File.Exists(Path.Combine(Dir, "all", TrainCommand.BestCheckpointFile)));
    }

    [Fact]
    public void LightHiddenNoneTrainsALinearLightNet()
    {
        // The numeric columns and the embedded writer column feed the ten classes directly: the light net's own
        // parameters are one (numeric + columns·dim) × 10 weight and 10 biases.
        string csv = WriteDigitsCsv();
        string said = Run(TrainCommand.Run, "--data", csv, "--target", "digit", "--epochs", "1", "--threads", "1",
            "--light-hidden", "none", "--checkpoint-dir", Path.Combine(Dir, "linear"));
        var spec = System.Text.RegularExpressions.Regex.Match(said,
            @"vocab=(\S*) numeric=(\d+) dim=(\d+) booster=\S+ light= classes=10");
        Assert.True(spec.Success, said);
        int inputs = int.Parse(spec.Groups[2].Value, CultureInfo.InvariantCulture)
            + spec.Groups[1].Value.Split('x').Length * int.Parse(spec.Groups[3].Value, CultureInfo.InvariantCulture);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"light-only {inputs * 10 + 10:N0})"), said);
    }

    [Fact]
    public void LaunchKeepsEachArmsBestValidationEpochAsBareTrainDoes()
    {
        // A net trained with KeepBest holds the weights of its best validation epoch, not its last: its score is the
        // highest of the epochs' scores and the epoch it names scored it. Without KeepBest the same seed follows the
        // same trajectory (evaluation changes no state) and ends at the last epoch's score.
        var (train, validation) = DataSources.Flatten(Datasets.Digits()).Split(0.2, seed: 0);
        const string architecture = "mlp in=64 shared=16 booster=32 light=8 classes=10 booster-bn=1";
        var keep = new LaunchRecipe(architecture, Epochs: 6, BatchSize: 32, LearningRate: 0.3, KeepBest: true);
        var trained = keep.Train(LaunchArm.LightAlone, train, seed: 3, validation: validation);
        var scores = trained.EpochScores;
        Assert.Equal(6, scores.Count);
        double kept = LaunchRecipe.Score(LaunchRecipe.Evaluate(LaunchArm.LightAlone, trained.Pair, validation));
        Assert.Equal(scores.Max(), kept);
        Assert.Equal(scores.ToList().IndexOf(scores.Max()) + 1, trained.Epoch);
        Assert.True(scores[^1] < scores.Max(), "this seed's last epoch is not its best: the test tells them apart");
        var last = (keep with { KeepBest = false }).Train(LaunchArm.LightAlone, train, seed: 3);
        Assert.Equal(6, last.Epoch);
        var lastEvaluation = LaunchRecipe.Evaluate(LaunchArm.LightAlone, last.Pair, validation);
        Assert.Equal(scores[^1], LaunchRecipe.Score(lastEvaluation));
        Assert.Throws<ArgumentNullException>(() => keep.Train(LaunchArm.LightAlone, train, seed: 3));
    }

    [Fact]
    public void PredictNamesAMissingColumnAndABadCell()
    {
        string csv = WriteDigitsCsv();
        string run = Path.Combine(Dir, "run");
        Run(TrainCommand.Run, "--data", csv, "--target", "digit", "--epochs", "1", "--threads", "1",
            "--checkpoint-dir", run);
        string model = Path.Combine(run, TrainCommand.CheckpointFile);
        var lines = File.ReadAllLines(csv);
        string noWriter = Path.Combine(Dir, "no-writer.csv");
        File.WriteAllLines(noWriter, lines.Select(l => l[(l.IndexOf(',') + 1)..]));
        var e = Assert.Throws<InvalidDataException>(() => Run(PredictCommand.Run, "--model", model, "--input", noWriter,
            "--output", Path.Combine(Dir, "s.csv")));
        Assert.Contains("needs column 'writer'", e.Message);
        string badCell = Path.Combine(Dir, "bad-cell.csv");
        File.WriteAllLines(badCell, [lines[0], lines[1], lines[2].Replace(",0,", ",zero,")]);
        e = Assert.Throws<InvalidDataException>(() => Run(PredictCommand.Run, "--model", model, "--input", badCell,
            "--output", Path.Combine(Dir, "s.csv")));
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'zero' is not a finite number", e.Message);
        Assert.False(File.Exists(Path.Combine(Dir, "s.csv"))); // no half-written output

        // A gzip cut short used to score the rows before the cut and succeed.
        string cut = Path.Combine(Dir, "cut.csv.gz");
        File.WriteAllBytes(cut, DataTestFiles.Gzip(File.ReadAllBytes(csv))[..5000]);
        e = Assert.Throws<InvalidDataException>(() => Run(PredictCommand.Run, "--model", model, "--input", cut,
            "--output", Path.Combine(Dir, "s.csv")));
        Assert.Contains(cut, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.False(File.Exists(Path.Combine(Dir, "s.csv")));
    }
}
