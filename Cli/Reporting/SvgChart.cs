using System.Globalization;
using System.Text;

namespace RocketNet.Cli.Reporting;

/// <summary>
/// A line chart written as plain SVG text (no graphics library): several named series over a shared x
/// axis, with axes, ticks and a legend. Used for learning curves.
/// </summary>
public static class SvgChart
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    /// <summary>Renders the series (each a list of (x, y) points) as an SVG document.</summary>
    /// <exception cref="ArgumentException">No series, or a series with no finite point.</exception>
    public static string Render(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        if (series.Count == 0) throw new ArgumentException("A chart needs at least one series.", nameof(series));
        var all = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (all.Count == 0) throw new ArgumentException("A chart needs at least one finite point.", nameof(series));
        double x0 = all.Min(p => p.X), x1 = all.Max(p => p.X), y0 = all.Min(p => p.Y), y1 = all.Max(p => p.Y);
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) { y0 -= 0.5; y1 += 0.5; }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;

        const int width = 720, height = 420, left = 70, right = 170, top = 40, bottom = 50;
        double plotW = width - left - right, plotH = height - top - bottom;
        string X(double x) => F(left + (x - x0) / (x1 - x0) * plotW);
        string Y(double y) => F(top + (1 - (y - y0) / (y1 - y0)) * plotH);

        var svg = new StringBuilder();
        svg.Append(
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" " +
            "font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(
            $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n");
        for (int i = 0; i <= 5; i++)
        {
            double yv = y0 + (y1 - y0) * i / 5, xv = x0 + (x1 - x0) * i / 5;
            svg.Append(
                $"<line x1=\"{left}\" y1=\"{Y(yv)}\" x2=\"{width - right}\" y2=\"{Y(yv)}\" stroke=\"#e6e6e6\"/>\n");
            svg.Append(
                $"<text x=\"{left - 6}\" y=\"{Y(yv)}\" text-anchor=\"end\" " +
                $"dominant-baseline=\"middle\">{F(yv, "G4")}</text>\n");
            svg.Append(
                $"<text x=\"{X(xv)}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\">{F(xv, "G4")}</text>\n");
        }
        svg.Append(
            $"<rect x=\"{left}\" y=\"{top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" " +
            "fill=\"none\" stroke=\"black\"/>\n");
        svg.Append(
            $"<text x=\"{F(left + plotW / 2)}\" y=\"{height - 10}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append(
            $"<text x=\"16\" y=\"{F(top + plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 " +
            $"{F(top + plotH / 2)})\">{Escape(yLabel)}</text>\n");
        for (int s = 0; s < series.Count; s++)
        {
            string color = Colors[s % Colors.Length];
            var points = series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (points.Count > 0)
            {
                string path = string.Join(" ", points.Select(p => X(p.X) + "," + Y(p.Y)));
                svg.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n");
            }
            int ly = top + 10 + s * 20;
            svg.Append(
                $"<line x1=\"{width - right + 12}\" y1=\"{ly}\" x2=\"{width - right + 36}\" y2=\"{ly}\" " +
                $"stroke=\"{color}\" stroke-width=\"2\"/>\n");
            svg.Append(
                $"<text x=\"{width - right + 42}\" y=\"{ly}\" " +
                $"dominant-baseline=\"middle\">{Escape(series[s].Name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string F(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
