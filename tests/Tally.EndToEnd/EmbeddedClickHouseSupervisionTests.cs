using System.Globalization;
using System.Net;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// <c>tally up</c> never loads libchdb.so: the embedded ClickHouse runs in a child process that is
/// restarted when it dies, keeps its data, and follows the host out even when the host is SIGKILLed.
/// </summary>
public sealed class EmbeddedClickHouseSupervisionTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_supervision";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-supervise-").FullName;
    private TallyProcess? _up;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Up_EmbeddedClickHouse_RunsInAChildThatIsRestartedAndFollowsTheHost()
    {
        var port = FreePorts.Next();
        _up = TallyProcess.Start("up", new Dictionary<string, string> { ["TALLY_ADMIN_TOKEN"] = AdminToken },
            "up", "--port", port.ToString(CultureInfo.InvariantCulture), "--data-dir", _dataDir);
        await _up.WaitForLineAsync("^Tally is up: ", StartTimeout);
        var child = int.Parse((await _up.WaitForLineAsync(@"Embedded ClickHouse runs as process (\d+) ", StartTimeout)).Groups[1].Value, CultureInfo.InvariantCulture);

        Assert.False(MapsLibchdb(_up.Id), "the tally up process must not load libchdb.so");
        Assert.True(MapsLibchdb(child), "the embedded ClickHouse child must have libchdb.so loaded");

        var url = new Uri($"http://127.0.0.1:{port}");
        using var api = new PipelineApi(url, url);
        var key = await api.CreateTenantAsync(AdminToken, "Supervised");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        var (status, _) = await api.PostEventsAsync(key, "application/cloudevents+json", PipelineApi.Event("e1", "c1", DateTimeOffset.UtcNow.AddMinutes(-1), 42));
        Assert.Equal(HttpStatusCode.NoContent, status);
        await Eventually.EqualsAsync(42m, () => TotalAsync(api, key), StartTimeout);

        // The engine dies: the host notices, starts a new child on the same data, and serves again.
        Kill(child);
        var restarted = int.Parse(
            (await _up.WaitForLineAsync($@"Embedded ClickHouse runs as process (?!{child}\b)(\d+) ", StartTimeout)).Groups[1].Value,
            CultureInfo.InvariantCulture);
        Assert.NotEqual(child, restarted);
        await Eventually.EqualsAsync(HttpStatusCode.OK, async () => (await api.SendAsync(HttpMethod.Get, "/readyz", null)).Status, StartTimeout);
        Assert.Equal(42m, await TotalAsync(api, key));

        // The host dies without warning: the child sees its stdin close and exits too.
        await _up.KillHostOnlyAsync();
        await Eventually.EqualsAsync(false, () => Task.FromResult(Directory.Exists($"/proc/{restarted}")), TimeSpan.FromSeconds(60));
    }

    private static bool MapsLibchdb(int pid) =>
        File.ReadAllText($"/proc/{pid}/maps").Contains("libchdb.so", StringComparison.Ordinal);

    private static void Kill(int pid) =>
        System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    private static async Task<decimal> TotalAsync(PipelineApi api, string key)
    {
        var (status, body) = await api.SendAsync(HttpMethod.Get, "/api/v1/meters/tokens/query", key);
        return status == HttpStatusCode.OK ? body.GetProperty("data").EnumerateArray().Sum(v => v.GetProperty("value").GetDecimal()) : -1m;
    }

    public async ValueTask DisposeAsync()
    {
        if (_up is not null)
        {
            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                TestContext.Current.SendDiagnosticMessage(_up.Output);
            }

            await _up.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}
