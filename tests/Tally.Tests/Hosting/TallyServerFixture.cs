using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tally.Host.Hosting;

namespace Tally.Tests.Hosting;

/// <summary>One whole Tally server (every role, embedded defaults, ClickHouse in its child process) shared by a test class.</summary>
public class TallyServerFixture : IAsyncLifetime
{
    public const string AdminToken = "tadm_server-fixture";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-server-").FullName;
    private WebApplication? _app;
    private ServeSettings? _settings;

    public HttpClient Http { get; } = new();

    /// <summary>The gRPC ingest service's address (a free port picked at start).</summary>
    public Uri GrpcUrl => new(TallyServer.GrpcUrl(_app!, _settings!)!);

    /// <summary>The server's service provider, for tests that look inside.</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Settings a derived fixture adds to (or overrides in) the server's configuration.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>();

    /// <summary>Replaces services of the server (e.g. a fake clock) before it is built.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async ValueTask InitializeAsync()
    {
        var port = FreePorts.Next();
        var configuration = new Dictionary<string, string?>
        {
            ["Admin:Token"] = AdminToken,
            ["Aggregator:MaxWaitMilliseconds"] = "50",
            // Roll-ups happen when a test asks (reconciliation with rollUp=true), not on a timer racing its assertions.
            ["Aggregator:RollupIntervalSeconds"] = "3600",
            ["Close:GraceMinutes"] = "0",
            ["Close:PollMilliseconds"] = "50",
            ["Close:ApprovalAbove"] = "1000",
        };
        foreach (var (name, value) in Configuration)
        {
            configuration[name] = value;
        }

        _settings = new ServeSettings(TallyRoles.All, _dataDir, port) { Configuration = configuration };
        _app = TallyServer.Build(_settings, ConfigureServices);
        await _app.StartAsync(TestContext.Current.CancellationToken);
        Http.BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public async Task<string> CreateTenantAsync(string name) =>
        (await ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/admin/tenants", AdminToken, new { name })).GetProperty("apiKey").GetString()!;

    public async Task<JsonElement> ExpectAsync(HttpStatusCode expected, HttpMethod method, string path, string bearer, object? json = null)
    {
        var (status, body) = await SendAsync(method, path, bearer, json is null ? null : JsonContent.Create(json));
        Assert.True(status == expected, $"{method} {path}: expected {(int)expected}, got {(int)status}: {body}");
        return body;
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> PostEventsAsync(string bearer, string body, string contentType = "application/cloudevents-batch+json") =>
        SendAsync(HttpMethod.Post, "/api/v1/events", bearer, new StringContent(body, Encoding.UTF8, contentType));

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string bearer, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        return (response.StatusCode, isJson && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : JsonSerializer.SerializeToElement(text));
    }

    public async ValueTask DisposeAsync()
    {
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
