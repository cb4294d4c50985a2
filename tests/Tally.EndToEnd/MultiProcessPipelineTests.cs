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
    private readonly TallyProcesses _processes = new("tally-mp-");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Pipeline_SeparateProcessesOverKafka_CountsBillsAndInvoicesExactly()
    {
        var bootstrap = await _processes.StartKafkaMockAsync();
        var connection = await _processes.StartClickHouseAsync("e2e-secret");

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
        var ingest = _processes.Server("ingest", shared, ingestPort);
        var aggregator = _processes.Server("aggregator", shared, FreePorts.Next());
        var api = _processes.Server("api", shared, apiPort);
        await TallyProcesses.UpAsync(ingest, aggregator, api);

        using var client = new PipelineApi(new Uri($"http://127.0.0.1:{ingestPort}"), new Uri($"http://127.0.0.1:{apiPort}"));
        var scenario = new PipelineScenario(client, "tadm_multi-process", DateTimeOffset.UtcNow);
        await scenario.SetUpAndIngestAsync();
        await Eventually.EqualsAsync(PipelineScenario.ExpectedTotalTokens, scenario.TotalTokensAsync, TimeSpan.FromSeconds(120));
        var exits = new List<int>();
        await scenario.VerifyAsync(async period =>
        {
            // Step 6 through the operator's command, as a separate process: `tally close --period`,
            // which follows the runs to the end; the second time every tenant's close is refused (exit 1).
            var close = _processes.Start("close", [], "close", "--period", period.ToString(), "--url", $"http://127.0.0.1:{apiPort}", "--admin-token", "tadm_multi-process");
            exits.Add(await close.WaitForExitAsync(StartTimeout));
            Assert.True(exits.Count == 2 || exits[0] == 0, $"tally close exited {exits[0]}: {close.Output}");
        });

        Assert.Equal([0, 1], exits);
        Assert.Equal(0, await aggregator.StopAsync(TimeSpan.FromSeconds(30)));
    }

    public ValueTask DisposeAsync() => _processes.DisposeAsync();
}
