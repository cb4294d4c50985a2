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
        var warm = new List<(double Paint, double Contentful)>();
        for (var i = 0; i < 3; i++)
        {
            warm.Add(await MeasureAsync());
        }

        var median = warm.Select(w => w.Paint).Order().ElementAt(1);
        output.WriteLine($"first meaningful paint: first load {cold.Paint:F0} ms (server caches cold), then {string.Join(", ", warm.Select(w => $"{w.Paint:F0} ms"))}; first contentful paint {string.Join(", ", warm.Select(w => $"{w.Contentful:F0} ms"))}");
        Metrics.Record("firstMeaningfulPaintMilliseconds", new { coldServer = cold.Paint, fresh = warm.Select(w => w.Paint), firstContentfulPaint = warm.Select(w => w.Contentful), median });
        Assert.True(median < 1_000, $"First meaningful paint took {median:F0} ms (median of three fresh page loads).");
    }

    /// <summary>A fresh browser context each time: no cached page, scripts or data, the API key already in the session.</summary>
    private async Task<(double Paint, double Contentful)> MeasureAsync()
    {
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            TimezoneId = "UTC",
            Locale = "en-US",
        });
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
