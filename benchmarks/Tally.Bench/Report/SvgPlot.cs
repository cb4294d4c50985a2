using System.Globalization;
using System.Net;
using System.Text;

namespace Tally.Bench.Report;

/// <summary>A named line of (x, y) points.</summary>
public sealed record PlotSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>One chart of a figure: its title, what the y axis measures, its lines.</summary>
public sealed record PlotPanel(string Title, string YLabel, IReadOnlyList<PlotSeries> Series);

/// <summary>A vertical line across every panel at <see cref="X"/> (e.g. where a phase starts).</summary>
public sealed record PlotMarker(double X, string Label);

/// <summary>
/// Draws stacked line charts sharing one x axis (seconds) as a standalone SVG: no library, no fonts to
/// install, readable in a browser or on GitHub, and deterministic (same input, same bytes).
/// </summary>
public static class SvgPlot
{
    private const int Width = 1180;
    private const int PanelHeight = 240;
    private const int Left = 90;
    private const int Right = 300;
    private const int Top = 60;
    private const int Gap = 50;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static string Render(string title, IReadOnlyList<PlotPanel> panels, IReadOnlyList<PlotMarker> markers)
    {
        var height = Top + (panels.Count * (PanelHeight + Gap)) + 10;
        var plotWidth = Width - Left - Right;
        var xs = panels.SelectMany(p => p.Series).SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(0).ToList();
        var xMax = NiceCeiling(Math.Max(1, xs.Max()), [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]);
        var svg = new StringBuilder()
            .Append(I($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n"))
            .Append(I($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n"))
            .Append(I($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"16\">{Escape(title)}</text>\n"));
        for (var index = 0; index < panels.Count; index++)
        {
            var panel = panels[index];
            var top = Top + (index * (PanelHeight + Gap));
            var bottom = top + PanelHeight;
            var yMax = NiceCeiling(Math.Max(1e-9, panel.Series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(1).Max()), [1, 2, 5, 10]);
            double X(double x) => Left + (x / xMax * plotWidth);
            double Y(double y) => bottom - (y / yMax * PanelHeight);
            svg.Append(I($"<text x=\"{Left}\" y=\"{top - 8}\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n"));
            for (var tick = 0; tick <= 4; tick++)
            {
                var value = yMax * tick / 4;
                svg.Append(I($"<line x1=\"{Left}\" y1=\"{R(Y(value))}\" x2=\"{Left + plotWidth}\" y2=\"{R(Y(value))}\" stroke=\"#ddd\"/>\n"))
                    .Append(I($"<text x=\"{Left - 6}\" y=\"{R(Y(value)) + 4}\" text-anchor=\"end\">{Escape(Label(value))}</text>\n"));
            }

            for (var tick = 0; tick <= 5; tick++)
            {
                var value = xMax * tick / 5;
                svg.Append(I($"<text x=\"{R(X(value))}\" y=\"{bottom + 16}\" text-anchor=\"middle\">{Escape(Label(value))} s</text>\n"));
            }

            svg.Append(I($"<text transform=\"translate(16 {top + (PanelHeight / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(panel.YLabel)}</text>\n"))
                .Append(I($"<rect x=\"{Left}\" y=\"{top}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>\n"));
            foreach (var marker in markers)
            {
                svg.Append(I($"<line x1=\"{R(X(marker.X))}\" y1=\"{top}\" x2=\"{R(X(marker.X))}\" y2=\"{bottom}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"))
                    .Append(I($"<text x=\"{R(X(marker.X)) + 4}\" y=\"{top + 14}\" fill=\"#666\">{Escape(marker.Label)}</text>\n"));
            }

            for (var s = 0; s < panel.Series.Count; s++)
            {
                var series = panel.Series[s];
                var color = Colors[s % Colors.Length];
                var points = string.Join(' ', series.Points.Select(p => I($"{R(X(p.X))},{R(Y(p.Y))}")));
                svg.Append(I($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points}\"/>\n"))
                    .Append(I($"<line x1=\"{Left + plotWidth + 12}\" y1=\"{top + 10 + (s * 18)}\" x2=\"{Left + plotWidth + 32}\" y2=\"{top + 10 + (s * 18)}\" stroke=\"{color}\" stroke-width=\"2\"/>\n"))
                    .Append(I($"<text x=\"{Left + plotWidth + 36}\" y=\"{top + 14 + (s * 18)}\">{Escape(series.Name)}</text>\n"));
            }
        }

        return svg.Append("</svg>\n").ToString();
    }

    /// <summary>The smallest of <paramref name="steps"/> (from 1 to 10) times a power of ten at or above <paramref name="value"/>.</summary>
    public static double NiceCeiling(double value, double[] steps)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in steps)
        {
            if (step * power >= value * (1 - 1e-12))
            {
                return step * power;
            }
        }

        return 10 * power;
    }

    /// <summary>Short axis labels: 1.5k, 2M, 250.</summary>
    public static string Label(double value) => value switch
    {
        >= 1_000_000 => I($"{value / 1_000_000:0.##}M"),
        >= 1_000 => I($"{value / 1_000:0.##}k"),
        _ => I($"{value:0.##}"),
    };

    private static double R(double value) => Math.Round(value, 1);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
