using System.Globalization;
using System.Net;
using System.Text;
using Tally.Host.Hosting;
using Tally.ServiceDefaults;

namespace Tally.EndToEnd;

/// <summary>
/// SIGKILLs <c>tally up</c> right after batches were acknowledged, restarts it on the same
/// <c>--data-dir</c>, and checks every acknowledged event is counted exactly once.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const string AdminToken = "tadm_crash-test";
    private const int Rounds = 3;
    private const int BatchesPerRound = 5;
    private const int EventsPerBatch = 200;
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-crash-").FullName;
    private readonly int _port = FreePorts.Next();
    private TallyProcess? _server;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Up_KilledRightAfterAcknowledgedBatches_CountsEveryEventExactlyOnce()
    {
        var baseUrl = new Uri($"http://127.0.0.1:{_port}");
        using var api = new PipelineApi(baseUrl, baseUrl);
        await StartAsync();
        var key = await api.CreateTenantAsync(AdminToken, "Crashy");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = "tokens", eventType = "prompt", aggregation = "SUM", valueProperty = "$.tokens" });
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/meters", key,
            new { slug = "prompts", eventType = "prompt", aggregation = "COUNT" });

        var time = DateTimeOffset.UtcNow.AddMinutes(-5);
        var acknowledged = 0;
        var tokens = 0m;
        for (var round = 0; round < Rounds; round++)
        {
            for (var batch = 0; batch < BatchesPerRound; batch++)
            {
                var body = new StringBuilder("[");
                for (var i = 0; i < EventsPerBatch; i++)
                {
                    var n = acknowledged + i;
                    body.Append(i == 0 ? "" : ",").Append(PipelineApi.Event($"ev-{n}", $"cust-{n % 7}", time.AddSeconds(n % 300), n % 13 + 1));
                    tokens += n % 13 + 1;
                }

                var (status, problem) = await api.PostEventsAsync(key, "application/cloudevents-batch+json", body.Append(']').ToString());
                Assert.True(status == HttpStatusCode.NoContent, $"ingest answered {(int)status}: {problem}");
                acknowledged += EventsPerBatch;
            }

            // Acknowledged means durable: kill with no warning, then come back on the same data.
            await _server!.KillAsync();
            await _server.DisposeAsync();
            await StartAsync();
        }

        await Eventually.EqualsAsync((decimal)acknowledged, () => TotalAsync(api, key, "prompts"), TimeSpan.FromSeconds(120));
        Assert.Equal(tokens, await TotalAsync(api, key, "tokens"));
    }

    private async Task StartAsync()
    {
        _server = TallyProcess.Start("up", new Dictionary<string, string> { ["TALLY_ADMIN_TOKEN"] = AdminToken },
            "up", "--port", _port.ToString(CultureInfo.InvariantCulture), "--data-dir", _dataDir);
        await _server.WaitForLineAsync("^Tally is up: ", TimeSpan.FromSeconds(90));
    }

    private static async Task<decimal> TotalAsync(PipelineApi api, string key, string meter)
    {
        var body = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/meters/{meter}/query", key);
        return body.GetProperty("data").EnumerateArray().Sum(value => value.GetProperty("value").GetDecimal());
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                TestContext.Current.SendDiagnosticMessage(_server.Output);
            }

            await _server.DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}
