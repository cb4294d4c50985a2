using Microsoft.Playwright;

namespace Tally.Browser;

/// <summary>
/// First meaningful paint of the dashboard with a month of minute data for 50 meters, measured in the
/// browser with the Performance API: the page marks <c>tally:first-meaningful-paint</c> two animation
/// frames after the first meter's chart and period-to-date total are rendered (time since navigation start).
/// </summary>
public sealed class FirstPaintTests(MonthOfMinutesServer server, ITestOutputHelper output) : IClassFixture<MonthOfMinutesServer>
{
    [Fact]
    public async Task FirstMeaningfulPaint_MonthOfMinuteDataFor50Meters_IsUnderOneSecondOnLocalhost()
    {
        server.RequireBrowser();
        var cold = await MeasureAsync();
        var fresh = new List<(double Paint, double Contentful)>();
        for (var i = 0; i < 5; i++)
        {
            fresh.Add(await MeasureAsync());
        }

        var median = fresh.Select(w => w.Paint).Order().ElementAt(fresh.Count / 2);
        var load = LoadAverage();
        output.WriteLine($"first meaningful paint: first load {cold.Paint:F0} ms (server caches cold), then {string.Join(", ", fresh.Select(w => $"{w.Paint:F0} ms"))} (median {median:F0} ms); first contentful paint {string.Join(", ", fresh.Select(w => $"{w.Contentful:F0} ms"))}; load average {load:F1} on {Environment.ProcessorCount} cores");
        Metrics.Record("firstMeaningfulPaintMilliseconds", new { coldServer = cold.Paint, fresh = fresh.Select(w => w.Paint), firstContentfulPaint = fresh.Select(w => w.Contentful), median, loadAverage = load });

        // Whatever the machine's load, seconds are a defect.
        Assert.True(median < 5_000, $"First meaningful paint took {median:F0} ms (median of five fresh page loads).");
        if (median >= 1_000 && load > 2 * Environment.ProcessorCount)
        {
            // The 1 s target cannot be judged when other work holds the CPU: say so instead of passing or failing.
            Assert.Skip($"First meaningful paint took {median:F0} ms, but the machine's load average is {load:F1} on {Environment.ProcessorCount} cores; the 1 s target needs a machine that is not overloaded.");
        }

        Assert.True(median < 1_000, $"First meaningful paint took {median:F0} ms (median of five fresh page loads; load average {load:F1}).");
    }

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg")
            ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)
            : 0;

    /// <summary>A fresh browser context each time: no cached page, scripts or data, the API key already in the session.</summary>
    private async Task<(double Paint, double Contentful)> MeasureAsync()
    {
        var context = await server.NewContextAsync();
        await context.AddInitScriptAsync($"sessionStorage.setItem('tally.apiKey', '{server.Key}')");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.WaitForFunctionAsync("() => performance.getEntriesByName('tally:first-meaningful-paint').length > 0", null, new() { Timeout = 30_000 });

        await Assertions.Expect(page.GetByTestId("meter-list").GetByRole(AriaRole.Button)).ToHaveCountAsync(MonthOfMinutesServer.Meters);
        await Assertions.Expect(page.GetByTestId("period-total")).ToHaveTextAsync(server.FirstMeterPeriodTotal.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(int.Parse(await page.GetByTestId("usage-chart").GetAttributeAsync("data-windows") ?? "0", System.Globalization.CultureInfo.InvariantCulture) >= 24);
        var paint = await page.EvaluateAsync<double>("performance.getEntriesByName('tally:first-meaningful-paint')[0].startTime");
        var contentful = await page.EvaluateAsync<double>("performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
        var timeline = await page.EvaluateAsync<string>(
            "performance.getEntriesByType('resource').map(e => `${new URL(e.name).pathname.slice(0, 40)} ${e.startTime.toFixed(0)}-${e.responseStart.toFixed(0)}-${e.responseEnd.toFixed(0)}`).join('; ')");
        output.WriteLine($"paint {paint:F0} ms; requests (start-first byte-end): {timeline}");
        await context.CloseAsync();
        return (paint, contentful);
    }
}
