using System.Globalization;
using System.Xml.Linq;
using RocketNet.Cli;
using RocketNet.Cli.Commands;
using RocketNet.Cli.Reporting;
using RocketNet.Tests.Engine.Kernels;
using Xunit;

namespace RocketNet.Tests.Cli;

/// <summary>
/// <c>curve.svg</c>, read back as text: legends name the part evaluated on, ticks sit at round values (epochs as
/// whole numbers), accuracy and loss have a panel each, and titles and legends fit inside the image.
/// </summary>
[Collection(ThreadCountCollection.Name)] // the commands set the engine thread count
public sealed class CurveTests : CliTestFolder
{
    private XDocument Train(string folder, params string[] more)
    {
        string run = Path.Combine(Dir, folder);
        Assert.Equal(0, TrainCommand.Run(new CliOptions(["--data", "digits", "--arch", "mlp", "--shared", "16",
            "--booster-hidden", "32", "--batch-size", "64", "--epochs", "3", "--threads", "1", "--limit", "300",
            "--checkpoint-dir", run, .. more]), new StringWriter()));
        return XDocument.Parse(File.ReadAllText(Path.Combine(run, "curve.svg")));
    }

    private static string[] Texts(XDocument svg, string cssClass) =>
        svg.Descendants().Where(e => e.Name.LocalName == "text" && (string?)e.Attribute("class") == cssClass)
            .Select(e => e.Value).ToArray();

    [Fact]
    public void AValidationRunsCurveSaysValidationAndHasAnAccuracyAndALossPanel()
    {
        var svg = Train("val", "--validation", "0.2");
        var legend = Texts(svg, "legend");
        Assert.Contains("validation accuracy, light", legend);
        Assert.Contains("validation accuracy, booster", legend);
        Assert.Contains("validation loss, light", legend);
        Assert.Contains("train loss, booster", legend);
        Assert.DoesNotContain(legend, l => l.Contains("test", StringComparison.Ordinal));
        Assert.Equal(2, svg.Descendants().Count(e => (string?)e.Attribute("class") == "panel"));
        Assert.Equal(["accuracy", "loss (cross-entropy)"], Texts(svg, "ylabel"));
        // epochs 1 … 3: whole-number ticks
        Assert.All(Texts(svg, "xtick"), t => Assert.True(int.TryParse(t, CultureInfo.InvariantCulture, out _), t));
        AssertFits(svg);

        Assert.Contains("test accuracy, light", Texts(Train("test"), "legend")); // no split: evaluated on test
    }

    [Fact]
    public void TicksAreRoundAndLongTitlesAndLegendsStayInsideTheImage()
    {
        string title = string.Join(" ", Enumerable.Repeat("a-rather-long-architecture-description", 8));
        var svg = XDocument.Parse(SvgChart.Render(title, "epoch",
            [new ChartPanel("accuracy", [("validation accuracy, booster (a long legend entry)",
                [(1.0, 0.1234), (2.0, 0.5678), (3.0, 0.9321)])])], integerX: true));
        AssertFits(svg);
        var yTicks = Texts(svg, "ytick").Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        double step = yTicks[1] - yTicks[0];
        Assert.Contains(Math.Round(step, 6), new[] { 0.1, 0.2, 0.5 });
        Assert.All(yTicks, y => Assert.Equal(0, Math.Round(y / step, 6) % 1));
        Assert.All(Texts(svg, "ytick"), t => Assert.True(t.Length <= 4, t)); // "0.20", never "0.2000000001"
        Assert.Equal(["1", "2", "3"], Texts(svg, "xtick"));
    }

    // Text widths are estimated (SvgChart.TextWidth): legend entries start at x, titles are centred.
    private static void AssertFits(XDocument svg)
    {
        double width = double.Parse((string)svg.Root!.Attribute("width")!, CultureInfo.InvariantCulture);
        foreach (var legend in svg.Descendants().Where(e => (string?)e.Attribute("class") == "legend"))
        {
            double x = double.Parse((string)legend.Attribute("x")!, CultureInfo.InvariantCulture);
            Assert.True(x + SvgChart.TextWidth(legend.Value) <= width, $"legend '{legend.Value}' runs off the image");
        }
        var titles = svg.Descendants().Where(e => (string?)e.Attribute("class") == "title").ToList();
        Assert.NotEmpty(titles);
        Assert.All(titles, t => Assert.True(SvgChart.TitleWidth(t.Value) <= width, $"title '{t.Value}' too wide"));
    }
}
