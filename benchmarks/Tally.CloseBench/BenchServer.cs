using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Tally.Host.Hosting;

namespace Tally.CloseBench;

/// <summary>
/// A whole Tally in this process on the embedded defaults (SQLite ledger, embedded log, chDB in its
/// child process), with the close scheduler off, and the HTTP calls the benchmark makes to it.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-closebench-").FullName;
    private readonly HttpClient _http;
    private readonly WebApplication _app;
    private readonly bool _keepData;

    /// <param name="configuration">Settings on top of the benchmark's own.</param>
    /// <param name="keepData">Leave the data directory (the SQLite ledger, the log, ClickHouse's files) for a look afterwards.</param>
    public BenchServer(IReadOnlyDictionary<string, string?> configuration, bool keepData = false)
    {
        _keepData = keepData;
        var port = FreePorts.Next();
        var settings = new ServeSettings(TallyRoles.All, _dataDir, port)
        {
            Configuration = new Dictionary<string, string?>(configuration)
            {
                ["Admin:Token"] = AdminToken,
                ["Logging:LogLevel:Default"] = "Warning",
                ["Close:GraceMinutes"] = "0",
                ["Close:ScheduleEnabled"] = "false",
                ["Close:PollMilliseconds"] = "50",
                ["Aggregator:MaxWaitMilliseconds"] = "50",

                // Each customer's rating grain takes its first usage delta (activation reads its catalog); small
                // batches keep each one within Orleans' 30 s call timeout on a busy machine.
                ["Rating:DeltaBatchRecords"] = "500",
                ["Stripe:EncryptionKey"] = Convert.ToBase64String(new byte[32]),
            },
        };
        _app = TallyServer.Build(settings);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
    }

    public string AdminToken { get; } = $"tadm_closebench-{Guid.NewGuid():N}";

    public IServiceProvider Services => _app.Services;

    public Task StartAsync() => _app.StartAsync();

    /// <summary>Sends a request and returns its JSON answer; anything but <paramref name="expected"/> stops the benchmark.</summary>
    public async Task<JsonElement> CallAsync(HttpMethod method, string path, string bearer, object? json = null, int expected = 200, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Content = rawBody is not null
            ? new StringContent(rawBody, Encoding.UTF8, "application/cloudevents-batch+json")
            : json is null ? null : JsonContent.Create(json);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != expected)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{method} {path}: expected {expected}, got {(int)response.StatusCode}: {text}"));
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
        if (_keepData)
        {
            Console.WriteLine($"data kept in {_dataDir}");
        }
        else
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
