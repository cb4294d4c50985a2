using Tally.Bench.Report;

namespace Tally.Tests.Bench;

public sealed class SvgPlotTests
{
    [Fact]
    public void Render_OneSeries_DrawsItsPointsOnTheScaledAxes()
    {
        var panel = new PlotPanel("Throughput", "events/s", [new PlotSeries("acked", [(0, 0), (10, 40_000), (20, 80_000)])]);

        var svg = SvgPlot.Render("run", [panel], [new PlotMarker(10, "open loop")]);

        // x: 0..20 s over 790 px from 90; y: 0..100k over 240 px up from 300.
        Assert.Contains("points=\"90,300 485,204 880,108\"", svg, StringComparison.Ordinal);
        Assert.Contains(">open loop</text>", svg, StringComparison.Ordinal);
        Assert.Contains(">100k</text>", svg, StringComparison.Ordinal);
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg, StringComparison.Ordinal);
        Assert.EndsWith("</svg>\n", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Text_IsEscaped()
    {
        var svg = SvgPlot.Render("a < b & c", [new PlotPanel("p", "y", [])], []);

        Assert.Contains(">a &lt; b &amp; c</text>", svg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.7, 0.8)]
    [InlineData(22, 25)]
    [InlineData(130, 150)]
    [InlineData(1_000, 1_000)]
    public void NiceCeiling_Value_NextRoundStep(double value, double expected) =>
        Assert.Equal(expected, SvgPlot.NiceCeiling(value, [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]));

    [Theory]
    [InlineData(1_500_000, "1.5M")]
    [InlineData(2_500, "2.5k")]
    [InlineData(12.345, "12.35")]
    public void Label_Value_Short(double value, string expected) => Assert.Equal(expected, SvgPlot.Label(value));

    [Fact]
    public void MovingAverage_AlternatingCommits_SmoothsOverFiveSeconds()
    {
        var points = new (double, double)[] { (1, 0), (2, 20_000), (3, 0), (4, 20_000), (5, 0), (6, 20_000) };

        Assert.Equal([(1, 0), (2, 10_000), (3, 6_666.7), (4, 10_000), (5, 8_000), (6, 12_000)], RunTimeline.MovingAverage(points));
    }
}
