using System.Globalization;
using System.Text;

namespace RocketNet.Cli.Reporting;

/// <summary>One panel of a chart: a y-axis label and its named series of (x, y) points.</summary>
/// <param name="YLabel">The y-axis label.</param>
/// <param name="Series">The lines, each named in the legend.</param>
public sealed record ChartPanel(string YLabel,
    IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> Series);

/// <summary>
/// A line chart written as plain SVG text (no graphics library): one or more panels stacked over a shared x axis,
/// each with axes, ticks at round values and a legend, all sized to fit inside the image. Used for learning curves.
/// </summary>
public static class SvgChart
{
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    // Text is measured, without a font, at a generous average advance per character (sans-serif, 12 px: about
    // 6.5 px; 15 px titles: about 8.5 px), so estimated widths err on the side of fitting.
    private const double CharWidth = 7, TitleCharWidth = 9;
    private const int Width = 760, Left = 70, Top = 30, PanelHeight = 260, PanelGap = 60, Bottom = 50;

    /// <summary>Renders the series (each a list of (x, y) points) as a one-panel SVG document.</summary>
    /// <exception cref="ArgumentException">No series, or no finite point.</exception>
    public static string Render(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series) =>
        Render(title, xLabel, [new ChartPanel(yLabel, series)]);

    /// <summary>
    /// Renders <paramref name="panels"/> stacked top to bottom over one x range; with
    /// <paramref name="integerX"/> (epochs) the x ticks are whole numbers.
    /// </summary>
    /// <exception cref="ArgumentException">No panel, a panel without series, or a panel without a finite
    /// point.</exception>
    public static string Render(string title, string xLabel, IReadOnlyList<ChartPanel> panels, bool integerX = false)
    {
        if (panels.Count == 0) throw new ArgumentException("A chart needs at least one panel.", nameof(panels));
        var finite = panels.Select(p => p.Series.Count == 0
            ? throw new ArgumentException("A chart needs at least one series.", nameof(panels))
            : p.Series.SelectMany(s => s.Points).Where(q => double.IsFinite(q.X) && double.IsFinite(q.Y)).ToList())
            .ToList();
        if (finite.Any(points => points.Count == 0))
            throw new ArgumentException("A chart needs at least one finite point in each panel.", nameof(panels));
        var xAxis = Axis.Round(finite.SelectMany(p => p).Min(p => p.X), finite.SelectMany(p => p).Max(p => p.X),
            integerX, pad: false);

        // The legend sits right of the plots, as wide as its longest name; the title wraps to the width.
        int legendWidth = (int)Math.Ceiling(48 + CharWidth * panels.SelectMany(p => p.Series).Max(s => s.Name.Length));
        var titleLines = Wrap(title, (int)((Width - 20) / TitleCharWidth), 2);
        int top = Top + 20 * titleLines.Count;
        int height = top + panels.Count * PanelHeight + (panels.Count - 1) * PanelGap + Bottom;
        double plotW = Width - Left - legendWidth;

        var svg = new StringBuilder();
        svg.Append(
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" " +
            "font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        for (int i = 0; i < titleLines.Count; i++)
            svg.Append($"<text class=\"title\" x=\"{Width / 2}\" y=\"{22 + 20 * i}\" text-anchor=\"middle\" " +
                       $"font-size=\"15\">{Escape(titleLines[i])}</text>\n");
        for (int p = 0; p < panels.Count; p++)
        {
            int panelTop = top + p * (PanelHeight + PanelGap);
            var yAxis = Axis.Round(finite[p].Min(q => q.Y), finite[p].Max(q => q.Y), integer: false, pad: true);
            DrawPanel(svg, panels[p], panelTop, plotW, xAxis, yAxis, legendWidth);
        }
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{height - 12}\" text-anchor=\"middle\">" +
                   $"{Escape(xLabel)}</text>\n");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void DrawPanel(StringBuilder svg, ChartPanel panel, int top, double plotW, Axis xAxis, Axis yAxis,
        int legendWidth)
    {
        double plotH = PanelHeight;
        string X(double x) => F(Left + (x - xAxis.Min) / (xAxis.Max - xAxis.Min) * plotW);
        string Y(double y) => F(top + (1 - (y - yAxis.Min) / (yAxis.Max - yAxis.Min)) * plotH);
        foreach (double yv in yAxis.Ticks())
        {
            svg.Append(
                $"<line x1=\"{Left}\" y1=\"{Y(yv)}\" x2=\"{F(Left + plotW)}\" y2=\"{Y(yv)}\" stroke=\"#e6e6e6\"/>\n");
            svg.Append($"<text class=\"ytick\" x=\"{Left - 6}\" y=\"{Y(yv)}\" text-anchor=\"end\" " +
                       $"dominant-baseline=\"middle\">{yAxis.Label(yv)}</text>\n");
        }
        foreach (double xv in xAxis.Ticks())
            svg.Append($"<text class=\"xtick\" x=\"{X(xv)}\" y=\"{F(top + plotH + 18)}\" text-anchor=\"middle\">" +
                       $"{xAxis.Label(xv)}</text>\n");
        svg.Append($"<rect class=\"panel\" x=\"{Left}\" y=\"{top}\" width=\"{F(plotW)}\" height=\"{F(plotH)}\" " +
                   "fill=\"none\" stroke=\"black\"/>\n");
        double middle = top + plotH / 2;
        svg.Append($"<text class=\"ylabel\" x=\"16\" y=\"{F(middle)}\" text-anchor=\"middle\" " +
                   $"transform=\"rotate(-90 16 {F(middle)})\">{Escape(panel.YLabel)}</text>\n");
        for (int s = 0; s < panel.Series.Count; s++)
        {
            string color = Colors[s % Colors.Length];
            var points = panel.Series[s].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (points.Count > 0)
            {
                string path = string.Join(" ", points.Select(p => X(p.X) + "," + Y(p.Y)));
                svg.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n");
            }
            int ly = top + 10 + s * 20, lx = Width - legendWidth + 12;
            svg.Append($"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 24}\" y2=\"{ly}\" stroke=\"{color}\" " +
                       "stroke-width=\"2\"/>\n");
            svg.Append($"<text class=\"legend\" x=\"{lx + 30}\" y=\"{ly}\" dominant-baseline=\"middle\">" +
                       $"{Escape(panel.Series[s].Name)}</text>\n");
        }
    }

    /// <summary>The estimated width in pixels of <paramref name="text"/> at the chart's 12 px font.</summary>
    internal static double TextWidth(string text) => CharWidth * text.Length;

    /// <summary>The estimated width in pixels of a title line at 15 px.</summary>
    internal static double TitleWidth(string text) => TitleCharWidth * text.Length;

    // Words into lines of at most `width` characters, at most `lines` lines (the last cut with "…" if needed).
    private static List<string> Wrap(string text, int width, int lines)
    {
        var result = new List<string> { "" };
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (result[^1].Length > 0 && result[^1].Length + 1 + word.Length > width) result.Add("");
            result[^1] = result[^1].Length == 0 ? word : result[^1] + " " + word;
        }
        for (int i = 0; i < result.Count; i++)
            if (result[i].Length > width) result[i] = result[i][..(width - 1)] + "…";
        if (result.Count > lines)
        {
            string last = result[lines - 1];
            result = result.Take(lines).ToList();
            result[^1] = (last.Length > width - 1 ? last[..(width - 1)] : last) + "…";
        }
        return result;
    }

