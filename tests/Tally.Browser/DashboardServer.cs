using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tally.Host.Hosting;

namespace Tally.Browser;

/// <summary>
/// A whole Tally server (every role, embedded defaults) with the built dashboard, and Debian's
/// Chromium driven by Playwright. Without Chromium nothing starts and <see cref="SkipReason"/> says why;
/// without the built dashboard the fixture fails, since the page is then broken.
/// </summary>
/// <remarks>
/// What the pages show depends on "now": the billing period, the live bill, grants in force, the
/// close form's "last month". The machine's clock can stall or jump, so none of that reads it: the
/// page's <c>Date</c> and the rating stage's clock (its keyed TimeProvider) stand still at
/// <see cref="Now"/>, and the tests date their events before it. Ingestion, the usage store and the
/// close keep real time, which is later than <see cref="Now"/>, so those events are simply past.
/// </remarks>
public class DashboardServer : IAsyncLifetime
{
    public const string AdminToken = "tadm_browser-tests";

    /// <summary>The instant the pages and the rating stage take for now: mid-June 2026, a month in the past.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    /// <summary>
    /// Makes the page's <c>Date</c> stand at <see cref="Now"/> (<c>new Date()</c>, <c>Date.now()</c>); dates it is given
    /// stay as given, and timers keep running, so polling and live streams work as they do. Not Playwright's clock:
    /// that also swaps <c>window.performance</c> for a stand-in that records no entries, and the first-paint test
    /// reads the page's performance timeline.
    /// </summary>
    private static readonly string FixedDateScript = $$"""
        (() => {
          const now = {{Now.ToUnixTimeMilliseconds()}};
          const Real = Date;
          function Fixed(...args) {
            if (!new.target) return new Real(now).toString();
            return args.length === 0 ? new Real(now) : new Real(...args);
          }
          Fixed.prototype = Real.prototype;
          Fixed.now = () => now;
          Fixed.parse = Real.parse;
          Fixed.UTC = Real.UTC;
          globalThis.Date = Fixed;
        })();
        """;

    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-browser-").FullName;
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string? SkipReason { get; private set; }

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    /// <summary>The rating stage's clock, standing at <see cref="Now"/>.</summary>
    public FakeTimeProvider RatingClock { get; } = new(Now);

    public WebApplication App => _app ?? throw new InvalidOperationException("The server is not running.");

    public string BaseUrl => Http.BaseAddress!.ToString().TrimEnd('/');

    /// <summary>Settings a derived server adds to (or overrides in) the server's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>();

    public static string ChromiumPath => Environment.GetEnvironmentVariable("TALLY_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public virtual async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium, which ./tally test does; or set TALLY_TEST_CHROMIUM).";
            return;
        }

        var index = Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html");
        if (!File.Exists(index))
        {
            throw new InvalidOperationException($"The dashboard is not built ({index} is missing): run eng/build-dashboard.sh, then build again.");
        }

        var port = FreePorts.Next();
        var configuration = new Dictionary<string, string?> { ["Admin:Token"] = AdminToken, ["Aggregator:MaxWaitMilliseconds"] = "50" };
        foreach (var (name, value) in Configuration)
        {
            configuration[name] = value;
        }

        _app = TallyServer.Build(
            new ServeSettings(TallyRoles.All, _dataDir, port) { Configuration = configuration },
            services => services.AddKeyedSingleton<TimeProvider>(Tally.Rating.RatingClock.Key, RatingClock));
        await _app.StartAsync(TestContext.Current.CancellationToken);
        Http.BaseAddress = new Uri($"http://127.0.0.1:{port}");

        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
    }

    /// <summary>Skips the calling test, with the reason, when the browser is absent.</summary>
    public void RequireBrowser()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }
    }

    /// <summary>A fresh browser context (no cache, no session) whose <c>Date</c> stands at <see cref="Now"/>.</summary>
    public async Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "UTC",
            Locale = "en-US",
        });
        await context.AddInitScriptAsync(FixedDateScript);
        return context;
    }

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await NewContextAsync(width, height);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        return page;
    }

    public async Task<string> CreateTenantAsync(string name) =>
        (await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/admin/tenants", AdminToken, new { name })).GetProperty("apiKey").GetString()!;

    public async Task<JsonElement> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, string bearer, object? json = null)
    {
        var (status, body) = await SendAsync(method, path, bearer, json is null ? null : JsonContent.Create(json));
        Assert.True(status == expected, $"{method} {path}: expected {(int)expected}, got {(int)status}: {body}");
        return body;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string bearer, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        return (response.StatusCode, isJson && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text));
    }

    /// <summary>Posts events and returns once they are acknowledged (204: durable in the log).</summary>
    public async Task PostEventsAsync(string key, IEnumerable<object> events)
    {
        using var content = new StringContent(JsonSerializer.Serialize(events), Encoding.UTF8, "application/cloudevents-batch+json");
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/events", key, content);
        Assert.True(status == HttpStatusCode.NoContent, $"POST /api/v1/events: {(int)status} {body}");
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.CloseAsync();
            _playwright.Dispose();
        }

        Http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
