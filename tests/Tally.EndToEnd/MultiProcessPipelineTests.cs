using System.Net;
using System.Text.Json;
using Tally.Host.Hosting;

namespace Tally.EndToEnd;

/// <summary>
/// The walking skeleton with every stage in its own OS process, over the Kafka implementation of
/// the event log (librdkafka's mock cluster, owned by a small process) and a shared ClickHouse
/// (embedded chDB served over HTTP by its own process). The ledger is one SQLite file shared by
/// the processes.
/// </summary>
public sealed class MultiProcessPipelineTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("tally-mp-").FullName;
    private readonly List<TallyProcess> _processes = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Pipeline_SeparateProcessesOverKafka_CountsBillsAndInvoicesExactly()
    {
        var kafka = Start("kafka-mock", [], "kafka-mock");
        var bootstrap = (await kafka.WaitForLineAsync(@"^Kafka: (\S+)$", StartTimeout)).Groups[1].Value;
        var clickHousePort = FreePorts.Next();
        var clickHouse = Start("clickhouse", new() { ["TALLY_CLICKHOUSE_PASSWORD"] = "e2e-secret" },
            "clickhouse", "--port", clickHousePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", _dataDir);
        // The role prints its connection string without the password, which the operator already has.
        var connection = (await clickHouse.WaitForLineAsync(@"^ClickHouse: (\S+)$", StartTimeout)).Groups[1].Value + ";Password=e2e-secret";
        Assert.DoesNotContain("e2e-secret", clickHouse.Output, StringComparison.Ordinal);

        var shared = new Dictionary<string, string>
        {
            ["TALLY_ADMIN_TOKEN"] = "tadm_multi-process",
            ["TALLY_Kafka__BootstrapServers"] = bootstrap,
            ["TALLY_ClickHouse__ConnectionString"] = connection,

            // The previous period may have ended minutes ago; close it without waiting out the grace.
            ["TALLY_Close__GraceMinutes"] = "0",
        };
        var ingestPort = FreePorts.Next();
        var apiPort = FreePorts.Next();
        var ingest = StartServer("ingest", shared, ingestPort);
        var aggregator = StartServer("aggregator", shared, FreePorts.Next());
        var api = StartServer("api", shared, apiPort);
        foreach (var server in new[] { ingest, aggregator, api })
        {
            await server.WaitForLineAsync("^Tally is up: ", StartTimeout);
        }

        using var client = new PipelineApi(new Uri($"http://127.0.0.1:{ingestPort}"), new Uri($"http://127.0.0.1:{apiPort}"));
        var scenario = new PipelineScenario(client, "tadm_multi-process", DateTimeOffset.UtcNow);
        await scenario.SetUpAndIngestAsync();
        await Eventually.EqualsAsync(PipelineScenario.ExpectedTotalTokens, scenario.TotalTokensAsync, TimeSpan.FromSeconds(120));
        var exits = new List<int>();
        await scenario.VerifyAsync(async period =>
        {
            // Step 6 through the operator's command, as a separate process: `tally close --period`,
            // which follows the runs to the end; the second time every tenant's close is refused (exit 1).
            var close = Start("close", [], "close", "--period", period.ToString(), "--url", $"http://127.0.0.1:{apiPort}", "--admin-token", "tadm_multi-process");
            exits.Add(await close.WaitForExitAsync(StartTimeout));
            Assert.True(exits.Count == 2 || exits[0] == 0, $"tally close exited {exits[0]}: {close.Output}");
        });

        Assert.Equal([0, 1], exits);
        Assert.Equal(0, await aggregator.StopAsync(TimeSpan.FromSeconds(30)));
    }

    private TallyProcess StartServer(string role, Dictionary<string, string> environment, int port) =>
        Start(role, environment, "serve", "--roles", role, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", _dataDir);

    private TallyProcess Start(string name, Dictionary<string, string> environment, params string[] args)
    {
        var process = TallyProcess.Start(name, environment, args);
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            if (TestContext.Current.TestState?.Result == TestResult.Failed)
            {
                TestContext.Current.SendDiagnosticMessage($"--- {_processes[i].Name} ---\n{_processes[i].Output}");
            }

            await _processes[i].DisposeAsync();
        }

        Directory.Delete(_dataDir, recursive: true);
    }
}
