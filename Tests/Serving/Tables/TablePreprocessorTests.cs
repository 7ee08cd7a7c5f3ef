using System.Globalization;
using System.Text;
using RocketNet.Serving.Tables;
using RocketNet.Tests.Training.Data;
using RocketNet.Training.Data.Tables;
using Xunit;

namespace RocketNet.Tests.Serving.Tables;

public class TablePreprocessorTests
{
    // 60 rows: id (row number), constant, age (numeric with two missing), colour (categorical; "teal" once),
    // score (fractional, all distinct: kept), and a three-class string target.
    private static string Table()
    {
        var text = new StringBuilder("id,constant,age,colour,score,kind\n");
        string[] colours = ["red", "green", "blue"], kinds = ["cat", "dog", "bird"];
        for (int i = 0; i < 60; i++)
        {
            string age = i is 7 or 31 ? "NA" : (20 + i % 40).ToString(CultureInfo.InvariantCulture);
            string colour = i == 59 ? "teal" : i == 13 ? "" : colours[i % 3];
            text.Append(CultureInfo.InvariantCulture,
                $"{i + 1},same,{age},{colour},{i * 0.37 + 0.01:F3},{kinds[i % 3]}\n");
        }
        return text.ToString();
    }

    private static (TablePreprocessor Pre, List<string> Notes, RawTable Table) Fit(string text,
        TableOptions? options = null)
    {
        using var files = new DataTestFiles();
        var table = RawTable.Read(files.WriteText("t.csv", text));
        var notes = new List<string>();
        var pre = TablePreprocessor.Fit(table, [.. Enumerable.Range(0, table.Rows.Count)],
            options ?? new TableOptions { Target = "kind" }, notes);
        return (pre, notes, table);
    }

    [Fact]
    public void InfersTypesAndDropsConstantAndIdLikeColumnsWithANote()
    {
        var (pre, notes, _) = Fit(Table());
        Assert.Equal(["colour", "age", "score"], pre.Columns.Select(c => c.Name));
        Assert.Equal([ColumnKind.Categorical, ColumnKind.Numeric, ColumnKind.Numeric], pre.Columns.Select(c => c.Kind));
        Assert.Contains(notes, n => n.Contains("'constant'") && n.Contains("constant"));
        Assert.Contains(notes, n => n.Contains("'id'") && n.Contains("identifier"));
        Assert.Equal(["bird", "cat", "dog"], pre.ClassNames);
        Assert.True(pre.Columns[1].HasMissingIndicator);
        Assert.False(pre.Columns[2].HasMissingIndicator);
        Assert.Equal(1 + 2 + 1, pre.RowWidth);
    }

    [Fact]
    public void EncodesIdsMissingCellsAndStandardisedNumbers()
    {
        var (pre, _, table) = Fit(Table());
        var colour = pre.Columns[0];
        Assert.Equal(["blue", "green", "red"], colour.Vocabulary.Order()); // "teal" is rarer than the minimum count 2
        Assert.Equal(ColumnPlan.OutOfVocabularyId, colour.IdOf("teal"));
        Assert.Equal(ColumnPlan.OutOfVocabularyId, colour.IdOf("purple"));
        Assert.Equal(ColumnPlan.MissingId, colour.IdOf(""));
        Assert.Equal(ColumnPlan.MissingId, colour.IdOf("null"));

        var row = pre.Encode(new Dictionary<string, string>
        {
            ["colour"] = "red",
            ["age"] = "NA",
            ["score"] = "3.0",
            ["unused"] = "x"
        });
        Assert.Equal(colour.IdOf("red"), row[0]);
        Assert.Equal([0f, 1f], row[1..3]); // the mean, and the missing indicator
        var score = pre.Columns[2];
        Assert.Equal((float)((3.0 - score.Mean) / score.Std), row[3], 5);

        // Standardised on the training rows: mean 0, standard deviation 1 over the non-missing ages.
        var positions = pre.Bind(table.Header, table.Path);
        var ages = new List<float>();
        var encoded = new float[pre.RowWidth];
        for (int r = 0; r < table.Rows.Count; r++)
        {
            pre.Encode(table.Rows[r], positions, encoded, table.Path, table.Lines[r]);
            if (encoded[2] == 0) ages.Add(encoded[1]);
        }
        Assert.Equal(0, ages.Average(), 5);
        Assert.Equal(1, Math.Sqrt(ages.Average(a => a * a)), 4);
    }

    [Fact]
    public void BadCellsAndMissingColumnsAreClearErrors()
    {
        var (pre, _, _) = Fit(Table());
        var e = Assert.Throws<ArgumentException>(
            () => pre.Encode(new Dictionary<string, string> { ["colour"] = "red", ["age"] = "old", ["score"] = "1" }));
        Assert.Contains("'old' is not a finite number", e.Message);
        Assert.Contains("'age'", e.Message);
        Assert.Contains("'score'",
            Assert.Throws<ArgumentException>(
            () => pre.Encode(new Dictionary<string, string> { ["colour"] = "red", ["age"] = "1" })).Message);
        Assert.Contains("'1e999' is not a finite number",
            Assert.Throws<ArgumentException>(
                () => pre.Encode(new Dictionary<string, string>
                {
                    ["colour"] = "red",
                    ["age"] = "1e999",
                    ["score"] = "1"
                })).Message);

        var forced =
            Assert.Throws<InvalidDataException>(
            () => Fit(Table(), new TableOptions { Target = "kind", Numeric = ["colour"] }));
        Assert.Contains("line 2, column 4 ('colour')", forced.Message);
        Assert.Contains("no column 'nope'",
            Assert.Throws<InvalidDataException>(() => Fit(Table(), new TableOptions { Target = "nope" })).Message);
    }

    [Fact]
    public void OverridesKeepOrRetypeColumns()
    {
        var (pre, notes, _) =
            Fit(Table(), new TableOptions
            {
                Target = "kind",
                Categorical = ["age"],
                Ignore = ["score"],
                Numeric = ["id"]
            });
        Assert.Equal(["age", "colour", "id"], pre.Columns.Select(c => c.Name));
        Assert.Equal(ColumnKind.Categorical, pre.Columns[0].Kind);
        Assert.DoesNotContain(notes, n => n.Contains("'id'"));
    }

    [Fact]
    public void IntegerClassLabelsSortNumericallyAndTheDescriptionRoundTrips()
    {
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < 30; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 7},{(i % 3) switch { 0 => 2, 1 => 10, _ => 9 }}\n");
        var (pre, _, _) = Fit(text.ToString(), new TableOptions { Target = "y" });
        Assert.Equal(["2", "9", "10"], pre.ClassNames);
        var back = TablePreprocessor.FromJson(pre.ToJson(), "test");
        Assert.Equal(pre.ToJson(), back.ToJson());
        Assert.Contains("'broken.safetensors'",
            Assert.Throws<InvalidDataException>(() => TablePreprocessor.FromJson("{\"Target\":1}",
            "broken.safetensors")).Message);
    }
}