    // An axis range widened to round tick values: a step of 1, 2 or 5 times a power of ten giving about five
    // ticks (at least 1 for whole-number axes), the ends on multiples of the step.
    private readonly record struct Axis(double Min, double Max, double Step)
    {
        public static Axis Round(double min, double max, bool integer, bool pad)
        {
            if (max == min) (min, max) = integer ? (min, min + 1) : (min - 0.5, max + 0.5);
            if (pad) (min, max) = (min - (max - min) * 0.05, max + (max - min) * 0.05);
            double raw = (max - min) / 5, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw * 0.999);
            if (integer) step = Math.Max(1, Math.Round(step));
            return new Axis(Math.Floor(min / step + 1e-9) * step, Math.Ceiling(max / step - 1e-9) * step, step);
        }

        public IEnumerable<double> Ticks()
        {
            int count = (int)Math.Round((Max - Min) / Step);
            for (int i = 0; i <= count; i++) yield return Min + i * Step;
        }

        // Decimals enough for the step: 0.05 → two; a tick at 0.30000000000000004 prints as 0.3.
        public string Label(double v)
        {
            int decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(Step) + 1e-9));
            // + 0.0 turns a rounded −0 into 0, which would otherwise print as "-0.00"
            return (Math.Round(v, decimals) + 0.0).ToString("F" + decimals, CultureInfo.InvariantCulture);
        }
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Escape(string text) =>
        text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
